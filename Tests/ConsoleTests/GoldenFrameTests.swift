import Testing
import Terminal
@testable import Console

/// Every screen at the three reference sizes, compared with golden text frames.
@Suite struct GoldenFrameTests {
    static let sizes = [(80, 24), (120, 40), (200, 60)]

    @Test(arguments: sizes) func notConnectedDashboard(columns: Int, rows: Int) {
        let state = Fixtures.state(Fixtures.notConnected())
        Golden.check(state.frame(columns, rows), "dashboard-not-connected-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func dashboardWithData(columns: Int, rows: Int) {
        let state = Fixtures.state()
        Golden.check(state.frame(columns, rows), "dashboard-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func help(columns: Int, rows: Int) {
        var state = Fixtures.state(readOnly: true)
        state.press(.character("?"))
        Golden.check(state.frame(columns, rows), "help-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func messages(columns: Int, rows: Int) {
        var state = Fixtures.state()
        state.showToast("sent: force breaker payment-gateway OPEN")
        state.showToast("failed: redrive orders-dlq: QueueDoesNotExist", level: .error)
        state.showToast("NO_COLOR is set: colours stay off", level: .warn)
        state.press(.character(":"))
        state.type("messages")
        state.press(.enter)
        Golden.check(state.frame(columns, rows), "messages-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func confirmDialog(columns: Int, rows: Int) {
        var state = Fixtures.state()
        state.press(.character("4"), .character("o"))
        Golden.check(state.frame(columns, rows), "confirm-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func commandBarCompletion(columns: Int, rows: Int) {
        var state = Fixtures.state()
        state.press(.character(":"))
        state.type("theme ")
        state.press(.tab)
        Golden.check(state.frame(columns, rows), "command-bar-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func queuesFilteredAndSagaDetail(columns: Int, rows: Int) {
        var state = Fixtures.state()
        state.press(.character("3"), .character("/"))
        state.type("inv")
        state.press(.enter)
        Golden.check(state.frame(columns, rows), "queues-filtered-\(columns)x\(rows)")
        state.press(.character("5"), .character("j"), .enter)
        Golden.check(state.frame(columns, rows), "saga-detail-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func breakerAndEventDetail(columns: Int, rows: Int) {
        var state = Fixtures.state()
        state.press(.character("4"), .enter)
        Golden.check(state.frame(columns, rows), "breaker-detail-\(columns)x\(rows)")
        state.press(.escape, .character("j"), .character("j"), .character("j"), .enter)
        Golden.check(state.frame(columns, rows), "breaker-forced-detail-\(columns)x\(rows)")
        // The tail starts on its newest event; the one before it had a dead-lettered delivery.
        state.press(.escape, .character("2"), .character("k"), .enter)
        Golden.check(state.frame(columns, rows), "event-detail-\(columns)x\(rows)")
    }

    @Test func tooSmall() {
        Golden.check(Fixtures.state().frame(50, 12), "too-small-50x12")
        let frame = Fixtures.state().frame(59, 24).textLines().joined(separator: "\n")
        #expect(frame.contains("Terminal too small"))
        #expect(!Fixtures.state().frame(60, 16).textLines().joined().contains("too small"))
    }
}
