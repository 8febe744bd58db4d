import Foundation
import JSON
import StackProtocol
import Testing
@testable import Stack

@Suite("SQS on the messages topic")
struct QueueMessagesStreamTests {
    @Test("nobody subscribed to messages: SendMessage, receive and delete publish nothing")
    func unwatched() async throws {
        let fixture = try SQSStack(), hub = fixture.hub, sqs = fixture.call
        // A viewer of other topics only.
        let events = hub.subscribe(topics: [.events, .queues])
        let url = await sqs("CreateQueue", ["QueueName": "quiet"])["QueueUrl"] ?? .null
        _ = await sqs("SendMessage", ["QueueUrl": url, "MessageBody": "hello"])
        let received = await sqs("ReceiveMessage", ["QueueUrl": url])
        _ = await sqs("DeleteMessage", ["QueueUrl": url, "ReceiptHandle": received["Messages"]?[0]?["ReceiptHandle"] ?? .null])
        #expect(received["Messages"]?[0]?["Body"] == "hello")
        #expect(hub.publishedCount == 0)
        #expect(events.buffered == 0)
    }

    @Test("the retention sweep publishes each message it removes as expired")
    func expired() async throws {
        let fixture = try SQSStack(), hub = fixture.hub, sqs = fixture.call
        let url = await sqs("CreateQueue", ["QueueName": "short", "Attributes": ["MessageRetentionPeriod": "60"]])["QueueUrl"] ?? .null
        let id = await sqs("SendMessage", ["QueueUrl": url, "MessageBody": "stale"])["MessageId"]?.stringValue
        let viewer = hub.subscribe(topics: [.messages])
        fixture.stack.clock.advance(by: .seconds(61))
        try await fixture.queues.deleteExpired()
        var frames = viewer.makeAsyncIterator()
        let frame = try StreamFrameCodec.decode(try #require(await frames.next()))
        guard case .published(.message(let change), _) = frame else { Issue.record("expected a message frame, got \(frame)"); return }
        #expect(change == QueueMessageChange(change: .expired, queue: "short", messageId: id ?? "?", time: change.time))
        #expect(viewer.buffered == 0)
    }

    @Test("a FIFO send deduplicated within the window publishes no second sent (nothing was enqueued), alone or in a batch")
    func fifoDuplicatesAreNotSent() async throws {
        let fixture = try SQSStack(), hub = fixture.hub, sqs = fixture.call
        let url = await sqs("CreateQueue", ["QueueName": "orders.fifo", "Attributes": ["FifoQueue": "true"]])["QueueUrl"] ?? .null
        let viewer = hub.subscribe(topics: [.messages])
        let first = await sqs("SendMessage", ["QueueUrl": url, "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "d1"])
        let again = await sqs("SendMessage", ["QueueUrl": url, "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "d1"])
        #expect(again["MessageId"] == first["MessageId"] && first["MessageId"] != nil)
        let batch = await sqs("SendMessageBatch", ["QueueUrl": url, "Entries": [
            ["Id": "dup", "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "d1"],
            ["Id": "new", "MessageBody": "b", "MessageGroupId": "g", "MessageDeduplicationId": "d2"],
        ]])
        #expect(batch["Successful"]?.arrayValue?.count == 2)
        var frames = viewer.makeAsyncIterator()
        var sent: [String] = []
        for _ in 0..<2 {
            let frame = try StreamFrameCodec.decode(try #require(await frames.next()))
            guard case .published(.message(let change), _) = frame, change.change == .sent else { Issue.record("\(frame)"); return }
            sent.append(change.body ?? "")
        }
        #expect(sent == ["a", "b"])
        #expect(viewer.buffered == 0)
        #expect(await sqs("GetQueueAttributes", ["QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]])["Attributes"]?["ApproximateNumberOfMessages"] == "2")
    }
}

/// A stack with SQS behind its front door and a stream hub, as the messages topic's tests use it.
struct SQSStack {
    let stack: TemporaryStack
    let hub = StreamHub()
    let queues: QueueService
    let door: FrontDoor

    init() throws {
        stack = try TemporaryStack()
        queues = QueueService(store: stack.store, accountId: "000000000000", region: "us-east-1", clock: stack.clock, hub: hub)
        door = FrontDoor(services: [queues], accountId: "000000000000", region: "us-east-1", credentials: nil,
                         endpoint: "http://127.0.0.1:4599")
    }

    /// One SQS call in the AWS JSON protocol; its answer, or null when it is not JSON.
    func call(_ operation: String, _ input: JSONValue) async -> JSONValue {
        let response = await door.respond(to: FrontDoorRequest(headers: [
            ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.\(operation)"),
        ], body: Array(input.serialized.utf8)))
        return (try? JSONValue(parsing: response.body)) ?? .null
    }
}
