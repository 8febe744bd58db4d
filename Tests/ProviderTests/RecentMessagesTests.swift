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
}
