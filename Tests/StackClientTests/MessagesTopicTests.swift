import Foundation
import JSON
import SignalboxTestSupport
import StackClient
import StackProtocol
import Testing

@Suite("The messages topic against a running stack")
struct MessagesTopicTests {
    /// The next `message` frame, skipping the others (the subscription's answer).
    private func nextChange(_ iterator: inout AsyncThrowingStream<StreamFrame, any Error>.Iterator) async throws -> QueueMessageChange? {
        while let frame = try await iterator.next() {
            if case .published(.message(let change), _) = frame { return change }
        }
        return nil
    }

    @Test("a message's life on the stream: sent by an EventBridge delivery (naming it), received, received again, dead-lettered; another sent, received, deleted")
    func lifecycle() async throws {
        try await withRunningStack { endpoint in
            let client = AWSClient(endpoint: endpoint)
            let dlqURL = try await client.call(.sqs, "CreateQueue", ["QueueName": "orders-dlq"])["QueueUrl"]!.stringValue!
            let dlqARN = try await client.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(dlqURL), "AttributeNames": ["QueueArn"]])["Attributes"]!["QueueArn"]!
            let url = try await client.call(.sqs, "CreateQueue", ["QueueName": "orders", "Attributes": [
                "RedrivePolicy": .string(JSONValue.object(["deadLetterTargetArn": dlqARN, "maxReceiveCount": 2]).serialized),
            ]])["QueueUrl"]!.stringValue!
            let arn = try await client.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(url), "AttributeNames": ["QueueArn"]])["Attributes"]!["QueueArn"]!
            _ = try await client.call(.eventBridge, "PutRule", ["Name": "to-orders", "EventPattern": #"{"source":["shop.orders"]}"#])
            _ = try await client.call(.eventBridge, "PutTargets", ["Rule": "to-orders", "Targets": [["Id": "orders-queue", "Arn": arn]]])

            var frames = try StreamClient(endpoint: endpoint).frames(topics: [.messages]).makeAsyncIterator()
            guard case .subscribed(let subscribed)? = try await frames.next() else { Issue.record("not subscribed"); return }
            #expect(subscribed.topics == [.messages])

            let put = try await client.call(.eventBridge, "PutEvents", ["Entries": [
                ["Source": "shop.orders", "DetailType": "Order Created", "Detail": #"{"orderId":"ord-7"}"#],
            ]])
            let eventId = put["Entries"]?[0]?["EventId"]?.stringValue
            let sent = try #require(try await nextChange(&frames))
            #expect(sent.change == .sent && sent.queue == "orders")
            #expect(sent.sender == MessageSender(eventId: eventId ?? "?", bus: "default", rule: "to-orders", targetId: "orders-queue"))
            // The body is the event's envelope as the events topic carries it: left out, and said so.
            #expect(sent.body == nil && sent.bodyIsEvent)
            #expect(sent.truncated == false)

            for expected in 1...2 {
                let received = try await client.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(url), "VisibilityTimeout": 0])
                #expect(received["Messages"]?[0]?["MessageId"]?.stringValue == sent.messageId)
                let body = received["Messages"]?[0]?["Body"]?.stringValue ?? ""
                #expect(try JSONValue(parsing: Array(body.utf8))["id"]?.stringValue == eventId)
                #expect(body.utf8.count == sent.bodySize)
                let change = try #require(try await nextChange(&frames))
                #expect(change == QueueMessageChange(change: .received, queue: "orders", messageId: sent.messageId, time: change.time,
                                                     receiveCount: expected))
            }
            // A third receive finds the message past maxReceiveCount and moves it.
            _ = try await client.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(url)])
            let moved = try #require(try await nextChange(&frames))
            #expect(moved == QueueMessageChange(change: .deadLettered, queue: "orders", messageId: sent.messageId, time: moved.time,
                                                receiveCount: 2, deadLetterQueue: "orders-dlq"))

            let big = String(repeating: "x", count: 20_000)
            let direct = try await client.call(.sqs, "SendMessage", ["QueueUrl": .string(url), "MessageBody": .string(big)])
            let bigSent = try #require(try await nextChange(&frames))
            #expect(bigSent.messageId == direct["MessageId"]?.stringValue)
            #expect(bigSent.sender == nil && bigSent.truncated && bigSent.bodySize == 20_000)
            #expect(bigSent.body?.utf8.count == QueueMessageChange.bodyLimit)
            let received = try await client.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(url)])
            _ = try #require(try await nextChange(&frames))
            let handle = try #require(received["Messages"]?[0]?["ReceiptHandle"]?.stringValue)
            _ = try await client.call(.sqs, "DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": .string(handle)])
            let deleted = try #require(try await nextChange(&frames))
            #expect(deleted == QueueMessageChange(change: .deleted, queue: "orders", messageId: bigSent.messageId, time: deleted.time))
            // A stale handle deletes nothing and says nothing.
            _ = try await client.call(.sqs, "SendMessageBatch", ["QueueUrl": .string(url), "Entries": [
                ["Id": "a", "MessageBody": "one"], ["Id": "b", "MessageBody": "two"],
            ]])
            _ = try await client.call(.sqs, "DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": .string(handle)])
            let one = try #require(try await nextChange(&frames)), two = try #require(try await nextChange(&frames))
            #expect([one.body, two.body] == ["one", "two"])
            #expect(one.change == .sent && two.change == .sent)
        }
    }
}
