import JSON
import StackProtocol
import Testing

/// `BusEventFrame.encodeFrame` writes an `event` frame straight from what the bus holds when a
/// put commits: it must be byte for byte what the one encoder writes for the `BusEventFrame`
/// the bus used to build (each delivered delivery given, as `sent`, the first of its event's
/// `sent` changes naming it), for every option set.
@Suite("Event frames written from the bus's parts")
struct EventFrameFromPartsTests {
    static let envelope: JSONValue = ["version": "0", "id": "e-1", "detail-type": "t\"", "source": "shop",
                                      "detail": ["é": "\u{1}\u{202E}", "n": 1.5]]
    static let arn = "arn:aws:sqs:us-east-1:000000000000:"

    static func delivery(_ targetId: String, rule: String = "orders", bus: String = "default",
                         status: DeliveryOutcome.Status = .delivered, error: Bool = false) -> DeliveryOutcome {
        DeliveryOutcome(eventId: "e-1", bus: bus, rule: rule, targetId: targetId, targetArn: arn + targetId, status: status,
                        errorCode: error ? "Throttled\"" : nil, errorMessage: error ? "slow\ndown" : nil)
    }

    static func sent(_ targetId: String, rule: String = "orders", bus: String = "default", body: String? = nil,
                     eventText: String? = nil, messageId: String = "m-1") -> QueueMessageChange {
        QueueMessageChange.sent(queue: targetId, messageId: messageId, time: 1_700_000_000_123,
                                body: body ?? envelope.serialized,
                                sender: MessageSender(eventId: "e-1", bus: bus, rule: rule, targetId: targetId),
                                eventText: eventText)
    }

    /// The frame as the bus built it before: `attach`'s rule, then the one encoder.
    static func reference(matched: [MatchedRule], deliveries: [DeliveryOutcome], carried: [QueueMessageChange],
                          sequence: Int, withSent: Bool) -> (frame: BusEventFrame, text: String) {
        var attached = deliveries
        for index in attached.indices where attached[index].status == .delivered {
            let delivery = attached[index]
            guard let change = carried.first(where: { change in
                guard let sender = change.sender else { return false }
                return sender.targetId == delivery.targetId && sender.rule == delivery.rule && sender.bus == delivery.bus
            }) else { continue }
            attached[index].sent = DeliveredMessage(change)
        }
        let frame = BusEventFrame(bus: "default", event: EventEnvelope(envelope), matched: matched, deliveries: attached)
        return (frame, StreamFrameCodec.encode(.published(.event(frame), sequence: sequence), withSent: withSent))
    }

    /// The deliveries, rules and messages of one put, each a case the writer must get right.
    static let cases: [(name: String, matched: [MatchedRule], deliveries: [DeliveryOutcome], carried: [QueueMessageChange])] = [
        ("no rules, no deliveries", [], [], []),
        ("one delivery, its message the event itself", [MatchedRule(bus: "default", rule: "orders")], [delivery("q")],
         [sent("q", eventText: envelope.serialized)]),
        ("a transformed body, escapes and a long body clipped",
         [MatchedRule(bus: "default", rule: "orders"), MatchedRule(bus: "audit", rule: "w\"atch")],
         [delivery("q"), delivery("t\""), delivery("big")],
         [sent("q", body: "{\"é\":\"\u{1}\"}"), sent("t\"", body: "plain\ttext", messageId: "m\n2"),
          sent("big", body: String(repeating: "ü", count: 9_000))]),
        ("retrying, dead-lettered and failed deliveries carry nothing, with a message naming them",
         [MatchedRule(bus: "default", rule: "orders")],
         [delivery("q", status: .retrying, error: true), delivery("d", status: .deadLettered, error: true),
          delivery("f", status: .failed), delivery("ok")],
         [sent("q"), sent("d"), sent("f"), sent("ok", eventText: envelope.serialized)]),
        ("a message naming another rule, bus or target is not carried",
         [MatchedRule(bus: "default", rule: "orders")], [delivery("q"), delivery("r")],
         [sent("q", rule: "other"), sent("r", bus: "audit"), sent("z")]),
        ("the first message naming a delivery is the one carried", [], [delivery("q")],
         [sent("q", body: "first"), sent("q", body: "second")]),
        ("a change that is not a sent, or has no size, is not carried", [], [delivery("q"), delivery("r")],
         [QueueMessageChange(change: .received, queue: "q", messageId: "m", time: 1,
                             sender: MessageSender(eventId: "e-1", bus: "default", rule: "orders", targetId: "q"), receiveCount: 1),
          QueueMessageChange(change: .sent, queue: "r", messageId: "m", time: 1, body: "b",
                             sender: MessageSender(eventId: "e-1", bus: "default", rule: "orders", targetId: "r"))]),
        ("deliveries and no messages", [MatchedRule(bus: "default", rule: "orders")], [delivery("q"), delivery("x", error: true)], []),
    ]

    @Test("for every case and option set: byte for byte the one encoder's frame, read back as that frame, differing by option set exactly when it carries a message",
          arguments: cases.indices)
    func sameBytesAsTheEncoder(index: Int) throws {
        let (name, matched, deliveries, carried) = Self.cases[index]
        for sequence in [1, 10_000_000_000] {
            for withSent in [false, true] {
                let (frame, text) = Self.reference(matched: matched, deliveries: deliveries, carried: carried,
                                                   sequence: sequence, withSent: withSent)
                let bytes = BusEventFrame.encodeFrame(sequence: sequence, bus: "default", eventText: Self.envelope.serialized,
                                                      matched: matched, deliveries: deliveries[...], carried: carried,
                                                      withSent: withSent)
                #expect(String(decoding: bytes, as: UTF8.self) == text, "\(name), withSent \(withSent)")
                #expect(Array(text.utf8) == bytes, "\(name): byte for byte")
                // Read back by the general decoder: the frame the bus meant, or without its messages.
                var expected = frame
                if !withSent { for index in expected.deliveries.indices { expected.deliveries[index].sent = nil } }
                #expect(try StreamFrameCodec.decode(bytes: bytes) == .published(.event(expected), sequence: sequence), "\(name)")
                // Through the batch reader the console uses, too.
                #expect(try StreamFrameCodec.decodeMessage(bytes: Array("[".utf8) + bytes + Array("]".utf8))
                    == [.published(.event(expected), sequence: sequence)], "\(name)")
            }
            #expect(BusEventFrame.carriesSent(deliveries: deliveries[...], carried: carried)
                == StreamMessage.event(Self.reference(matched: matched, deliveries: deliveries, carried: carried,
                                                      sequence: sequence, withSent: true).frame).carriesSent, "\(name)")
        }
    }

    @Test("a slice of a put's deliveries (one event's run among others) is written as that event's deliveries alone")
    func deliveriesAsASlice() {
        let others = [Self.delivery("before"), Self.delivery("q"), Self.delivery("r", status: .retrying), Self.delivery("after")]
        let run = others[1..<3]
        let bytes = BusEventFrame.encodeFrame(sequence: 7, bus: "default", eventText: Self.envelope.serialized, matched: [],
                                              deliveries: run, carried: [Self.sent("q", body: "x")], withSent: true)
        #expect(String(decoding: bytes, as: UTF8.self) == Self.reference(matched: [], deliveries: Array(run),
                                                                        carried: [Self.sent("q", body: "x")], sequence: 7, withSent: true).text)
    }

    @Test("exact bytes: a delivery carrying the event itself, and one carrying a clipped body, as docs/stream.md shows them")
    func exactBytes() {
        let text = Self.envelope.serialized
        let bytes = BusEventFrame.encodeFrame(
            sequence: 42, bus: "default", eventText: text, matched: [MatchedRule(bus: "default", rule: "orders")],
            deliveries: [Self.delivery("q"), Self.delivery("x", status: .retrying, error: true)],
            carried: [Self.sent("q", eventText: text)], withSent: true)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"v":1,"type":"event","topic":"events","seq":42,"data":{"bus":"default","event":"#
            + text + #","matched":[{"bus":"default","rule":"orders"}],"deliveries":[{"bus":"default","rule":"orders","targetId":"q","targetArn":"arn:aws:sqs:us-east-1:000000000000:q","status":"delivered","sent":{"queue":"q","messageId":"m-1","time":1700000000123,"bodySize":"#
            + "\(text.utf8.count)" + #","truncated":false,"bodyIsEvent":true}},{"bus":"default","rule":"orders","targetId":"x","targetArn":"arn:aws:sqs:us-east-1:000000000000:x","status":"retrying","errorCode":"Throttled\"","errorMessage":"slow\ndown"}]}}"#)
        let clipped = BusEventFrame.encodeFrame(
            sequence: 1, bus: "b", eventText: text, matched: [], deliveries: [Self.delivery("big")],
            carried: [Self.sent("big", body: String(repeating: "ü", count: 9_000))], withSent: true)
        let expectedBody = String(repeating: "ü", count: QueueMessageChange.bodyLimit / 2)
        #expect(String(decoding: clipped, as: UTF8.self).hasSuffix(#""status":"delivered","sent":{"queue":"big","messageId":"m-1","time":1700000000123,"body":""#
            + expectedBody + #"","bodySize":18000,"truncated":true}}]}}"#))
        let plain = BusEventFrame.encodeFrame(
            sequence: 1, bus: "b", eventText: text, matched: [], deliveries: [Self.delivery("big")],
            carried: [Self.sent("big", body: "x")], withSent: false)
        #expect(!String(decoding: plain, as: UTF8.self).contains("sent"))
    }

    @Test("frames as bytes: encodeBytes is encode's UTF-8 for every frame kind, and batches group by the same rule as batchRanges")
    func bytesAndBatches() throws {
        var frames: [StreamFrame] = [.pong, .dropped(count: 3), .error(StreamFailure(code: "BadRequest", message: "no \"json\"")),
                                     .subscribed(StreamSubscribed(topics: [.events, .messages], filtered: true, buffer: 64, sentWithEvents: true))]
        frames += try Fixtures.messages().enumerated().map { .published($1, sequence: $0 + 1) }
        for frame in frames {
            for withSent in [false, true] {
                #expect(StreamFrameCodec.encodeBytes(frame, withSent: withSent) == Array(StreamFrameCodec.encode(frame, withSent: withSent).utf8))
            }
        }
        let sizes = [10, 10, 10, 100, 10, 38, 10]
        #expect(StreamFrameCodec.batchRanges(sizes: sizes, maximumBytes: 60) == [0..<3, 3..<4, 4..<6, 6..<7])
        #expect(StreamFrameCodec.batchRanges(sizes: [], maximumBytes: 60) == [])
        let texts = sizes.map { String(repeating: "x", count: $0) }
        #expect(StreamFrameCodec.batches(texts, maximumBytes: 60)
            == StreamFrameCodec.batchRanges(sizes: sizes, maximumBytes: 60).map { StreamFrameCodec.batch(Array(texts[$0])) })
    }
}
