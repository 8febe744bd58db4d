import JSON
import StackProtocol
import Testing

@Suite("The messages topic's frames")
struct MessageFrameTests {
    @Test("a sent frame carries the body whole up to 16 KiB, and beyond it the start cut on a character boundary")
    func truncation() throws {
        let small = QueueMessageChange.sent(queue: "q", messageId: "m", time: 1, body: "{}")
        #expect(small.body == "{}" && small.bodySize == 2 && !small.truncated)
        let exact = String(repeating: "a", count: QueueMessageChange.bodyLimit)
        #expect(QueueMessageChange.sent(queue: "q", messageId: "m", time: 1, body: exact).truncated == false)
        // "é" is two bytes: 9,000 of them are 18,000 bytes; the cut keeps 8,192 whole ones.
        let wide = QueueMessageChange.sent(queue: "q", messageId: "m", time: 1, body: String(repeating: "é", count: 9000))
        #expect(wide.truncated && wide.bodySize == 18_000)
        #expect(wide.body == String(repeating: "é", count: 8192))
        // A four-byte scalar straddling the limit is left out whole, never split.
        let straddling = String(repeating: "a", count: QueueMessageChange.bodyLimit - 2) + "😀" + "tail"
        let cut = QueueMessageChange.sent(queue: "q", messageId: "m", time: 1, body: straddling)
        #expect(cut.body == String(repeating: "a", count: QueueMessageChange.bodyLimit - 2))
        let decoded = try StreamFrameCodec.decode(StreamFrameCodec.encode(.published(.message(wide), sequence: 1)))
        #expect(decoded == .published(.message(wide), sequence: 1))
    }

    @Test("the wire shape: members in order, topic messages, truncated only on sent")
    func bytes() {
        let sent = QueueMessageChange.sent(queue: "orders", messageId: "m-1", time: 1800000000123, body: "hi",
                                           sender: MessageSender(eventId: "e-1", bus: "shop", rule: "r", targetId: "t"))
        #expect(StreamFrameCodec.encode(.published(.message(sent), sequence: 4))
            == #"{"v":1,"type":"message","topic":"messages","seq":4,"data":{"change":"sent","queue":"orders","messageId":"m-1","time":1800000000123,"body":"hi","bodySize":2,"truncated":false,"sender":{"eventId":"e-1","bus":"shop","rule":"r","targetId":"t"}}}"#)
        let moved = QueueMessageChange(change: .deadLettered, queue: "orders", messageId: "m-1", time: 5, receiveCount: 3,
                                       deadLetterQueue: "orders-dlq")
        #expect(StreamFrameCodec.encode(.published(.message(moved), sequence: 5))
            == #"{"v":1,"type":"message","topic":"messages","seq":5,"data":{"change":"dead-lettered","queue":"orders","messageId":"m-1","time":5,"receiveCount":3,"deadLetterQueue":"orders-dlq"}}"#)
    }

    @Test("a message frame that is not the documented shape is refused with the member named", arguments: [
        (#"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":7,"queue":"q","messageId":"m","time":1}}"#, "data.change must be a string"),
        (#"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":"sent","queue":"q","time":1}}"#, "data.messageId is required"),
        (#"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":"received","queue":"q","messageId":"m","time":1,"receiveCount":"2"}}"#, "data.receiveCount must be an integer"),
        (#"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":"sent","queue":"q","messageId":"m","time":1,"sender":{"eventId":"e"}}}"#, "data.sender.bus is required"),
    ])
    func refused(text: String, named: String) {
        #expect {
            _ = try StreamFrameCodec.decode(text)
        } throws: { error in
            (error as? StackProtocolError)?.message.contains(named) == true
        }
    }

    @Test("a delivery that sent the event's envelope itself leaves the body out and says so; any other body is carried")
    func bodyIsTheEvent() throws {
        let sender = MessageSender(eventId: "e-1", bus: "shop", rule: "r", targetId: "t")
        let envelope = #"{"id":"e-1","detail":{"orderId":"ord-1"}}"#
        let same = QueueMessageChange.sent(queue: "orders", messageId: "m-1", time: 5, body: envelope, sender: sender, eventText: envelope)
        #expect(same.body == nil && same.bodyIsEvent && same.bodySize == envelope.utf8.count && !same.truncated)
        #expect(StreamFrameCodec.encode(.published(.message(same), sequence: 1))
            == #"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":"sent","queue":"orders","messageId":"m-1","time":5,"bodySize":41,"truncated":false,"sender":{"eventId":"e-1","bus":"shop","rule":"r","targetId":"t"},"bodyIsEvent":true}}"#)
        #expect(try StreamFrameCodec.decode(StreamFrameCodec.encode(.published(.message(same), sequence: 1))) == .published(.message(same), sequence: 1))
        let transformed = QueueMessageChange.sent(queue: "orders", messageId: "m-2", time: 5, body: #"{"orderId":"ord-1"}"#,
                                                  sender: sender, eventText: envelope)
        #expect(transformed.body == #"{"orderId":"ord-1"}"# && !transformed.bodyIsEvent)
        let direct = QueueMessageChange.sent(queue: "orders", messageId: "m-3", time: 5, body: envelope, eventText: envelope)
        #expect(direct.body == envelope && !direct.bodyIsEvent, "only a delivery's body is left out")
    }

    @Test("the frames of moves, purges, queue deletions and a saga's send: their wire shape, and each decodes to itself")
    func newFrames() throws {
        let execution = MessageExecution(executionArn: "arn:aws:states:us-east-1:000000000000:execution:order-saga:ord-1", stateName: "Notify")
        let sent = QueueMessageChange.sent(queue: "orders", messageId: "m-1", time: 7, body: "hi", execution: execution)
        let move = QueueMessageMove(queue: "orders-dlq", messageId: "m-1", time: 8, toQueue: "orders", toMessageId: "m-2")
        let purged = QueueEmptied(reason: .purged, queue: "orders", time: 9, count: 100_000)
        let deleted = QueueEmptied(reason: .deleted, queue: "orders", time: 10, count: 0)
        let expected = [
            #"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":"sent","queue":"orders","messageId":"m-1","time":7,"body":"hi","bodySize":2,"truncated":false,"execution":{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:order-saga:ord-1","stateName":"Notify"}}}"#,
            #"{"v":1,"type":"message-moved","topic":"messages","seq":2,"data":{"queue":"orders-dlq","messageId":"m-1","time":8,"toQueue":"orders","toMessageId":"m-2"}}"#,
            #"{"v":1,"type":"queue-purged","topic":"messages","seq":3,"data":{"queue":"orders","time":9,"count":100000}}"#,
            #"{"v":1,"type":"queue-deleted","topic":"messages","seq":4,"data":{"queue":"orders","time":10,"count":0}}"#,
        ]
        let messages: [StreamMessage] = [.message(sent), .messageMoved(move), .queueEmptied(purged), .queueEmptied(deleted)]
        for (index, message) in messages.enumerated() {
            let frame = StreamFrame.published(message, sequence: index + 1)
            let text = StreamFrameCodec.encode(frame)
            #expect(text == expected[index])
            #expect(try StreamFrameCodec.decode(text) == frame)
            // The byte writer and the general one agree (the hub writes `message` data straight to bytes).
            #expect(try JSONValue(parsing: text)["data"] == message.data)
        }
        // Read in a batch too (the fast reader takes `message` frames, the others the general way).
        let batch = "[" + expected.joined(separator: ",") + "]"
        #expect(try StreamFrameCodec.decodeMessage(batch) == messages.enumerated().map { .published($1, sequence: $0 + 1) })
    }

    @Test("a reader skips what is newer than it knows: an unknown change or frame type on messages is other, not refused")
    func unknownTolerated() throws {
        let change = #"{"v":1,"type":"message","topic":"messages","seq":3,"data":{"change":"archived","queue":"q","messageId":"m","time":1,"where":"glacier"}}"#
        guard case .published(.other(let type, let topic, let data), let seq) = try StreamFrameCodec.decode(change) else {
            Issue.record("an unknown change is not read as other"); return
        }
        #expect(type == "message" && topic == .messages && seq == 3 && data["where"] == "glacier")
        let kind = #"{"v":1,"type":"queue-renamed","topic":"messages","seq":4,"data":{"queue":"q"}}"#
        guard case .published(.other("queue-renamed", .messages, _), 4) = try StreamFrameCodec.decode(kind) else {
            Issue.record("an unknown type is not read as other"); return
        }
        // Within a batch the fast reader hands the unknown change to the general decoder: other, and the frames around it stay.
        let sent = StreamFrameCodec.encode(.published(.message(.sent(queue: "q", messageId: "m", time: 1, body: "b")), sequence: 2))
        let frames = try StreamFrameCodec.decodeMessage("[" + sent + "," + change + "]")
        #expect(frames.count == 2)
        if case .published(.message(let read), 2) = frames[0] { #expect(read.body == "b") } else { Issue.record("\(frames[0])") }
        if case .published(.other("message", .messages, _), 3) = frames[1] {} else { Issue.record("\(frames[1])") }
        // A known change with a newer member is still read, the member ignored (old readers do the same with `execution`).
        let newer = #"{"v":1,"type":"message","topic":"messages","seq":5,"data":{"change":"deleted","queue":"q","messageId":"m","time":1,"by":"x"}}"#
        #expect(try StreamFrameCodec.decode(newer) == .published(.message(QueueMessageChange(change: .deleted, queue: "q", messageId: "m", time: 1)), sequence: 5))
    }
}
