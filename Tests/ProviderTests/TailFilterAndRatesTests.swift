import Foundation
import JSON
@testable import Provider
import SignalboxTestSupport
import StackClient
import StackProtocol
import Testing
import Timekeeping

/// The tail's pattern filter as the stream's subscription, and the rates counted from frames.
@Suite struct TailFilterAndRatesTests {
    static let pattern = #"{"source":["shop.payments"]}"#

    static func subscribed(filtered: Bool) throws -> StreamFrame {
        try StreamFrameCodec.decode(["v": 1, "type": "subscribed", "topics": ["events"], "filtered": .bool(filtered), "buffer": 4096] as JSONValue)
    }

    @Test("a pattern reopens the stream: events on a subscription of their own with the pattern, the other topics unfiltered; cleared, one again")
    func patternReopensTheStream() throws {
        var driver = CoreDriver()
        driver.start()
        driver.answer(try driver.takePoll(), .everything)
        driver.send(.frame(try Self.subscribed(filtered: false)))
        #expect(driver.streamOpenings == 1)
        #expect(driver.core.streamSubscriptions.map(\.topics) == [StreamTopic.all])

        let effects = driver.core.filterEvents(pattern: Self.pattern, at: driver.now)
        #expect(effects.contains { if case .openStream = $0 { true } else { false } })
        let subscriptions = driver.core.streamSubscriptions
        #expect(subscriptions.map(\.topics) == [StreamTopic.all.filter { $0 != .events }, [.events]])
        #expect(subscriptions.map(\.pattern) == [nil, Self.pattern])
        // Filtered on the stack only once the stack says so.
        #expect(driver.core.snapshot(at: driver.now).eventsFilteredOnStack == nil)
        driver.send(.frame(try Self.subscribed(filtered: false)))
        driver.send(.frame(try Self.subscribed(filtered: true)))
        #expect(driver.core.snapshot(at: driver.now).eventsFilteredOnStack == Self.pattern)
        // The same pattern again changes nothing; none returns to one subscription.
        #expect(driver.core.filterEvents(pattern: Self.pattern, at: driver.now).isEmpty)
        _ = driver.core.filterEvents(pattern: nil, at: driver.now)
        #expect(driver.core.streamSubscriptions.map(\.topics) == [StreamTopic.all])
        #expect(driver.core.snapshot(at: driver.now).eventsFilteredOnStack == nil)
    }

    static func event(_ id: String, source: String, bus: String = "shop-bus", status: DeliveryOutcome.Status = .delivered) -> StreamFrame {
        let envelope: JSONValue = ["id": .string(id), "time": "2026-11-23T05:00:00Z", "source": .string(source), "detail-type": "T", "detail": [:]]
        return .published(.event(BusEventFrame(bus: bus, event: EventEnvelope(envelope), matched: [MatchedRule(bus: bus, rule: "r")],
                                               deliveries: [DeliveryOutcome(eventId: id, bus: bus, rule: "r", targetId: "t",
                                                                            targetArn: "arn:q", status: status)])), sequence: 1)
    }

    @Test("rates: one bucket a second over 60 s per bus, source and outcome; old seconds leave the window; drops are counted apart")
    func rates() {
        let clock = ManualClock()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var rates = TrafficRates(at: clock.now)
        func record(_ frame: StreamFrame) { rates.record(frame, at: clock.now, date: start + (clock.now - MonotonicInstant(nanosecondsSinceOrigin: 0)).seconds) }
        for second in 0..<70 {
            for i in 0..<(second % 3) { record(Self.event("e\(second)-\(i)", source: i == 0 ? "shop.orders" : "shop.payments")) }
            if second == 65 { record(Self.event("x", source: "shop.shipping", bus: "other-bus", status: .failed)) }
            if second == 66 { record(.dropped(count: 4)) }
            if second == 67 { record(.published(.delivery(DeliveryOutcome(eventId: "x", bus: "other-bus", rule: "r", targetId: "t",
                                                                           targetArn: "arn:q", status: .deadLettered)), sequence: 2)) }
            clock.advance(by: .seconds(1))
        }
        // The window ends at the last second a frame was counted in (68: second 69 had none).
        let events = rates.series(\.events)
        #expect(events.count == 60)
        let expected: [Int] = (9..<69).map { (second: Int) -> Int in second % 3 + (second == 65 ? 1 : 0) }
        #expect(events == expected)
        #expect(rates.series { $0.byOutcome[.failed] ?? 0 }.reduce(0, +) == 1)
        #expect(rates.series { $0.byOutcome[.deadLettered] ?? 0 }.reduce(0, +) == 1)
        let deliveredExpected: Int = (9..<69).map { (second: Int) -> Int in second % 3 }.reduce(0, +)
        let delivered: [Int] = rates.series { (bucket: TrafficRates.Bucket) -> Int in bucket.byOutcome[.delivered] ?? 0 }
        #expect(delivered.reduce(0, +) == deliveredExpected)
        #expect(rates.dropped == 4)
        #expect(rates.busiest(\.byBus).map(\.name) == ["shop-bus", "other-bus"])
        #expect(rates.busiest(\.bySource).map(\.name) == ["shop.orders", "shop.payments", "shop.shipping"])
        // What the topology map reads: per source on a bus and per route over the newest seconds;
        // a failure reported later (the dead-lettering at 67) counts as a failure, not a delivery.
        let lastTen = rates.totals(over: 10) { $0.bySourceOnBus }
        #expect(lastTen[SourceOnBus(source: "shop.shipping", bus: "other-bus")] == 1)
        #expect(lastTen[SourceOnBus(source: "shop.orders", bus: "shop-bus")] == (59..<69).filter { $0 % 3 >= 1 }.count)
        let route = DeliveryRoute(rule: "r", target: "arn:q")
        #expect(rates.totals(over: 10) { $0.failedByRoute }[route] == 2)
        #expect(rates.totals(over: 10) { $0.byRoute }[route] == (59..<69).map { $0 % 3 }.reduce(0, +) + 1)
        #expect(rates.dropped(over: 10) == 4 && rates.dropped(over: 2) == 0)
        // A minute later with nothing new, everything has left the window.
        clock.advance(by: .seconds(60))
        #expect(rates.advanced(to: clock.now).series(\.events).allSatisfy { $0 == 0 })
        #expect(rates.advanced(to: clock.now).dropped == 0)
        // The wall-clock reading moves the window the same way.
        #expect(rates.advanced(to: start + 68 + 30).series(\.events).suffix(30).allSatisfy { $0 == 0 })
        #expect(rates.advanced(to: start + 68 + 30).series(\.events).prefix(30) == events.suffix(30))
    }

    @Test("against a running stack: a pattern filters on the stack, which confirms it; only matching events arrive")
    func filteredOnTheStack() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let provider = StackProvider(endpoint: EndpointDescription(name: "test", url: endpoint.url?.absoluteString), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), actor: "tester",
                                                                       requestTimeout: .seconds(5)))
            try await watching(provider) { watcher in
                _ = try await watcher.wait("the stream") { $0.liveStream }
                provider.filterEvents(pattern: Self.pattern)
                _ = try await watcher.wait("the stack's confirmation") { $0.eventsFilteredOnStack == Self.pattern && $0.liveStream }
                _ = try await aws.call(.eventBridge, "PutEvents", ["Entries": [
                    ["Source": "shop.orders", "DetailType": "Order Created", "Detail": #"{"orderId":"o-1"}"#],
                    ["Source": "shop.payments", "DetailType": "Payment Charged", "Detail": #"{"orderId":"o-1"}"#],
                ]])
                let snapshot = try await watcher.wait("the payment") { $0.recentEvents.contains { $0.source == "shop.payments" } }
                #expect(!snapshot.recentEvents.contains { $0.source == "shop.orders" }, "the stack sent only what matches")
                #expect(snapshot.rates.busiest(\.bySource).map(\.name) == ["shop.payments"])
                // Cleared: every event again.
                provider.filterEvents(pattern: nil)
                _ = try await watcher.wait("unfiltered") { $0.eventsFilteredOnStack == nil && $0.liveStream }
                try await Task.sleep(for: .milliseconds(300))
                _ = try await aws.call(.eventBridge, "PutEvents", ["Entries": [
                    ["Source": "shop.orders", "DetailType": "Order Created", "Detail": #"{"orderId":"o-2"}"#],
                ]])
                _ = try await watcher.wait("the order") { $0.recentEvents.contains { $0.source == "shop.orders" } }
            }
        }
    }
}
