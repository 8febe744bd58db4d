import Foundation
import StackProtocol
import Testing
@testable import Provider

@Suite("Recent messages from the messages topic")
struct RecentMessagesTests {
    @Test("frames of one message join into one entry, in order, with the body and sender of its send")
    func lifecycle() {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let frames: [StreamMessage] = [
            .message(.sent(queue: "orders", messageId: "m-1", time: 1_000, body: #"{"orderId":"ord-1"}"#,
                           sender: MessageSender(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q"))),
            .message(QueueMessageChange(change: .received, queue: "orders", messageId: "m-1", time: 2_000, receiveCount: 1)),
            .message(QueueMessageChange(change: .received, queue: "orders", messageId: "m-1", time: 3_000, receiveCount: 2)),
            .message(QueueMessageChange(change: .deadLettered, queue: "orders", messageId: "m-1", time: 4_000, receiveCount: 2,
                                        deadLetterQueue: "orders-dlq")),
            // A message whose send the console did not see.
            .message(QueueMessageChange(change: .deleted, queue: "orders", messageId: "m-0", time: 5_000)),
        ]
        for message in frames { #expect(state.apply(frame: .published(message, sequence: 1)) == .changed) }
        let snapshot = state.snapshot(connection: .connected(since: Date()), endpoint: EndpointDescription(name: "t"), at: Date())
        let messages = snapshot.recentMessages
        #expect(messages.messages.map(\.id) == ["m-1", "m-0"])
        let first = messages.message("m-1")
        #expect(first?.body == #"{"orderId":"ord-1"}"# && first?.sender?.rule == "to-orders")
        #expect(first?.changes.map(\.kind) == [.sent, .received, .received, .deadLettered])
        #expect(first?.changes.last?.deadLetterQueue == "orders-dlq")
        #expect(first?.changes[1].at == Date(timeIntervalSince1970: 2))
        #expect(messages.message("m-0")?.body == nil)
        #expect(messages.changesSeen == 5 && messages.evicted == 0)
    }

    @Test("bounded by count and by body bytes: the oldest go first, and are counted")
    func bounded() {
        var byCount = RecentMessages(limit: 100, bodyBudget: 1 << 30)
        for index in 0..<1_000 {
            byCount.apply(id: "m-\(index)", change: QueueMessage.Change(kind: .sent, at: Date(), queue: "q"), body: "b")
        }
        #expect(byCount.messages.count <= 100)
        #expect(byCount.messages.count + byCount.evicted == 1_000)
        #expect(byCount.messages.last?.id == "m-999")
        #expect(byCount.message("m-999")?.body == "b" && byCount.message("m-0") == nil)
        // A change to a held message still finds it after the front moved.
        let held = byCount.messages[0].id
        byCount.apply(id: held, change: QueueMessage.Change(kind: .deleted, at: Date(), queue: "q"))
        #expect(byCount.message(held)?.changes.count == 2)

        var byBytes = RecentMessages(limit: 10_000, bodyBudget: 64 * 1024)
        let body = String(repeating: "x", count: 16 * 1024)
        for index in 0..<50 {
            byBytes.apply(id: "m-\(index)", change: QueueMessage.Change(kind: .sent, at: Date(), queue: "q"), body: body)
        }
        #expect(byBytes.messages.count <= 4)
        #expect(byBytes.messages.count + byBytes.evicted == 50)
    }

    @Test("a redrive files the message under its new id, so its later changes join it; a purge ends what is on the queue, not what left it")
    func movesAndPurges() {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let execution = MessageExecution(executionArn: "arn:aws:states:us-east-1:000000000000:execution:ship:ord-1", stateName: "Notify")
        let frames: [StreamMessage] = [
            .message(.sent(queue: "ship", messageId: "m-1", time: 1_000, body: #"{"orderId":"ord-1"}"#, execution: execution)),
            .message(QueueMessageChange(change: .deadLettered, queue: "ship", messageId: "m-1", time: 2_000, receiveCount: 1,
                                        deadLetterQueue: "ship-dlq")),
            .messageMoved(QueueMessageMove(queue: "ship-dlq", messageId: "m-1", time: 3_000, toQueue: "ship", toMessageId: "m-1b")),
            .message(QueueMessageChange(change: .received, queue: "ship", messageId: "m-1b", time: 4_000, receiveCount: 1)),
            .message(.sent(queue: "ship", messageId: "m-2", time: 4_500, body: "consumed")),
            .message(QueueMessageChange(change: .deleted, queue: "ship", messageId: "m-2", time: 4_600)),
            .message(.sent(queue: "ship-dlq", messageId: "m-3", time: 4_700, body: "elsewhere")),
            .queueEmptied(QueueEmptied(reason: .purged, queue: "ship", time: 5_000, count: 7)),
            // Sent after the purge (its frame may come late): not purged.
            .message(.sent(queue: "ship", messageId: "m-4", time: 5_001, body: "later")),
            .queueEmptied(QueueEmptied(reason: .deleted, queue: "ship-dlq", time: 6_000, count: 1)),
        ]
        for message in frames { #expect(state.apply(frame: .published(message, sequence: 1)) == .changed) }
        let snapshot = state.snapshot(connection: .connected(since: Date()), endpoint: EndpointDescription(name: "t"), at: Date())
        let recent = snapshot.recentMessages
        #expect(recent.messages.map(\.id) == ["m-1", "m-2", "m-3", "m-4"], "the redriven message is one entry, under its first id")
        let first = recent.message("m-1")
        #expect(recent.message("m-1b")?.id == "m-1")
        #expect(first?.execution == execution && first?.sender == nil)
        #expect(first?.changes.map(\.kind) == [.sent, .deadLettered, .moved, .received, .purged])
        #expect(first?.changes[2].toQueue == "ship" && first?.changes[2].toMessageId == "m-1b")
        #expect(first?.end?.at == Date(timeIntervalSince1970: 5) && first?.currentQueue == nil)
        #expect(recent.message("m-2")?.changes.map(\.kind) == [.sent, .deleted], "consumed before the purge: not purged")
        #expect(recent.message("m-3")?.changes.map(\.kind) == [.sent, .queueDeleted])
        #expect(recent.message("m-4")?.changes.map(\.kind) == [.sent] && recent.message("m-4")?.currentQueue == "ship")
        #expect(recent.emptied == [
            QueueEmptiedSeen(queue: "ship", kind: .purged, at: Date(timeIntervalSince1970: 5), count: 7, held: 1),
            QueueEmptiedSeen(queue: "ship-dlq", kind: .queueDeleted, at: Date(timeIntervalSince1970: 6), count: 1, held: 1),
        ])
        #expect(recent.changesSeen == frames.count)
    }

    @Test("an event whose deliveries carry the messages they wrote (sentWithEvents) keeps the same messages as its sent frames would, bodies included")
    func sentWithEvents() throws {
        let envelope = #"{"version":"0","id":"e-1","detail-type":"Order Created","source":"shop.orders","account":"000000000000","time":"2026-12-07T10:00:00Z","region":"us-east-1","resources":[],"detail":{"orderId":"ord-1"}}"#
        let toOrders = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q", targetArn: "arn:aws:sqs:us-east-1:000000000000:orders",
                                       status: .delivered, sent: DeliveredMessage(queue: "orders", messageId: "m-1", time: 1_000,
                                                                                  bodySize: envelope.utf8.count, bodyIsEvent: true))
        let toAudit = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "audit", targetId: "a", targetArn: "arn:aws:sqs:us-east-1:000000000000:audit",
                                      status: .delivered, sent: DeliveredMessage(queue: "audit", messageId: "m-2", time: 1_000,
                                                                                 body: #"{"order":"ord-1"}"#, bodySize: 17))
        let failed = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "gone", targetId: "g", targetArn: "arn:aws:sqs:us-east-1:000000000000:gone",
                                     status: .retrying, errorCode: "QueueDoesNotExist")
        let event = BusEventFrame(bus: "default", event: EventEnvelope(text: envelope, summary: EventEnvelope.Summary(
            id: "e-1", source: "shop.orders", detailType: "Order Created", time: "2026-12-07T10:00:00Z", resources: [])),
                                  matched: [], deliveries: [toOrders, toAudit, failed])

        // As a viewer with sentWithEvents reads it off the wire: one frame.
        var carried = LiveState(eventLimit: 10, timelineLimit: 10)
        let text = StreamFrameCodec.encode(.published(.event(event), sequence: 1))
        #expect(text.contains(#""sent":{"queue":"orders","messageId":"m-1""#))
        for frame in try StreamFrameCodec.decodeMessage(text) { #expect(carried.apply(frame: frame) == .changed) }

        // As any other viewer reads it: the event without them, and a sent frame per message.
        var framed = LiveState(eventLimit: 10, timelineLimit: 10)
        let plain = StreamFrameCodec.encode(.published(.event(event), sequence: 1), withSent: false)
        #expect(!plain.contains(#""sent""#))
        for frame in try StreamFrameCodec.decodeMessage(plain) { _ = framed.apply(frame: frame) }
        for delivery in [toOrders, toAudit] {
            let change = try #require(delivery.sent).change(sender: delivery.sender)
            _ = framed.apply(frame: .published(.message(change), sequence: 1))
        }

        let now = Date()
        let recent = carried.snapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "t"), at: now).recentMessages
        let expected = framed.snapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "t"), at: now).recentMessages
        #expect(recent.messages.map(\.id) == ["m-1", "m-2"])
        #expect(recent == expected)
        #expect(recent.message("m-1")?.body == envelope, "the body left out is the event's envelope, which the frame holds")
        #expect(recent.message("m-1")?.sender == MessageSender(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q"))
        #expect(recent.message("m-2")?.body == #"{"order":"ord-1"}"# && recent.message("m-2")?.queue == "audit")
        #expect(recent.message("m-1")?.changes == [QueueMessage.Change(kind: .sent, at: Date(timeIntervalSince1970: 1), queue: "orders")])
        #expect(recent.changesSeen == 2)
    }

    @Test("a moved message let go frees its new id too; an unknown change from a newer stack is skipped")
    func evictionAndUnknown() throws {
        var recent = RecentMessages(limit: 10, bodyBudget: 1 << 20)
        recent.apply(id: "old", change: QueueMessage.Change(kind: .moved, at: Date(), queue: "dlq", toQueue: "q", toMessageId: "new"))
        for index in 0..<20 { recent.apply(id: "m-\(index)", change: QueueMessage.Change(kind: .sent, at: Date(), queue: "q"), body: "b") }
        #expect(recent.message("old") == nil && recent.message("new") == nil)
        recent.apply(id: "new", change: QueueMessage.Change(kind: .received, at: Date(), queue: "q", receiveCount: 1))
        #expect(recent.message("new")?.changes.map(\.kind) == [.received], "a fresh entry, not a stale position")

        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let newer = try StreamFrameCodec.decode(#"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":"archived","queue":"q","messageId":"m","time":1}}"#)
        #expect(state.apply(frame: newer) == .ignored)
    }
}
