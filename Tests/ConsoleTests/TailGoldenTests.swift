import Foundation
import Provider
import SignalboxTestSupport
import Terminal
import Testing
@testable import Console

/// The Flows tail's screens at the three reference sizes (reviewed by eye when recorded).
@Suite struct TailGoldenTests {
    @Test(arguments: GoldenFrameTests.sizes) func live(columns: Int, rows: Int) {
        let (state, _) = TailPaneTests.console(count: 120)
        Golden.check(state.frame(columns, rows), "tail-live-\(columns)x\(rows)")
    }

    @Test(arguments: GoldenFrameTests.sizes) func pausedWithNew(columns: Int, rows: Int) {
        var (state, snapshot) = TailPaneTests.console(count: 120)
        state.press(.character(" "), .character("k"), .character("k"))
        TailPaneTests.add(9, to: &snapshot)
        state.receive(snapshot)
        Golden.check(state.frame(columns, rows), "tail-paused-\(columns)x\(rows)")
    }

    @Test(arguments: GoldenFrameTests.sizes) func filteredByPattern(columns: Int, rows: Int) {
        var (state, snapshot) = TailPaneTests.console(count: 120)
        let pattern = #"{"source":["shop.payments"],"detail":{"amount":[{"numeric":[">=",40]}]}}"#
        state.press(.character("/"))
        state.type(pattern)
        state.press(.enter)
        #expect(state.streamFilter == pattern)
        snapshot.eventsFilteredOnStack = pattern
        state.receive(snapshot)
        Golden.check(state.frame(columns, rows), "tail-filtered-\(columns)x\(rows)")
    }

    @Test(arguments: GoldenFrameTests.sizes) func badInput(columns: Int, rows: Int) {
        var (state, snapshot) = TailPaneTests.console(count: 30)
        snapshot.recentEvents.append(DemoSnapshot.hostileEvent(at: DemoSnapshot.now))
        TailPaneTests.add(3, to: &snapshot)
        state.receive(snapshot)
        state.press(.character("k"), .character("k"))
        Golden.check(state.frame(columns, rows), "tail-bad-input-\(columns)x\(rows)")
    }

    @Test(arguments: GoldenFrameTests.sizes) func eventDetailWithAFailedDelivery(columns: Int, rows: Int) {
        var state = TailDetailTests.opened(12)
        TailDetailTests.moveCursor(&state, to: #""items": ["#)
        state.press(.character("f"))
        Golden.check(state.frame(columns, rows), "tail-event-detail-\(columns)x\(rows)")
    }

    @Test(arguments: GoldenFrameTests.sizes) func ratesStrip(columns: Int, rows: Int) {
        var state = ConsoleState(snapshot: DemoSnapshot.tailWithRates(count: 240), now: DemoSnapshot.now)
        state.press(.character("2"), .character("z"))
        Golden.check(state.frame(columns, rows), "tail-rates-\(columns)x\(rows)")
    }
}
