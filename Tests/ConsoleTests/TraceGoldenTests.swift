import Foundation
import JSON
import SagaTimeline
import SignalboxTestSupport
import StackProtocol
import Terminal
import Testing
@testable import Console
@testable import Provider

/// The Trace pane on what the real stack's stream said during a `signalbox serve --demo
/// --chaos payment.error=0.4,shipping.error=0.3` run (`Sagas/demo-stream-trace.jsonl`: 141
/// frames as `signalbox tail --topics events,executions,breakers,messages --format json`
/// printed them, from the middle of the run), replayed through the provider's live state.
@Suite struct TraceGoldenTests {
    static let sizes = [(80, 24), (120, 40), (200, 60)]
    /// Order Created, the saga, Payment Charged, Order Shipped.
    static let shipped = "ord-d32e8e6c"
    /// Payment charged, shipping failed: refunded and released (the payment breaker half-opened meanwhile).
    static let compensated = "ord-4e193a99"

    static let frames: [StreamFrame] = {
        let url = Bundle.module.url(forResource: "demo-stream-trace", withExtension: "jsonl", subdirectory: "Sagas")!
        return try! String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try StreamFrameCodec.decode(String($0)) }
    }()

    /// One second after the last frame.
    static let now: Date = {
        var last = 0.0
        for case .published(let message, _) in frames {
            if case .message(let change) = message { last = max(last, Double(change.time) / 1000) }
        }
        return Date(timeIntervalSince1970: last + 1)
    }()

    static func snapshot() -> SystemSnapshot {
        var live = LiveState(eventLimit: 500, timelineLimit: 1000)
        _ = live.apply(frame: .subscribed(StreamSubscribed(topics: StreamTopic.all, filtered: false, buffer: 4096)))
        for frame in frames { _ = live.apply(frame: frame) }
        var snapshot = live.snapshot(connection: .connected(since: now.addingTimeInterval(-60)),
                                     endpoint: EndpointDescription(name: "local", url: "http://127.0.0.1:4599"), at: now)
        snapshot.liveStream = true
        snapshot.stateMachines = [StateMachine(name: "order-saga", arn: SagaFixtures.machineArn, definition: Fixtures.orderSagaDefinition)]
        return snapshot
    }

    static func traced(_ key: String, snapshot: SystemSnapshot = snapshot()) -> ConsoleState {
        var state = ConsoleState(snapshot: snapshot, now: now, themeName: "default")
        state.press(.character(":"))
        state.type("trace " + key)
        state.press(.enter)
        return state
    }

    /// Moves the selection to the first entry whose line holds `text`, then presses Enter.
    static func unfold(_ state: inout ConsoleState, entryWith text: String) {
        for _ in 0..<40 {
            let lines = state.frame(200, 60).textLines()
            if lines.contains(where: { $0.contains("▶") && $0.contains(text) }) { break }
            state.press(.character("j"))
        }
        state.press(.enter)
    }

    @Test(arguments: sizes) func anOrderThatShipped(columns: Int, rows: Int) {
        Golden.check(Self.traced(Self.shipped).frame(columns, rows), "trace-shipped-\(columns)x\(rows)")
    }

    @Test(arguments: sizes) func anOrderThatCompensated(columns: Int, rows: Int) {
        var state = Self.traced(Self.compensated)
        Self.unfold(&state, entryWith: "SAGA")
        Golden.check(state.frame(columns, rows), "trace-compensated-\(columns)x\(rows)")
    }

    @Test func theShippedOrderIsTracedFromItsEventsThroughItsMessagesAndSaga() {
        let text = Self.traced(Self.shipped).frame(200, 60).textLines().joined(separator: "\n")
        for expected in ["EVENT   shop-bus  shop.orders  Order Created", "Order Shipped", "MESSAGE notification", "MESSAGE analytics",
                         "SAGA    order-saga", "SUCCEEDED", "deleted (consumed)", "[$.orderId]", "[$.detail.orderId]"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        // Another order's entries are not tied to this key.
        #expect(!text.contains(Self.compensated))
    }

    @Test func theCompensatedOrderShowsItsCompensationAndTheBreakerChangeMeanwhile() {
        var state = Self.traced(Self.compensated)
        Self.unfold(&state, entryWith: "SAGA")
        let text = state.frame(200, 60).textLines().joined(separator: "\n")
        for expected in ["Payment Refunded", "Inventory Released", "CompensatePayment", "BREAKER payment → payment-gateway", "[window]"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
    }

    @Test func tOnASagaRowTracesItsKey() throws {
        var state = ConsoleState(snapshot: Self.snapshot(), now: Self.now, themeName: "default")
        state.press(.character("5"))
        let selected = try #require(state.targetRow()?.typed(String.self))
        let key = try #require(SagaBoard.of(state.snapshot, settings: SagaSettings(), now: Self.now).saga(selected)?.businessKey)
        state.press(.character("t"))
        #expect(state.focusedPane == .trace)
        #expect(state.paneState(.trace).filter == key)
        // Esc comes back to the Sagas pane.
        state.press(.escape)
        #expect(state.focusedPane == .sagas)
    }

    @Test func tOnAFlowsRowTracesItsEventsKey() throws {
        var state = ConsoleState(snapshot: Self.snapshot(), now: Self.now, themeName: "default")
        // The tail starts on its newest event.
        state.press(.character("2"), .character("t"))
        #expect(state.focusedPane == .trace)
        let newest = try #require(state.snapshot.recentEvents.last)
        #expect(state.paneState(.trace).filter == newest.detail["orderId"]?.stringValue)
    }

    @Test func tOnAQueueRowTracesItsNewestKeyedMessage() {
        var snapshot = Self.snapshot()
        snapshot.queues = [Queue(name: "notification", url: "http://127.0.0.1:4599/000000000000/notification",
                                 arn: "arn:aws:sqs:us-east-1:000000000000:notification")]
        var state = ConsoleState(snapshot: snapshot, now: Self.now, themeName: "default")
        state.press(.character("3"), .character("t"))
        #expect(state.focusedPane == .trace)
        let newest = snapshot.recentMessages.messages.last { $0.queue == "notification" && $0.body != nil }
        let key = newest.flatMap { try? JSONValue(parsing: $0.body!) }?["detail"]?["orderId"]?.stringValue
        #expect(key != nil && state.paneState(.trace).filter == key)
    }

    @Test func tWhereNothingCarriesAKeySaysSo() {
        var state = ConsoleState(snapshot: Self.snapshot(), now: Self.now, themeName: "default")
        state.press(.character("4"), .character("t"))
        #expect(state.focusedPane != .trace)
        #expect(state.toast?.text.hasPrefix("nothing to trace") == true)
    }

    @Test func aKeyWithControlAndBidiCharactersIsShownSanitisedAndMatchedAsTyped() {
        let key = "ord-\u{202E}evil\u{1B}[31m"
        let text = Self.traced(key).frame(120, 40).textLines().joined(separator: "\n")
        #expect(!text.contains("\u{202E}") && !text.contains("\u{1B}"))
        #expect(text.contains("Nothing held carries this key."))
    }

    @Test func aKeyThatThousandsOfEventsCarryIsBoundedAndCounted() {
        let base = Self.now
        let events = (0..<2_000).map { index in
            FlowEvent(id: "e-\(index)", time: base.addingTimeInterval(Double(index) / 1000), eventBusName: "shop-bus", source: "shop.orders",
                      detailType: "Order Updated", detail: ["orderId": "ord-hot", "n": .number(Double(index))])
        }
        let snapshot = SystemSnapshot(connection: .connected(since: base), endpoint: EndpointDescription(name: "local"), takenAt: base,
                                      recentEvents: EventRing(events), liveStream: true)
        let text = Self.traced("ord-hot", snapshot: snapshot).frame(120, 40).textLines().joined(separator: "\n")
        #expect(text.contains("showing the newest \(TracePane.entryLimit) of 2000 entries"))
        #expect(text.contains("2000 events"))
    }

    @Test func withoutTheStreamThePaneSaysWhatItCannotShow() {
        var snapshot = Self.snapshot()
        snapshot.liveStream = false
        let text = Self.traced(Self.shipped, snapshot: snapshot).frame(200, 60).textLines().joined(separator: "\n")
        #expect(text.contains("no live stream from this endpoint"))
    }
}
