import Foundation
import Provider
import Terminal
import Testing
@testable import Console

/// The Sagas pane on executions recorded from the real stack: the list, a stuck saga's
/// explanation, the timeline of each path of the seed's order saga.
@Suite struct SagaGoldenTests {
    static let sizes = [(80, 24), (120, 40), (200, 60)]

    static func state() -> ConsoleState {
        var state = ConsoleState(snapshot: SagaFixtures.snapshot(), now: SagaFixtures.now, themeName: "default")
        state.press(.character("5"), .character("z"))
        return state
    }

    @Test(arguments: sizes) func listWithAStuckSaga(columns: Int, rows: Int) {
        Golden.check(Self.state().frame(columns, rows), "sagas-list-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func stuckExplanation(columns: Int, rows: Int) {
        var state = Self.state()
        state.press(.enter)
        Golden.check(state.frame(columns, rows), "saga-stuck-\(columns)x\(rows)")
    }

    @Test func theListTellsWhoWhereAndWhy() {
        let state = Self.state()
        let rows = state.table(for: .sagas).rows.map(\.cells)
        // Running first: the stuck saga heads the list whatever its age.
        #expect(rows.map { $0[3] } == ["STUCK", "SUCCEEDED", "FAILED", "FAILED"])
        #expect(rows[0][1].hasPrefix("ord-"))
        #expect(rows[0][4] == "ChargePayment")
        #expect(rows[0][5] == "Lambda payment-charge")
        #expect(rows[0][6] == "6m00s")
        let frame = state.frame(120, 40).textLines().joined(separator: "\n")
        #expect(frame.contains("Sagas · 1 stuck"))
        #expect(frame.contains("│ Sagas 1 stuck │"))
    }

    @Test func sCyclesTheStatusFilter() {
        var state = Self.state()
        var seen: [[String]] = []
        for _ in 0..<4 {
            state.press(.character("s"))
            seen.append(state.table(for: .sagas).rows.map { $0.cells[3] })
        }
        #expect(seen == [["STUCK"], ["FAILED", "FAILED"], ["STUCK"], ["STUCK", "SUCCEEDED", "FAILED", "FAILED"]])
    }

    @Test func oSortsByAgeThenStatusThenMachine() {
        var state = Self.state()
        state.press(.character("o"))  // by age: the stuck saga has run longest
        #expect(state.table(for: .sagas).rows.first?.cells[3] == "STUCK")
        state.press(.character("o"))  // by status: stuck, then failed, then succeeded
        #expect(state.table(for: .sagas).rows.map { $0.cells[3] } == ["STUCK", "FAILED", "FAILED", "SUCCEEDED"])
    }
}
