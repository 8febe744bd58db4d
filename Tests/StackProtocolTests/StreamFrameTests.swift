import Foundation
import JSON
import StackProtocol
import Testing

@Suite("Stream frames through the one encoder and decoder")
struct StreamFrameTests {
    @Test("every control frame survives encode then decode")
    func controlFrames() throws {
        let frames: [StreamFrame] = [
            .subscribed(StreamSubscribed(topics: [.events, .queues], filtered: true, buffer: 256)),
            .subscribed(StreamSubscribed(topics: [], filtered: false, buffer: 1)),
            .error(StreamFailure(code: "InvalidEventPatternException", message: "bad \"pattern\"")),
            .pong,
            .dropped(count: 7),
        ]
        for frame in frames {
            #expect(try StreamFrameCodec.decode(StreamFrameCodec.encode(frame)) == frame)
        }
    }

    @Test("every published message type survives encode then decode, with its topic and sequence")
    func publishedFrames() throws {
        for (index, message) in try Fixtures.messages().enumerated() {
            let frame = StreamFrame.published(message, sequence: index + 1)
            let text = StreamFrameCodec.encode(frame)
            let decoded = try StreamFrameCodec.decode(text)
            #expect(decoded == frame, "\(text)")
            guard case .published(let back, let sequence) = decoded else { continue }
            #expect(back.type == message.type)
            #expect(back.topic == message.topic)
            #expect(sequence == index + 1)
        }
    }

    @Test("a batch is a JSON array of frames that decodes to them in order; a single frame is a batch of one")
    func batches() throws {
        let messages = try Fixtures.messages()
        let frames = messages.enumerated().map { StreamFrame.published($1, sequence: $0 + 1) } + [.dropped(count: 2), .pong]
        let batch = StreamFrameCodec.batch(frames.map(StreamFrameCodec.encode))
        #expect(batch.hasPrefix("[{"))
        #expect(try StreamFrameCodec.decodeMessage(batch) == frames)
        #expect(try StreamFrameCodec.decodeMessage(StreamFrameCodec.encode(.pong)) == [.pong])
    }

    @Test("frames are split into batch messages under the size limit, in order; a larger frame goes alone")
    func batchSizes() throws {
        let small = StreamFrameCodec.encode(.pong)                                   // 22 bytes
        let large = StreamFrameCodec.encode(.error(StreamFailure(code: "x", message: String(repeating: "a", count: 200))))
        let messages = StreamFrameCodec.batches([small, small, small, large, small], maximumBytes: 60)
        #expect(messages == [StreamFrameCodec.batch([small, small]), StreamFrameCodec.batch([small]),
                             StreamFrameCodec.batch([large]), StreamFrameCodec.batch([small])])
        #expect(messages.dropLast().allSatisfy { $0.utf8.count <= 60 || $0 == StreamFrameCodec.batch([large]) })
        #expect(try messages.flatMap(StreamFrameCodec.decodeMessage).count == 5)
    }

    @Test("a batch member that cannot be read becomes an error frame in its place; the others are kept")
    func batchWithAnUnreadableMember() throws {
        let text = "[" + StreamFrameCodec.encode(.pong) + #",{"v":2,"type":"pong"},"# + StreamFrameCodec.encode(.dropped(count: 1)) + "]"
        let frames = try StreamFrameCodec.decodeMessage(text)
        #expect(frames.count == 3)
        #expect(frames.first == .pong)
        #expect(frames.last == .dropped(count: 1))
        guard case .error(let failure) = frames[1] else {
            Issue.record("expected an error frame, got \(frames[1])")
            return
        }
        #expect(failure.code == StreamFailure.unreadableCode)
        #expect(failure.message.hasPrefix("batch[1]: v 2 is not a stream version"))
        #expect(throws: StackProtocolError.self) { try StreamFrameCodec.decodeMessage("[{") }
    }

    @Test("the encoder writes version 1 byte for byte as the stack always has")
    func bytes() throws {
        #expect(StreamFrameCodec.encode(.dropped(count: 3)) == #"{"v":1,"type":"dropped","count":3}"#)
        #expect(StreamFrameCodec.encode(.pong) == #"{"v":1,"type":"pong"}"#)
        #expect(StreamFrameCodec.encode(.subscribed(StreamSubscribed(topics: ["events"], filtered: false, buffer: 1024)))
            == #"{"v":1,"type":"subscribed","topics":["events"],"filtered":false,"buffer":1024}"#)
        #expect(StreamFrameCodec.encode(.error(StreamFailure(code: "BadRequest", message: "Messages must be JSON objects.")))
            == #"{"v":1,"type":"error","code":"BadRequest","message":"Messages must be JSON objects."}"#)
        // Data frames: the members in the order version 1 documents, as JSONValue would write them.
        for (index, message) in try Fixtures.messages().enumerated() {
            let expected = JSONValue.object(["v": 1, "type": .string(message.type), "topic": .string(message.topic.rawValue),
                                             "seq": .number(Double(index)), "data": message.data]).serialized
            #expect(StreamFrameCodec.encode(.published(message, sequence: index)) == expected)
        }
        let event = StreamFrameCodec.encode(.published(.event(Fixtures.event), sequence: 1))
        #expect(event.hasPrefix(#"{"v":1,"type":"event","topic":"events","seq":1,"data":{"bus":"default","event":{"version":"0","id":"e-1""#))
        #expect(event.hasSuffix(#""status":"dead-lettered","errorCode":"QueueDoesNotExist","errorMessage":"gone \"quoted\"\n"}]}}"#))
        let delivery = StreamFrameCodec.encode(.published(.delivery(Fixtures.delivered), sequence: 2))
        #expect(delivery == #"{"v":1,"type":"delivery","topic":"events","seq":2,"data":{"bus":"default","rule":"orders","targetId":"q","targetArn":"arn:aws:sqs:us-east-1:000000000000:orders","status":"delivered","eventId":"e-1"}}"#)
    }

    @Test("an event frame reuses the envelope's text made when the event was put")
    func envelopeText() throws {
        let text = Fixtures.envelope.serialized
        let frame = BusEventFrame(bus: "default", event: EventEnvelope(Fixtures.envelope, serialized: text), matched: [], deliveries: [])
        let encoded = StreamFrameCodec.encode(.published(.event(frame), sequence: 9))
        #expect(encoded.contains(#""event":"# + text + #","matched":[]"#))
        #expect(try StreamFrameCodec.decode(encoded) == .published(.event(frame), sequence: 9))
    }

    @Test("frames that are not version 1's shape are refused with the member named", arguments: [
        (#"{"v":2,"type":"pong"}"#, "v 2"),
        (#"{"type":"pong"}"#, "v is required"),
        (#"{"v":1,"type":"dropped"}"#, "count is required"),
        (#"{"v":1,"type":"event","topic":"events","seq":1,"data":{"bus":"default","event":{}}}"#, "data.event"),
        (#"{"v":1,"type":"queue-stats","topic":"queues","seq":1,"data":{"queues":[{"name":"q","visible":"3"}]}}"#,
         "data.queues[0].visible"),
        (#"{"v":1,"type":"delivery","topic":"events","seq":1,"data":{"eventId":"e","bus":"b","rule":"r","targetId":"t","targetArn":"a","status":"lost"}}"#,
         "data.status"),
        (#"{"v":1,"type":"breaker","topic":"breakers","seq":1,"data":{"breaker":{"version":1},"reportedAt":1}}"#, "breaker"),
        ("not json", "must be JSON"),
    ])
    func refused(text: String, named: String) {
        #expect {
            _ = try StreamFrameCodec.decode(text)
        } throws: { error in
            (error as? StackProtocolError)?.message.contains(named) == true
        }
    }

    @Test("viewer requests: subscribe with and without a pattern, ping, and what is refused")
    func requests() throws {
        let requests: [StreamRequest] = [
            .subscribe(topics: StreamTopic.all, pattern: nil),
            .subscribe(topics: [.events], pattern: ["source": ["shop.orders"]]),
            .subscribe(topics: [.events], pattern: #"{"source":["shop.orders"]}"#),
            .subscribe(topics: [.events, .messages], pattern: nil, sentWithEvents: true),
            .ping,
        ]
        for request in requests { #expect(try StreamRequest(text: request.text) == request) }
        #expect(StreamRequest.subscribe(topics: [.events], pattern: nil).text == #"{"type":"subscribe","topics":["events"]}"#)
        #expect(StreamRequest.subscribe(topics: [.events], pattern: nil, sentWithEvents: true).text
            == #"{"type":"subscribe","topics":["events"],"sentWithEvents":true}"#)
        #expect(try StreamRequest(text: #"{"type":"subscribe","topics":["events"],"sentWithEvents":false}"#)
            == .subscribe(topics: [.events], pattern: nil))
        #expect(try StreamRequest(text: #"{"type":"subscribe","topics":["events"],"pattern":null}"#)
            == .subscribe(topics: [.events], pattern: nil))
        for (text, message) in [("[]", "Messages must be JSON objects."),
                                (#"{"type":"subscribe","topics":[1]}"#, "subscribe needs \"topics\": a list of topic names."),
                                (#"{"type":"subscribe","topics":[],"sentWithEvents":1}"#, "subscribe's \"sentWithEvents\" must be true or false."),
                                (#"{"type":"shout"}"#, "Unknown message type; expected subscribe or ping.")] {
            #expect(throws: StreamFailure(code: "BadRequest", message: message)) { try StreamRequest(text: text) }
        }
    }

    @Test("event frames read from a batch without parsing their envelopes equal the general decoder's, envelope text kept")
    func eventFramesReadLazily() throws {
        let frame = StreamFrame.published(.event(Fixtures.event), sequence: 41)
        let text = StreamFrameCodec.encode(frame)
        let slow = try StreamFrameCodec.decode(text)
        for decoded in [try StreamFrameCodec.decodeMessage(text), try StreamFrameCodec.decodeMessage("[" + text + "," + text + "]")] {
            #expect(decoded.allSatisfy { $0 == slow })
            guard case .published(.event(let event), 41)? = decoded.first else { Issue.record("not an event: \(decoded)"); continue }
            #expect(event.event.text == Fixtures.envelope.serialized)
            #expect(event.event.summary == EventEnvelope.Summary(id: "e-1", source: "shop.orders", detailType: "Order Placed",
                                                                  time: "2026-12-06T09:00:00Z", resources: []))
            #expect(event.event.value == Fixtures.envelope)
            #expect(event.deliveries == Fixtures.event.deliveries)
        }
    }

    @Test("an event frame that is not quite well formed is left to the general decoder: the same frame or the same error")
    func oddEventFramesFallBack() throws {
        let good = StreamFrameCodec.encode(.published(.event(Fixtures.event), sequence: 1))
        let odd = [
            good.replacingOccurrences(of: #""errorCode":"QueueDoesNotExist""#, with: #""errorCode":7"#),
            good.replacingOccurrences(of: #""status":"delivered""#, with: #""status":"lost""#),
            good.replacingOccurrences(of: #""id":"e-1""#, with: #""id":1"#),
            good.replacingOccurrences(of: #""topic":"events""#, with: #""topic":"elsewhere""#),
            good.replacingOccurrences(of: #""seq":1"#, with: #""seq":1.5"#),
            good.replacingOccurrences(of: #"{"v":1"#, with: #"{"v":2"#),
            good.replacingOccurrences(of: #""matched":["#, with: #""matched":[3,"#),
        ]
        for text in odd {
            try Self.expectReadAsTheGeneralDecoderReadsIt(text)
        }
    }

    @Test("message frames read from a batch equal the general decoder's; odd ones fall back to it, with the same frame or error")
    func messageFramesReadFromTheDocument() throws {
        let changes: [QueueMessageChange] = [
            .sent(queue: "orders", messageId: "m-1", time: 1, body: "x", sender: MessageSender(eventId: "e", bus: "b", rule: "r", targetId: "t"),
                  eventText: "x"),
            .sent(queue: "orders", messageId: "m-2", time: 2, body: String(repeating: "é", count: 9000)),
            QueueMessageChange(change: .deadLettered, queue: "q", messageId: "m-3", time: 3, receiveCount: 4, deadLetterQueue: "dlq"),
        ]
        #expect(changes[0].bodyIsEvent && changes[1].truncated)
        let texts = changes.enumerated().map { StreamFrameCodec.encode(.published(.message($1), sequence: $0)) }
        #expect(try StreamFrameCodec.decodeMessage("[" + texts.joined(separator: ",") + "]")
            == changes.enumerated().map { .published(.message($1), sequence: $0) })

        let good = texts[2]
        let odd = [
            good.replacingOccurrences(of: #""receiveCount":4"#, with: #""receiveCount":null"#),
            good.replacingOccurrences(of: #""receiveCount":4"#, with: #""receiveCount":"4""#),
            good.replacingOccurrences(of: #""change":"dead-lettered""#, with: #""change":"lost""#),
            good.replacingOccurrences(of: #""time":3"#, with: #""time":3.5"#),
            good.replacingOccurrences(of: #""deadLetterQueue":"dlq""#, with: #""deadLetterQueue":null"#),
            texts[0].replacingOccurrences(of: #""bodyIsEvent":true"#, with: #""bodyIsEvent":1"#),
            texts[0].replacingOccurrences(of: #""rule":"r""#, with: #""rule":7"#),
            texts[1].replacingOccurrences(of: #""truncated":true"#, with: #""truncated":null"#),
        ]
        for text in odd {
            #expect(text != good && !texts.contains(text))
            try Self.expectReadAsTheGeneralDecoderReadsIt(text)
        }
    }

    @Test("execution and history frames read from a batch equal the general decoder's; odd ones fall back to it, with the same frame or error")
    func executionFramesReadFromTheDocument() throws {
        let messages = try Fixtures.messages().filter { $0.topic == .executions }
        #expect(messages.count == 3)
        let texts = messages.enumerated().map { StreamFrameCodec.encode(.published($1, sequence: $0)) }
        #expect(try StreamFrameCodec.decodeMessage("[" + texts.joined(separator: ",") + "]")
            == messages.enumerated().map { .published($1, sequence: $0) })
        for text in texts { try Self.expectReadAsTheGeneralDecoderReadsIt(text) }

        let running = texts[0], failed = texts[1], history = texts[2]
        let odd = [
            running.replacingOccurrences(of: #""redriveCount":0"#, with: #""redriveCount":0.5"#),
            running.replacingOccurrences(of: #""redriveCount":0"#, with: #""redriveCount":null"#),
            running.replacingOccurrences(of: #""status":"RUNNING""#, with: #""status":null"#),
            running.replacingOccurrences(of: #""startDate":1800000000.123"#, with: #""startDate":"1800000000.123""#),
            failed.replacingOccurrences(of: #""stopDate":1800000004.5"#, with: #""stopDate":null"#),
            failed.replacingOccurrences(of: #""stopDate":1800000004.5"#, with: #""stopDate":true"#),
            failed.replacingOccurrences(of: #""error":"Payment.Declined""#, with: #""error":null"#),
            failed.replacingOccurrences(of: #""cause":"card expired""#, with: #""cause":4"#),
            history.replacingOccurrences(of: #""event":{"#, with: #""event":7,"later":{"#),
            history.replacingOccurrences(of: #""name":"o-1""#, with: #""name":1"#),
            history.replacingOccurrences(of: #""status":"RUNNING""#, with: #""status":"RUNNING","status":"SUCCEEDED""#),
            history.replacingOccurrences(of: #""topic":"executions""#, with: #""topic":"events""#),
        ]
        for text in odd {
            #expect(!texts.contains(text), "\(text)")
            try Self.expectReadAsTheGeneralDecoderReadsIt(text)
        }
    }

    @Test("message frames written straight to bytes are byte for byte their JSON value's text")
    func messageFramesWrittenAsBytes() throws {
        let odd = QueueMessageChange.sent(queue: "q\"\u{1}é", messageId: "m\n", time: -5, body: "\u{202E}x\\",
                                          sender: MessageSender(eventId: "e\"", bus: "b", rule: "r/1", targetId: "t"))
        for message in try Fixtures.messages() + [.message(odd)] {
            guard case .message = message else { continue }
            #expect(StreamFrameCodec.encode(.published(message, sequence: 1))
                == #"{"v":1,"type":"message","topic":"messages","seq":1,"data":"# + message.data.serialized + "}")
        }
    }

    @Test("numbers written as digits are byte for byte JSONValue's: times, sizes and counts of every magnitude, sequences as their decimal")
    func numbersWrittenAsDigits() throws {
        let exact: Int64 = 1 << 53
        let values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 1_796_668_152_577, -1_796_668_152_577, exact - 1, exact,
                               exact + 1, -exact - 1, 9_999_999_999_999_999, 10_000_000_000_000_000, .max, .min]
        for value in values {
            let change = QueueMessageChange(change: .received, queue: "q", messageId: "m", time: value, bodySize: Int(value),
                                            receiveCount: Int(value))
            #expect(StreamFrameCodec.encode(.published(.message(change), sequence: 1))
                == #"{"v":1,"type":"message","topic":"messages","seq":1,"data":"# + change.json.serialized + "}")
            var delivery = Fixtures.delivered
            delivery.sent = DeliveredMessage(queue: "q", messageId: "m", time: value, bodySize: Int(value))
            let event = BusEventFrame(bus: "default", event: EventEnvelope(Fixtures.envelope), matched: [], deliveries: [delivery])
            let text = StreamFrameCodec.encode(.published(.event(event), sequence: 1))
            let sent = try #require(delivery.sent)
            #expect(text.contains(#""sent":"# + sent.json.serialized + "}"), "\(value)")
            let sequence = Int(value)
            #expect(StreamFrameCodec.encode(.published(.message(change), sequence: sequence)).contains(#","seq":\#(sequence),"data":"#))
            #expect(StreamFrameCodec.encode(.dropped(count: sequence)) == #"{"v":1,"type":"dropped","count":\#(sequence)}"#)
        }
    }

    @Test("deliveries carrying the messages they wrote (sentWithEvents): written as their JSON value, read from a batch as the general decoder reads them, left out for other viewers")
    func eventFramesCarryingSent() throws {
        var raw = Fixtures.delivered
        raw.sent = DeliveredMessage(queue: "orders", messageId: "m-1", time: 1_700, bodySize: 321, bodyIsEvent: true)
        var transformed = Fixtures.delivered
        transformed.targetId = "t\""
        transformed.sent = DeliveredMessage(queue: "audit", messageId: "m\n2", time: 1_701, body: "{\"é\":\"\u{1}\"}",
                                            bodySize: 40_000, truncated: true)
        let event = BusEventFrame(bus: "default", event: EventEnvelope(Fixtures.envelope), matched: Fixtures.event.matched,
                                  deliveries: [raw, transformed, Fixtures.deadLettered])
        let message = StreamMessage.event(event)
        #expect(message.carriesSent && !StreamMessage.event(Fixtures.event).carriesSent)
        let text = StreamFrameCodec.encode(.published(message, sequence: 3))
        #expect(text == #"{"v":1,"type":"event","topic":"events","seq":3,"data":"# + message.data.serialized + "}")
        #expect(text.contains(#""status":"delivered","sent":{"queue":"orders","messageId":"m-1","time":1700,"bodySize":321,"truncated":false,"bodyIsEvent":true}}"#))

        let general = try StreamFrameCodec.decode(text)
        #expect(general == .published(message, sequence: 3))
        #expect(try StreamFrameCodec.decodeMessage("[" + text + "]") == [general])

        // Without: byte for byte the frame of the same deliveries carrying nothing.
        let plain = StreamFrameCodec.encode(.published(message, sequence: 3), withSent: false)
        var bare = event
        for index in bare.deliveries.indices { bare.deliveries[index].sent = nil }
        #expect(plain == StreamFrameCodec.encode(.published(.event(bare), sequence: 3)))

        #expect(transformed.sent?.change(sender: transformed.sender)
            == QueueMessageChange(change: .sent, queue: "audit", messageId: "m\n2", time: 1_701, body: "{\"é\":\"\u{1}\"}", bodySize: 40_000,
                                  truncated: true, sender: MessageSender(eventId: "e-1", bus: "default", rule: "orders", targetId: "t\"")))
        #expect(raw.sent.map { DeliveredMessage($0.change(sender: raw.sender)) } == raw.sent)

        for odd in [
            text.replacingOccurrences(of: #""bodySize":321"#, with: #""bodySize":"321""#),
            text.replacingOccurrences(of: #","bodySize":321"#, with: ""),
            text.replacingOccurrences(of: #""messageId":"m-1""#, with: #""messageId":null"#),
            text.replacingOccurrences(of: #""bodyIsEvent":true"#, with: #""bodyIsEvent":"yes""#),
            text.replacingOccurrences(of: #""sent":{"queue":"orders""#, with: #""sent":[{"queue":"orders""#)
                .replacingOccurrences(of: #""bodyIsEvent":true}"#, with: #""bodyIsEvent":true}]"#),
        ] {
            #expect(odd != text)
            try Self.expectReadAsTheGeneralDecoderReadsIt(odd)
        }
    }

    @Test("a batch keeps each delivery's sent member as its text: the id (escapes too) and body size read without it, the message read whole as the general decoder reads it, hostile bodies byte for byte")
    func sentKeptAsText() throws {
        var raw = Fixtures.delivered
        raw.sent = DeliveredMessage(queue: "orders", messageId: "m-1", time: 1_700, bodySize: 321, bodyIsEvent: true)
        var hostile = Fixtures.delivered
        hostile.targetId = "t2"
        hostile.sent = DeliveredMessage(queue: "audit\u{202E}", messageId: "m\"\n\u{1}2-é", time: -5,
                                        body: "\u{202E}evil\u{1B}[31m\\\"\u{0}ñ", bodySize: 40_000, truncated: true)
        let event = BusEventFrame(bus: "default", event: EventEnvelope(Fixtures.envelope), matched: Fixtures.event.matched,
                                  deliveries: [raw, Fixtures.deadLettered, hostile])
        let text = StreamFrameCodec.encode(.published(.event(event), sequence: 9))
        let general = try StreamFrameCodec.decode(text)
        let batch = try StreamFrameCodec.decodeMessage(bytes: Array(("[" + text + "," + text + "]").utf8))
        #expect(batch == [general, general])
        guard case .published(.event(let read), _) = batch[0] else { Issue.record("not an event"); return }
        let texts = try #require(read.sentTexts)
        #expect(read.carriesSent && read.outcomes.map(\.hasSent) == [true, false, true])
        #expect(read.outcomes.allSatisfy { $0.sent == nil }, "the messages stay in the frame's texts until read")
        let kept = read.outcomes.compactMap(\.keptSent)
        #expect(kept.map(texts.messageId) == ["m-1", "m\"\n\u{1}2-é"])
        #expect(texts.hasMessageId(kept[1], "m\"\n\u{1}2-é") && !texts.hasMessageId(kept[1], "m-1") && !texts.hasMessageId(kept[0], "m-"))
        #expect(kept.map(\.bodyIsEvent) == [true, false])
        #expect(kept.map(\.bodyBytes) == [0, hostile.sent?.body?.utf8.count ?? -1])
        #expect(texts.message(kept[1]) == hostile.sent && texts.message(kept[0]) == raw.sent)
        #expect(read.deliveries == event.deliveries && read.deliveries.map(\.sent) == [raw.sent, nil, hostile.sent])
        // Written again, the frame is byte for byte what the stack wrote.
        #expect(StreamFrameCodec.encode(batch[1]) == text)
        // A frame changed after reading holds its messages whole.
        var changed = read
        changed.deliveries[0].status = .retrying
        #expect(changed.sentTexts == nil && changed.deliveries[2].sent == hostile.sent && changed.deliveries[0].status == .retrying)
        // An event without messages keeps no texts.
        let plain = try StreamFrameCodec.decodeMessage("[" + StreamFrameCodec.encode(.published(.event(Fixtures.event), sequence: 1)) + "]")
        guard case .published(.event(let bare), _) = plain[0] else { Issue.record("not an event"); return }
        #expect(bare.sentTexts == nil && !bare.carriesSent && bare == Fixtures.event)
    }

    @Test("a sent member laid out otherwise than the stack writes it (whitespace, order, escapes, decimals, nulls, duplicates, long numbers) is kept or refused as the general decoder reads it, its id and body size read the same")
    func sentLaidOutOtherwise() throws {
        var raw = Fixtures.delivered
        raw.sent = DeliveredMessage(queue: "orders", messageId: "m-1", time: 1_700, body: "b\u{E9}", bodySize: 321)
        let event = BusEventFrame(bus: "default", event: EventEnvelope(Fixtures.envelope), matched: Fixtures.event.matched,
                                  deliveries: [raw])
        let text = StreamFrameCodec.encode(.published(.event(event), sequence: 4))
        let written = #"{"queue":"orders","messageId":"m-1","time":1700,"body":"b\#u{E9}","bodySize":321,"truncated":false}"#
        #expect(text.contains(written))
        let kept = [
            #"{ "queue" : "orders", "messageId" : "m-1", "time" : 1700, "body" : "b\#u{E9}", "bodySize" : 321 }"#,
            #"{"messageId":"m-1","queue":"orders","bodySize":321,"time":1700,"body":"b\#u{E9}"}"#,
            #"{"queue":"orders","messageId":"m\u002d1","time":1700,"body":"b\u00e9","bodySize":321,"truncated":false}"#,
            #"{"queue":"orders","messageId":"m-1","time":1700.0,"body":"b\#u{E9}","bodySize":3.21e2,"truncated":false}"#,
            #"{"queue":"orders","messageId":"m-1","time":1700,"body":null,"bodySize":321,"truncated":null,"bodyIsEvent":null}"#,
            #"{"queue":"orders","messageId":"x","messageId":"m-1","time":1700,"bodySize":321,"truncated":false}"#,
            #"{"queue":"orders","messageId":"m-1","time":1234567890123456,"bodySize":321,"truncated":false,"bodyIsEvent":true}"#,
            #"{"queue":"orders","messageId":"m-1","time":-0,"body":"","bodySize":0,"truncated":true,"bodyIsEvent":false}"#,
        ]
        for member in kept {
            let odd = text.replacingOccurrences(of: written, with: member)
            #expect(odd != text)
            try Self.expectReadAsTheGeneralDecoderReadsIt(odd)
            guard case .published(.event(let general), _) = try StreamFrameCodec.decode(odd),
                  case .published(.event(let read), _) = try StreamFrameCodec.decodeMessage("[" + odd + "]")[0],
                  let sent = general.deliveries[0].sent, let texts = read.sentTexts, let slot = read.outcomes[0].keptSent
            else { Issue.record("not kept: \(member)"); continue }
            #expect(texts.messageId(slot) == sent.messageId && texts.hasMessageId(slot, sent.messageId), "\(member)")
            #expect(slot.bodyBytes == (sent.body?.utf8.count ?? 0) && slot.bodyIsEvent == sent.bodyIsEvent, "\(member)")
            #expect(texts.message(slot) == sent, "\(member)")
        }
        let refused = [
            #"{"queue":"orders","messageId":"m-1","time":1700.5,"bodySize":321}"#,
            #"{"messageId":"m-1","time":1700,"bodySize":321}"#,
            #"{"queue":"orders","messageId":"m-1","time":1700,"bodySize":321,"truncated":"no"}"#,
            #"{"queue":"orders","messageId":"m-1","time":1700,"body":7,"bodySize":321}"#,
            #"{"queue":"orders","messageId":"m-1","time":1700,"bodySize":321,"bodyIsEvent":1}"#,
            #"{"queue":"orders","messageId":"m-1","time":"1700","bodySize":321}"#,
        ]
        for member in refused {
            let odd = text.replacingOccurrences(of: written, with: member)
            #expect(throws: StackProtocolError.self, "\(member)") { try StreamFrameCodec.decode(odd) }
            try Self.expectReadAsTheGeneralDecoderReadsIt(odd)
        }
    }

    /// A frame in a batch reads as the general decoder reads it alone: the same frame, or its
    /// error as an error frame in the frame's place.
    static func expectReadAsTheGeneralDecoderReadsIt(_ text: String) throws {
        let general: Result<StreamFrame, StackProtocolError> = Result { () throws(StackProtocolError) in try StreamFrameCodec.decode(text) }
        let batch = try StreamFrameCodec.decodeMessage("[" + text + "]")
        switch general {
        case .success(let frame): #expect(batch == [frame], "\(text)")
        case .failure(let error):
            #expect(batch == [.error(StreamFailure(code: StreamFailure.unreadableCode, message: "batch[0]: \(error.message)"))], "\(text)")
        }
    }

    @Test("a batch of many events naming many targets, read from its bytes as an array, equals the general decoder's frame by frame: names shared between frames stay each frame's own, escapes, control characters and bidi overrides kept")
    func manyNamesFromAnArray() throws {
        // 600 distinct target ARNs and rule names (more than the table of shared names holds,
        // so slots are taken over), each repeated; one name with escapes and odd characters.
        var frames: [StreamFrame] = []
        for index in 0..<1_200 {
            let name = index % 7 == 3 ? "queue-\u{202E}evil\"\n\u{1}-\(index % 600)-ñ" : "a-long-queue-name-\(index % 600)"
            let envelope: JSONValue = [
                "version": "0", "id": .string("e-\(index)"), "detail-type": "Order Placed With A Long Name",
                "source": .string("com.example.service-number-\(index % 50)"), "account": "000000000000",
                "time": "2026-12-06T09:00:00Z", "region": "us-east-1", "resources": [], "detail": ["orderId": .string(name)],
            ]
            let delivery = DeliveryOutcome(eventId: "e-\(index)", bus: "a-bus-with-a-long-name", rule: "rule-for-\(name)", targetId: "target-\(name)",
                                           targetArn: "arn:aws:sqs:us-east-1:000000000000:\(name)", status: .delivered,
                                           sent: DeliveredMessage(queue: name, messageId: "m-\(index)", time: 1_000, bodySize: 10, bodyIsEvent: true))
            var failed = Fixtures.deadLettered
            failed.eventId = "e-\(index)"
            frames.append(.published(.event(BusEventFrame(bus: "a-bus-with-a-long-name", event: EventEnvelope(envelope),
                                                          matched: [MatchedRule(bus: "a-bus-with-a-long-name", rule: "rule-for-\(name)")],
                                                          deliveries: [delivery, failed])), sequence: index))
        }
        let text = "[" + frames.map { StreamFrameCodec.encode($0) }.joined(separator: ",") + "]"
        let fromArray = try StreamFrameCodec.decodeMessage(bytes: Array(text.utf8))
        for decoded in [fromArray, try StreamFrameCodec.decodeMessage(text)] {
            #expect(decoded.count == frames.count)
            if let different = decoded.indices.first(where: { $0 < frames.count && decoded[$0] != frames[$0] }) {
                Issue.record("frame \(different) reads \(decoded[different]), was \(frames[different])")
            }
        }
        guard case .published(.event(let odd), _) = fromArray[3] else { Issue.record("not an event"); return }
        #expect(odd.deliveries[0].sent?.queue == "queue-\u{202E}evil\"\n\u{1}-3-ñ")
        #expect(odd.deliveries[0].targetArn == "arn:aws:sqs:us-east-1:000000000000:queue-\u{202E}evil\"\n\u{1}-3-ñ")
    }

    @Test("names that differ only in the middle (same length, same first and last bytes) each read as themselves, and every delivery status reads as written")
    func namesDifferingInTheMiddle() throws {
        // Accounts differ in the middle of otherwise identical ARNs: the table of shared names
        // files them under one slot, so each read must compare the whole name.
        let statuses = DeliveryOutcome.Status.allCases
        var frames: [StreamFrame] = []
        for index in 0..<40 {
            let arn = "arn:aws:sqs:us-east-1:0000\(String(format: "%04d", index % 20))0000:orders"
            let deliveries = statuses.enumerated().map { offset, status in
                DeliveryOutcome(eventId: "e-\(index)", bus: "default", rule: "rule-\(String(format: "%04d", index % 20))-of-orders",
                                targetId: "t\(offset)", targetArn: arn, status: status,
                                errorCode: status == .delivered ? nil : "QueueDoesNotExist")
            }
            let envelope: JSONValue = ["version": "0", "id": .string("e-\(index)"), "detail-type": "T", "source": "s",
                                       "time": "2026-12-06T09:00:00Z", "resources": [], "detail": [:]]
            frames.append(.published(.event(BusEventFrame(bus: "default", event: EventEnvelope(envelope), matched: [],
                                                          deliveries: deliveries)), sequence: index))
        }
        let text = "[" + frames.map { StreamFrameCodec.encode($0) }.joined(separator: ",") + "]"
        let decoded = try StreamFrameCodec.decodeMessage(bytes: Array(text.utf8))
        #expect(decoded == frames)
        guard case .published(.event(let seventh), _) = decoded[7] else { Issue.record("not an event"); return }
        #expect(seventh.deliveries.map(\.targetArn) == Array(repeating: "arn:aws:sqs:us-east-1:000000070000:orders", count: statuses.count))
        #expect(seventh.deliveries.map(\.status) == statuses)
    }
}
