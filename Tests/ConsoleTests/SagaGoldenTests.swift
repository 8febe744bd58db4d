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

    /// Rows: 0 stuck, 1 happy path, 2 payment failure, 3 shipping failure.
    static func opened(_ row: Int, select state: Int = 0) -> ConsoleState {
        var state0 = Self.state()
        for _ in 0..<row { state0.press(.character("j")) }
        state0.press(.enter)
        for _ in 0..<state { state0.press(.character("j")) }
        return state0
    }

    @Test(arguments: sizes) func timelineOfTheHappyPath(columns: Int, rows: Int) {
        Golden.check(Self.opened(1).frame(columns, rows), "saga-timeline-happy-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func timelineOfAPaymentFailure(columns: Int, rows: Int) {
        Golden.check(Self.opened(2, select: 1).frame(columns, rows), "saga-timeline-payment-failure-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func timelineOfAShippingFailure(columns: Int, rows: Int) {
        Golden.check(Self.opened(3, select: 2).frame(columns, rows), "saga-timeline-shipping-failure-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func graphOfTheDefinition(columns: Int, rows: Int) {
        var state = Self.opened(2)
        state.press(.character("g"))
        Golden.check(state.frame(columns, rows), "saga-graph-\(columns)x\(rows)")
    }

    @Test func theTimelineShowsCompensationAndErrors() {
        let frame = Self.opened(3, select: 2).frame(200, 60).textLines().joined(separator: "\n")
        // Refund then release, each marked compensation; the shipping error in the step detail.
        let refund = try! #require(frame.range(of: "CompensatePayment"))
        let release = try! #require(frame.range(of: "CompensateInventory"))
        #expect(refund.lowerBound < release.lowerBound)
        #expect(frame.contains("comp"))
        #expect(frame.contains("error        ShipmentRejected"))
    }

    @Test func zoomAndPanChangeTheAxis() {
        var state = Self.opened(1)
        #expect(state.frame(120, 40).textLines().joined().contains("whole run"))
        state.press(.character("+"))
        let zoomed = state.frame(120, 40).textLines().joined()
        #expect(zoomed.contains("×2"))
        state.press(.character("l"), .character("l"))
        #expect(state.frame(120, 40).textLines().joined() != zoomed)
        state.press(.character("-"))
        #expect(state.frame(120, 40).textLines().joined().contains("whole run"))
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

/// Unsticking from the console: each action is confirmed with a reason, values are typed and
/// checked before anything is sent.
@Suite struct SagaActionTests {
    /// The stuck saga, its step waiting on a callback whose token its parameters carry.
    static func waitingOnACallback() -> ConsoleState {
        var snapshot = SagaFixtures.snapshot()
        let t = snapshot.executions[0].timeline.last!.timestamp
        snapshot.executions[0].timeline.append(TimelineEntry(
            id: 10, type: "TaskScheduled", timestamp: t, stateName: "ChargePayment", previousEventId: 9,
            details: ["resourceType": "sqs", "resource": "sendMessage.waitForTaskToken",
                      "parameters": #"{"QueueUrl":"q","MessageBody":{"taskToken":"tok-123"}}"#]))
        var state = ConsoleState(snapshot: snapshot, now: SagaFixtures.now, themeName: "default")
        state.press(.character("5"))
        return state
    }

    @Test func taskFailureIsTypedConfirmedAndCarriesTheReason() {
        var state = Self.waitingOnACallback()
        state.press(.character("F"))
        guard case .confirm(let dialog) = state.mode else { Issue.record("no dialog: \(state.toast?.text ?? "")"); return }
        #expect(dialog.fields.map(\.name) == ["error", "cause", "reason"])
        #expect(dialog.focus == .cancel)
        state.press(.tab, .tab, .ctrl("u"))  // to the error field, cleared
        state.type("CardExpired")
        state.press(.tab)
        state.type("customer card expired")
        state.press(.tab)
        state.type("incident 42: payment worker hung")
        #expect(state.press(.enter).isEmpty)  // Enter in a field moves to Confirm, never sends
        #expect(state.press(.enter) == [.perform(.sendTaskFailure(execution: SagaFixtures.snapshot().executions[0].arn, token: "tok-123",
                                                                  error: "CardExpired", cause: "customer card expired"),
                                                 reason: "incident 42: payment worker hung")])
    }

    @Test func taskSuccessOutputMustBeJSON() {
        var state = Self.waitingOnACallback()
        state.press(.character("Y"), .tab, .tab, .ctrl("u"))
        state.type("{not json")
        state.press(.enter)
        #expect(state.press(.enter).isEmpty)
        guard case .confirm(let dialog) = state.mode else { Issue.record("the dialog closed on bad JSON"); return }
        #expect(dialog.problem?.hasPrefix("output is not JSON") == true)
        #expect(dialog.focus == .field(0))
        let frame = state.frame(120, 40).textLines().joined(separator: "\n")
        #expect(frame.contains("output is not JSON"))
    }

    @Test func noTokenNoAction() {
        var state = ConsoleState(snapshot: SagaFixtures.snapshot(), now: SagaFixtures.now, themeName: "default")
        state.press(.character("5"), .character("F"))
        #expect(state.mode == .normal)
        #expect(state.toast?.text.contains("no task token") == true)
    }

    @Test func readOnlyRefusesUnsticking() {
        var state = Self.waitingOnACallback()
        state.readOnly = true
        state.press(.character("F"))
        #expect(state.mode == .normal)
        #expect(state.toast?.text.contains("read-only") == true)
    }

    @Test func retryAsNewUsesTheSameInput() {
        var state = Self.waitingOnACallback()
        state.press(.character("N"), .tab)
        guard case .perform(.startExecution(let machine, let input, _), _)? = state.press(.enter).first else {
            Issue.record("no start"); return
        }
        #expect(machine == SagaFixtures.machineArn)
        #expect(input.contains("ord-73e58f72"))
    }

    @Test func stopTakesATypedCause() {
        var state = Self.waitingOnACallback()
        state.press(.character("S"), .tab, .tab)
        state.type("duplicate order")
        state.press(.enter)
        guard case .perform(.stopExecution(_, let cause), _)? = state.press(.enter).first else { Issue.record("no stop"); return }
        #expect(cause == "duplicate order")
    }
}
