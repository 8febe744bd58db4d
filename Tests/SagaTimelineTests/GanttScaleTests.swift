import Foundation
import Testing
@testable import SagaTimeline

@Suite struct GanttScaleTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func theWholeRunFitsAndBarsAreProportional() {
        let scale = GanttScale(from: Self.t0, to: Self.t0.addingTimeInterval(0.1), width: 100, zoom: 0, pan: 0)
        #expect(scale.bar(from: Self.t0, to: Self.t0.addingTimeInterval(0.025)) == 0..<25)
        #expect(scale.bar(from: Self.t0.addingTimeInterval(0.05), to: Self.t0.addingTimeInterval(0.05)) == 50..<51)
        // A state entered as the run ended still shows, in the last column.
        #expect(scale.bar(from: Self.t0.addingTimeInterval(0.1), to: Self.t0.addingTimeInterval(0.1)) == 99..<100)
    }

    @Test func zoomHalvesTheWindowAndPanStaysInsideTheRun() {
        let end = Self.t0.addingTimeInterval(8)
        let zoomed = GanttScale(from: Self.t0, to: end, width: 80, zoom: 1, pan: 0)
        #expect(zoomed.span == 4)
        #expect(zoomed.bar(from: Self.t0.addingTimeInterval(6), to: end) == nil)
        let panned = GanttScale(from: Self.t0, to: end, width: 80, zoom: 1, pan: 100)
        #expect(panned.pan == 4)
        #expect(panned.start == Self.t0.addingTimeInterval(4))
        #expect(GanttScale(from: Self.t0, to: end, width: 80, zoom: 0, pan: 3).pan == 0)
    }
}
