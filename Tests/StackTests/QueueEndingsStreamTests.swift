import Foundation
import JSON
import StackProtocol
import Testing
@testable import Stack

/// The ways a message leaves or moves besides its own delete: a purge, its queue's deletion and
/// a message move task (a DLQ redrive), each on the `messages` topic after its commit.
@Suite("SQS purges, queue deletions and redrives on the messages topic")
struct QueueEndingsStreamTests {
    /// The frames the viewer holds now, decoded.
    private func drain(_ viewer: StreamSubscription) async throws -> [StreamMessage] {
        var out: [StreamMessage] = []
        var frames = viewer.makeAsyncIterator()
        while viewer.buffered > 0, let text = await frames.next() {
            guard case .published(let message, _) = try StreamFrameCodec.decode(text) else { continue }
            out.append(message)
        }
        return out
    }

    @Test("a purge is one queue-purged frame with the count (in flight ones included), however many messages; a refused purge sends none")
    func purge() async throws {
        let fixture = try SQSStack(), hub = fixture.hub, sqs = fixture.call
        let url = await sqs("CreateQueue", ["QueueName": "orders"])["QueueUrl"] ?? .null
        for start in stride(from: 0, to: 250, by: 10) {
            _ = await sqs("SendMessageBatch", ["QueueUrl": url, "Entries": .array((start..<start + 10).map { ["Id": .string("m\($0)"), "MessageBody": .string("b\($0)")] })])
        }
        _ = await sqs("ReceiveMessage", ["QueueUrl": url, "MaxNumberOfMessages": 3])
        let viewer = hub.subscribe(topics: [.messages], capacity: 16)
        let answer = await sqs("PurgeQueue", ["QueueUrl": url])
        #expect(answer == [:])
        let frames = try await drain(viewer)
        #expect(frames == [.queueEmptied(QueueEmptied(reason: .purged, queue: "orders", time: fixture.stack.clock.wallClockNow.milliseconds, count: 250))])
        // Within AWS's 60 s a second purge is refused, and nothing was removed: no frame.
        let again = await sqs("PurgeQueue", ["QueueUrl": url])
        #expect(again["__type"]?.stringValue?.contains("PurgeQueueInProgress") == true)
        #expect(viewer.buffered == 0)
        #expect(await sqs("GetQueueAttributes", ["QueueUrl": url, "AttributeNames": ["All"]])["Attributes"]?["ApproximateNumberOfMessages"] == "0")
    }

    @Test("deleting a queue says how many messages went with it; nobody watching messages, nothing is published")
    func deleteQueue() async throws {
        let fixture = try SQSStack(), hub = fixture.hub, sqs = fixture.call
        let url = await sqs("CreateQueue", ["QueueName": "doomed"])["QueueUrl"] ?? .null
        let other = await sqs("CreateQueue", ["QueueName": "quiet"])["QueueUrl"] ?? .null
        _ = await sqs("SendMessage", ["QueueUrl": url, "MessageBody": "one"])
        _ = await sqs("SendMessage", ["QueueUrl": url, "MessageBody": "two"])
        _ = await sqs("SendMessage", ["QueueUrl": other, "MessageBody": "x"])
        _ = await sqs("PurgeQueue", ["QueueUrl": other])
        #expect(hub.publishedCount == 0)
        let viewer = hub.subscribe(topics: [.messages])
        #expect(await sqs("DeleteQueue", ["QueueUrl": url]) == [:])
        let frames = try await drain(viewer)
        guard case .queueEmptied(let emptied)? = frames.first, frames.count == 1 else { Issue.record("\(frames)"); return }
        #expect(emptied.reason == .deleted && emptied.queue == "doomed" && emptied.count == 2)
        // A queue that does not exist: AWS's error, and no frame.
        let missing = await sqs("DeleteQueue", ["QueueUrl": url])
        #expect(missing["__type"]?.stringValue?.contains("QueueDoesNotExist") == true)
        #expect(viewer.buffered == 0)
    }

    @Test("a redrive moves each message as a new one (new id and SentTimestamp, as AWS does) and says so per message, naming both ids")
    func redrive() async throws {
        let fixture = try SQSStack(), hub = fixture.hub, sqs = fixture.call
        let dlqURL = await sqs("CreateQueue", ["QueueName": "orders-dlq"])["QueueUrl"] ?? .null
        let dlqARN = await sqs("GetQueueAttributes", ["QueueUrl": dlqURL, "AttributeNames": ["QueueArn"]])["Attributes"]?["QueueArn"] ?? .null
        let url = await sqs("CreateQueue", ["QueueName": "orders", "Attributes": [
            "RedrivePolicy": .string(JSONValue.object(["deadLetterTargetArn": dlqARN, "maxReceiveCount": 1]).serialized),
        ]])["QueueUrl"] ?? .null
        var ids: [String] = []
        for body in ["a", "b"] {
            ids.append(await sqs("SendMessage", ["QueueUrl": url, "MessageBody": .string(body)])["MessageId"]?.stringValue ?? "?")
        }
        // Received once each, then found past maxReceiveCount: both dead-lettered, keeping their ids.
        _ = await sqs("ReceiveMessage", ["QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 0])
        _ = await sqs("ReceiveMessage", ["QueueUrl": url, "MaxNumberOfMessages": 10])
        #expect(await sqs("GetQueueAttributes", ["QueueUrl": dlqURL, "AttributeNames": ["All"]])["Attributes"]?["ApproximateNumberOfMessages"] == "2")

        let viewer = hub.subscribe(topics: [.messages])
        fixture.stack.clock.advance(by: .seconds(5))
        let movedAt = fixture.stack.clock.wallClockNow.milliseconds
        let task = await sqs("StartMessageMoveTask", ["SourceArn": dlqARN])
        #expect(task["TaskHandle"]?.stringValue != nil)
        #expect(try await fixture.queues.moveTick() == false)
        let frames = try await drain(viewer)
        let moves = frames.compactMap { message -> QueueMessageMove? in
            if case .messageMoved(let move) = message { return move }
            return nil
        }
        #expect(moves.count == 2 && frames.count == 2)
        #expect(Set(moves.map(\.messageId)) == Set(ids))
        #expect(moves.allSatisfy { $0.queue == "orders-dlq" && $0.toQueue == "orders" && $0.time == movedAt })
        #expect(moves.allSatisfy { !ids.contains($0.toMessageId) } && Set(moves.map(\.toMessageId)).count == 2)

        let received = await sqs("ReceiveMessage", ["QueueUrl": url, "MaxNumberOfMessages": 10, "AttributeNames": ["All"]])
        let messages = received["Messages"]?.arrayValue ?? []
        #expect(Set(messages.compactMap { $0["MessageId"]?.stringValue }) == Set(moves.map(\.toMessageId)))
        #expect(messages.allSatisfy { $0["Attributes"]?["SentTimestamp"]?.stringValue == String(movedAt) })
        #expect(messages.allSatisfy { $0["Attributes"]?["ApproximateReceiveCount"] == "1" })
        // The receives that followed name the new ids.
        let after = try await drain(viewer)
        #expect(after.count == 2)
        #expect(after.allSatisfy { message in
            if case .message(let change) = message { return change.change == .received && moves.contains { $0.toMessageId == change.messageId } }
            return false
        })
    }
}
