import JSON
import Patterns
import Testing
@testable import Stack

@Suite("Stream hub")
struct StreamHubTests {
    func frames(_ subscription: StreamSubscription, _ count: Int) async -> [JSONValue] {
        var out: [JSONValue] = []
        for _ in 0..<count {
            guard let text = await subscription.next() else { break }
            out.append((try? JSONValue(parsing: text)) ?? .null)
        }
        return out
    }

    @Test("a full buffer drops frames for that viewer only, then says how many")
    func boundedBuffer() async {
        let hub = StreamHub()
        let slow = hub.subscribe(topics: ["events"], capacity: 3)
        let fast = hub.subscribe(topics: ["events"], capacity: 100)
        for index in 1...10 { hub.publish(topic: "events", type: "event", data: ["n": .number(Double(index))]) }
        #expect(slow.droppedTotal == 7)
        #expect(fast.droppedTotal == 0)
        let got = await frames(slow, 4)
        #expect(got.prefix(3).map { $0["data"]?["n"]?.intValue } == [1, 2, 3])
        #expect(got[3]["type"] == "dropped")
        #expect(got[3]["count"]?.intValue == 7)
        #expect(got[3]["v"]?.intValue == 1)
        let all = await frames(fast, 10)
        #expect(all.map { $0["data"]?["n"]?.intValue } == Array(1...10))
        #expect(all.map { $0["seq"]?.intValue } == Array(1...10))
    }

    @Test("the dropped frame sits where the gap is")
    func gapOrdering() async {
        let hub = StreamHub()
        let viewer = hub.subscribe(topics: ["events"], capacity: 2)
        for index in 1...5 { hub.publish(topic: "events", type: "event", data: ["n": .number(Double(index))]) }
        let first = await frames(viewer, 1)
        #expect(first[0]["data"]?["n"]?.intValue == 1)
        hub.publish(topic: "events", type: "event", data: ["n": 6])
        let rest = await frames(viewer, 3)
        #expect(rest[0]["data"]?["n"]?.intValue == 2)
        #expect(rest[1]["type"] == "dropped")
        #expect(rest[1]["count"]?.intValue == 3)
        #expect(rest[2]["data"]?["n"]?.intValue == 6)
    }

    @Test("topics and event patterns filter server-side")
    func filters() async throws {
        let hub = StreamHub()
        let pattern = try EventPattern(parsing: #"{"source":["payments"]}"#)
        let payments = hub.subscribe(topics: ["events"], pattern: pattern)
        let queues = hub.subscribe(topics: ["queues"])
        hub.publish(topic: "events", type: "event", data: ["n": 1], subject: ["source": "orders"])
        hub.publish(topic: "events", type: "event", data: ["n": 2], subject: ["source": "payments"])
        hub.publish(topic: "queues", type: "queue-stats", data: ["n": 3])
        #expect(payments.buffered == 1)
        #expect(queues.buffered == 1)
        #expect(await frames(payments, 1)[0]["data"]?["n"]?.intValue == 2)
        #expect(await frames(queues, 1)[0]["topic"] == "queues")
    }

    @Test("retained frames reach new subscribers; unsubscribing ends the sequence")
    func retainedAndFinish() async {
        let hub = StreamHub()
        hub.publish(topic: "queues", type: "queue-stats", data: ["n": 1], retain: true)
        hub.publish(topic: "queues", type: "queue-stats", data: ["n": 2], retain: true)
        let viewer = hub.subscribe(topics: ["queues"])
        #expect(await frames(viewer, 1)[0]["data"]?["n"]?.intValue == 2)
        #expect(hub.subscriberCount == 1)
        hub.unsubscribe(viewer)
        #expect(hub.subscriberCount == 0)
        #expect(await viewer.next() == nil)
    }

    @Test("a waiting reader is resumed by a publish")
    func waitingReader() async {
        let hub = StreamHub()
        let viewer = hub.subscribe(topics: ["events"])
        async let next = viewer.next()
        // Publish until the reader has taken one (it may not be parked yet when the first lands).
        hub.publish(topic: "events", type: "event", data: ["n": 1])
        let text = await next
        #expect(text.flatMap { try? JSONValue(parsing: $0) }?["data"]?["n"]?.intValue == 1)
    }

    @Test("subscribe messages: topics, pattern errors, ping")
    func controlMessages() async {
        let hub = StreamHub()
        let viewer = hub.subscribe(topics: [])
        StreamRoute.handle(#"{"type":"subscribe","topics":["events"],"pattern":{"source":[{"prefix":"pay"}]}}"#, subscription: viewer, hub: hub)
        StreamRoute.handle(#"{"type":"subscribe","topics":["events"],"pattern":{"source":"bad"}}"#, subscription: viewer, hub: hub)
        StreamRoute.handle("not json", subscription: viewer, hub: hub)
        StreamRoute.handle(#"{"type":"ping"}"#, subscription: viewer, hub: hub)
        let got = await frames(viewer, 4)
        #expect(got[0]["type"] == "subscribed")
        #expect(got[0]["filtered"] == true)
        #expect(got[1]["type"] == "error")
        #expect(got[1]["code"] == "InvalidEventPatternException")
        #expect(got[2]["type"] == "error")
        #expect(got[3]["type"] == "pong")
        hub.publish(topic: "events", type: "event", data: ["n": 1], subject: ["source": "payments"])
        hub.publish(topic: "events", type: "event", data: ["n": 2], subject: ["source": "orders"])
        #expect(viewer.buffered == 1)
    }
}
