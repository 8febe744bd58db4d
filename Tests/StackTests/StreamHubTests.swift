import JSON
import Patterns
import StackProtocol
import Testing
@testable import Stack

@Suite("Stream hub")
struct StreamHubTests {
    /// The next `count` frames, through the protocol's one decoder (which also requires `"v":1`).
    func frames(_ subscription: StreamSubscription, _ count: Int) async throws -> [StreamFrame] {
        var out: [StreamFrame] = []
        for _ in 0..<count {
            guard let text = await subscription.next() else { break }
            out.append(try StreamFrameCodec.decode(text))
        }
        return out
    }

    /// Event number `n` from `source`.
    func event(_ n: Int, source: String = "shop") -> StreamMessage {
        .event(BusEventFrame(bus: "default", event: EventEnvelope(["id": .string("e-\(n)"), "source": .string(source)]),
                             matched: [], deliveries: []))
    }

    func queues(_ visible: Int) -> StreamMessage {
        .queueStatistics(QueueStatistics(queues: [QueueCounts(name: "q", visible: visible, inFlight: 0, delayed: 0)]))
    }

    /// The event number an `event` frame carries, nil for any other frame.
    func number(_ frame: StreamFrame) -> Int? {
        guard case .published(.event(let event), _) = frame, let id = event.event.id else { return nil }
        return Int(id.dropFirst(2))
    }

    func sequence(_ frame: StreamFrame) -> Int? {
        guard case .published(_, let sequence) = frame else { return nil }
        return sequence
    }

    @Test("a full buffer drops frames for that viewer only, then says how many")
    func boundedBuffer() async throws {
        let hub = StreamHub()
        let slow = hub.subscribe(topics: [.events], capacity: 3)
        let fast = hub.subscribe(topics: [.events], capacity: 100)
        for index in 1...10 { hub.publish(event(index)) }
        #expect(slow.droppedTotal == 7)
        #expect(fast.droppedTotal == 0)
        let got = try await frames(slow, 4)
        #expect(got.prefix(3).map(number) == [1, 2, 3])
        #expect(got[3] == .dropped(count: 7))
        let all = try await frames(fast, 10)
        #expect(all.map(number) == Array(1...10))
        #expect(all.map(sequence) == Array(1...10))
    }

    @Test("a viewer with a full buffer is counted, not offered; the writer takes what is buffered at once, the dropped count last")
    func fullViewersAreCounted() async throws {
        let hub = StreamHub()
        let viewer = hub.subscribe(topics: [.events], capacity: 3)
        let other = hub.subscribe(topics: [.events], capacity: 100)
        let offered = (1...5).map { hub.publish(event($0)) }
        #expect(offered == [2, 2, 2, 1, 1])
        #expect(viewer.droppedTotal == 2 && other.droppedTotal == 0)
        let first = try #require(await viewer.nextFrame())
        let batch = try ([first] + viewer.takeBuffered()).map { bytes throws(StackProtocolError) in try StreamFrameCodec.decode(bytes: bytes) }
        #expect(batch.count == 4)
        #expect(batch.prefix(3).map(number) == [1, 2, 3])
        #expect(batch[3] == .dropped(count: 2))
    }

    @Test("a frame only full viewers would get is not built: they count it, and the sequence moves on")
    func notBuiltForFullViewers() async throws {
        let hub = StreamHub()
        let stalled = hub.subscribe(topics: [.events], capacity: 2)
        var built = 0
        for index in 1...5 {
            hub.publish(on: .events) {
                built += 1
                return event(index)
            }
        }
        #expect(built == 2, "built only while the viewer had room")
        #expect(stalled.droppedTotal == 3)
        let reader = hub.subscribe(topics: [.events], capacity: 10)
        hub.publish(on: .events) {
            built += 1
            return event(6)
        }
        #expect(built == 3, "built once for the viewer with room, shared by none other")
        let got = try await frames(reader, 1)
        #expect(got.map(number) == [6] && got.map(sequence) == [6])
    }

    @Test("queue counts are read every second while cheap, and paced by their cost over a deep backlog")
    func queueCountsArePacedByTheirCost() {
        let second = Duration.seconds(1)
        #expect(QueueStatisticsPublisher.pause(after: .milliseconds(5), interval: second) == second)
        #expect(QueueStatisticsPublisher.pause(after: .milliseconds(300), interval: second) == .milliseconds(2700))
        // However long a count takes, the publisher counts at most a tenth of the time.
        for cost in [Duration.milliseconds(120), .milliseconds(800), .seconds(4)] {
            let pause = QueueStatisticsPublisher.pause(after: cost, interval: second)
            #expect(cost * 10 <= cost + pause)
        }
    }

    @Test("who listens to a topic follows subscribing, changing topics and leaving; a viewer that left is not subscribed again")
    func listenersFollowSubscriptions() async throws {
        let hub = StreamHub()
        #expect(!hub.hasSubscribers(.events) && !hub.hasSubscribers(.messages))
        let first = hub.subscribe(topics: [.events])
        let second = hub.subscribe(topics: [.events, .messages])
        #expect(hub.hasSubscribers(.events) && hub.hasSubscribers(.messages) && !hub.hasSubscribers(.queues))
        hub.resubscribe(second, topics: [.queues], pattern: nil)
        #expect(hub.hasSubscribers(.events) && !hub.hasSubscribers(.messages) && hub.hasSubscribers(.queues))
        hub.unsubscribe(first)
        #expect(!hub.hasSubscribers(.events))
        hub.publish(event(1))
        #expect(second.buffered == 0, "its topics are only `queues` now")
        hub.publish(queues(1))
        #expect(try await frames(second, 1) == [.published(queues(1), sequence: 1)])
        hub.unsubscribe(second)
        hub.resubscribe(second, topics: [.events], pattern: nil)
        #expect(hub.subscriberCount == 0 && !hub.hasSubscribers(.events), "a viewer that left stays gone")
        #expect(hub.publish(event(2)) == 0)
        #expect(hub.publishedCount == 3, "every frame published is counted, read or not")
    }

    @Test("the dropped frame sits where the gap is")
    func gapOrdering() async throws {
        let hub = StreamHub()
        let viewer = hub.subscribe(topics: [.events], capacity: 2)
        for index in 1...5 { hub.publish(event(index)) }
        let first = try await frames(viewer, 1)
        #expect(number(first[0]) == 1)
        hub.publish(event(6))
        let rest = try await frames(viewer, 3)
        #expect(number(rest[0]) == 2)
        #expect(rest[1] == .dropped(count: 3))
        #expect(number(rest[2]) == 6)
    }

    @Test("topics and event patterns filter server-side")
    func filters() async throws {
        let hub = StreamHub()
        let pattern = try EventPattern(parsing: #"{"source":["payments"]}"#)
        let payments = hub.subscribe(topics: [.events], pattern: pattern)
        let queueViewer = hub.subscribe(topics: [.queues])
        hub.publish(event(1, source: "orders"), subject: ["source": "orders"])
        hub.publish(event(2, source: "payments"), subject: ["source": "payments"])
        hub.publish(queues(3))
        #expect(payments.buffered == 1)
        #expect(queueViewer.buffered == 1)
        #expect(number(try await frames(payments, 1)[0]) == 2)
        #expect(try await frames(queueViewer, 1)[0] == .published(queues(3), sequence: 1))
    }

    @Test("retained frames reach new subscribers; unsubscribing ends the sequence")
    func retainedAndFinish() async throws {
        let hub = StreamHub()
        hub.publish(queues(1), retain: true)
        hub.publish(queues(2), retain: true)
        let viewer = hub.subscribe(topics: [.queues])
        #expect(try await frames(viewer, 1)[0] == .published(queues(2), sequence: 2))
        #expect(hub.subscriberCount == 1)
        hub.unsubscribe(viewer)
        #expect(hub.subscriberCount == 0)
        #expect(await viewer.next() == nil)
    }

    @Test("a waiting reader is resumed by a publish")
    func waitingReader() async throws {
        let hub = StreamHub()
        let viewer = hub.subscribe(topics: [.events])
        async let next = viewer.next()
        // Publish until the reader has taken one (it may not be parked yet when the first lands).
        hub.publish(event(1))
        let text = try #require(await next)
        #expect(number(try StreamFrameCodec.decode(text)) == 1)
    }

    @Test("subscribe messages: topics, pattern errors, ping")
    func controlMessages() async throws {
        let hub = StreamHub()
        let viewer = hub.subscribe(topics: [])
        let filtered = StreamRequest.subscribe(topics: [.events], pattern: ["source": [["prefix": "pay"]]])
        StreamRoute.handle(filtered.text, subscription: viewer, hub: hub)
        StreamRoute.handle(StreamRequest.subscribe(topics: [.events], pattern: ["source": "bad"]).text, subscription: viewer, hub: hub)
        StreamRoute.handle("not json", subscription: viewer, hub: hub)
        StreamRoute.handle(StreamRequest.ping.text, subscription: viewer, hub: hub)
        let got = try await frames(viewer, 4)
        #expect(got[0] == .subscribed(StreamSubscribed(topics: [.events], filtered: true, buffer: StreamHub.defaultCapacity)))
        guard case .error(let patternError) = got[1] else { Issue.record("expected an error, got \(got[1])"); return }
        #expect(patternError.code == "InvalidEventPatternException")
        #expect(got[2].type == "error")
        #expect(got[3] == .pong)
        hub.publish(event(1, source: "payments"), subject: ["source": "payments"])
        hub.publish(event(2, source: "orders"), subject: ["source": "orders"])
        #expect(viewer.buffered == 1)
    }

    @Test("sentWithEvents: a delivery's message rides in its event's frame for a viewer that asked (with both topics, the event reaching it); every other viewer gets the sent frame and the event as before")
    func sentWithEvents() async throws {
        let hub = StreamHub()
        func subscribe(_ topics: [StreamTopic], pattern: JSONValue? = nil, sentWithEvents: Bool) -> StreamSubscription {
            let viewer = hub.subscribe(topics: [])
            StreamRoute.handle(StreamRequest.subscribe(topics: topics, pattern: pattern, sentWithEvents: sentWithEvents).text,
                               subscription: viewer, hub: hub)
            return viewer
        }
        let asked = subscribe([.events, .messages], sentWithEvents: true)
        let plain = subscribe([.events, .messages], sentWithEvents: false)
        // Asked, but this event does not match its pattern: the message comes as a frame.
        let elsewhere = subscribe([.events, .messages], pattern: ["source": ["billing"]], sentWithEvents: true)
        // Asked without `events`: nothing to carry it.
        let messagesOnly = subscribe([.messages], sentWithEvents: true)
        var acks: [StreamFrame] = []
        for viewer in [asked, plain, elsewhere, messagesOnly] { acks += try await frames(viewer, 1) }
        #expect(acks.map { frame -> Bool? in if case .subscribed(let ack) = frame { ack.sentWithEvents } else { nil } } == [true, false, true, false],
                "in force for the pattern's events; not without `events`")
        #expect(StreamFrameCodec.encode(acks[0]).hasSuffix(#","sentWithEvents":true}"#))
        #expect(!StreamFrameCodec.encode(acks[1]).contains("sentWithEvents"), "a viewer that did not ask reads the same acknowledgement as before")

        let envelope: JSONValue = ["id": "e-1", "source": "shop"]
        let sender = MessageSender(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q")
        let sent = QueueMessageChange.sent(queue: "orders", messageId: "m-1", time: 1_000, body: envelope.serialized, sender: sender,
                                           eventText: envelope.serialized)
        let delivery = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q",
                                       targetArn: "arn:aws:sqs:us-east-1:000000000000:orders", status: .delivered)
        var carrying = delivery
        carrying.sent = DeliveredMessage(sent)
        hub.publish(sent: sent, carriedBy: envelope)
        hub.publish(on: .events, subject: envelope) {
            .event(BusEventFrame(bus: "default", event: EventEnvelope(envelope), matched: [], deliveries: [carrying]))
        }
        let unchanged = StreamFrameCodec.encode(.published(.event(BusEventFrame(bus: "default", event: EventEnvelope(envelope),
                                                                                 matched: [], deliveries: [delivery])), sequence: 1))

        #expect(asked.buffered == 1, "one frame for the event and its message")
        let one = try #require(await asked.next())
        #expect(try StreamFrameCodec.decode(one) == .published(.event(BusEventFrame(
            bus: "default", event: EventEnvelope(envelope), matched: [], deliveries: [carrying])), sequence: 1))
        #expect(one.contains(#""sent":{"queue":"orders","messageId":"m-1","time":1000,"bodySize":"#))

        #expect(plain.buffered == 2)
        #expect(try await frames(plain, 1) == [.published(.message(sent), sequence: 1)])
        #expect(await plain.next() == unchanged, "byte for byte the event frame a viewer without the option always got")
        #expect(try await frames(elsewhere, 1) == [.published(.message(sent), sequence: 1)])
        #expect(elsewhere.buffered == 0)
        #expect(try await frames(messagesOnly, 1) == [.published(.message(sent), sequence: 1)])

        // The next message frame continues the topic's count: the asked viewer sees the gap.
        hub.publish(.message(QueueMessageChange(change: .deleted, queue: "orders", messageId: "m-1", time: 2_000)))
        #expect(try await frames(asked, 1).map(sequence) == [2])
    }
}
