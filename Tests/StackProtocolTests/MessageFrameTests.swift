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
        (#"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":"lost","queue":"q","messageId":"m","time":1}}"#, "data.change must be one of"),
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
}
