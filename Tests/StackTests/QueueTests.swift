import Foundation
import JSON
import Testing
import Timekeeping
@testable import Stack

@Suite struct QueueDigestTests {
    @Test func messageAttributeDigestFollowsTheSQSAlgorithm() {
        // Reference value computed independently (Python, the algorithm in the SQS docs).
        let attributes = [
            "kind": MessageAttribute(dataType: "String", stringValue: "order"),
            "blob": MessageAttribute(dataType: "Binary", binaryValue: [0x00, 0x01, 0xFF]),
        ]
        #expect(MessageAttributes.md5(attributes) == "1c75d420e398f481ba8712923abc6d86")
        #expect(MessageAttributes.md5(body: "héllo ✓") == "21b1ae5bc147bb564254200a4731e337")
    }

    @Test func attributeNameRules() {
        for bad in ["AWS.x", "amazon.y", ".lead", "trail.", "a..b", "sp ace", String(repeating: "n", count: 257)] {
            #expect(throws: (any Error).self, "\(bad)") { try MessageAttributes.validateName(bad) }
        }
        for good in ["a", "order.id", "A-b_c.d"] { #expect(throws: Never.self) { try MessageAttributes.validateName(good) } }
    }

    @Test func selectionByNameAndPrefix() {
        let attributes = ["a.x": MessageAttribute(dataType: "String", stringValue: "1"),
                          "b": MessageAttribute(dataType: "String", stringValue: "2")]
        #expect(Set(MessageAttributes.select(attributes, names: ["All"]).keys) == ["a.x", "b"])
        #expect(Set(MessageAttributes.select(attributes, names: ["a.*"]).keys) == ["a.x"])
        #expect(MessageAttributes.select(attributes, names: []).isEmpty)
    }
}

@Suite struct QueueBehaviourTests {
    func send(_ stack: TemporaryStack, _ url: String, _ body: String, _ extra: JSONObject = [:]) async throws -> JSONValue {
        var input: JSONObject = ["QueueUrl": .string(url), "MessageBody": .string(body)]
        for (key, value) in extra { input[key] = value }
        return try await stack.ok("SendMessage", .object(input))
    }

    func receive(_ stack: TemporaryStack, _ url: String, max: Int = 10, visibility: Int? = nil) async throws -> [JSONValue] {
        var input: JSONObject = ["QueueUrl": .string(url), "MaxNumberOfMessages": .number(Double(max)),
                                 "MessageSystemAttributeNames": ["All"]]
        if let visibility { input["VisibilityTimeout"] = .number(Double(visibility)) }
        return try await stack.ok("ReceiveMessage", .object(input))["Messages"]?.arrayValue ?? []
    }

    func count(_ stack: TemporaryStack, _ url: String) async throws -> [String: String] {
        let body = try await stack.ok("GetQueueAttributes", ["QueueUrl": .string(url), "AttributeNames": ["All"]])
        var out: [String: String] = [:]
        for (key, value) in body["Attributes"]?.objectValue ?? [:] { out[key] = value.stringValue }
        return out
    }

    @Test func visibilityTimeoutHidesThenReturnsTheMessage() async throws {
        let stack = try TemporaryStack()
        let url = try await stack.createQueue("vis")
        _ = try await send(stack, url, "one")
        #expect(try await receive(stack, url, visibility: 30).count == 1)
        #expect(try await receive(stack, url).isEmpty)
        #expect(try await count(stack, url)["ApproximateNumberOfMessagesNotVisible"] == "1")
        stack.clock.advance(by: .seconds(30))
        let again = try await receive(stack, url)
        #expect(again.first?["Attributes"]?["ApproximateReceiveCount"] == "2")
    }

    @Test func delayedMessagesAreCountedAndAppearOnTime() async throws {
        let stack = try TemporaryStack()
        let url = try await stack.createQueue("delay", ["DelaySeconds": "10"])
        _ = try await send(stack, url, "later")
        _ = try await send(stack, url, "sooner", ["DelaySeconds": 0])
        #expect(try await count(stack, url)["ApproximateNumberOfMessagesDelayed"] == "1")
        #expect(try await receive(stack, url).map { $0["Body"] } == ["sooner"])
        stack.clock.advance(by: .seconds(10))
        #expect(try await receive(stack, url).map { $0["Body"] } == ["later"])
    }

    @Test func retentionExpiresMessages() async throws {
        let stack = try TemporaryStack()
        let url = try await stack.createQueue("retention", ["MessageRetentionPeriod": "60"])
        _ = try await send(stack, url, "short-lived")
        stack.clock.advance(by: .seconds(61))
        #expect(try await count(stack, url)["ApproximateNumberOfMessages"] == "0")
        #expect(try await receive(stack, url).isEmpty)
    }

    @Test func poisonMessagesMoveToTheDeadLetterQueue() async throws {
        let stack = try TemporaryStack()
        let dlq = try await stack.createQueue("dead")
        let policy = #"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}"#
        let source = try await stack.createQueue("live", ["RedrivePolicy": .string(policy)])
        _ = try await send(stack, source, "poison")
        #expect(try await receive(stack, source, visibility: 0).count == 1)
        #expect(try await receive(stack, source, visibility: 0).count == 1)
        #expect(try await receive(stack, source, visibility: 0).isEmpty)
        let moved = try await receive(stack, dlq)
        #expect(moved.first?["Body"] == "poison")
        #expect(moved.first?["Attributes"]?["DeadLetterQueueSourceArn"] == "arn:aws:sqs:us-east-1:000000000000:live")
        let sources = try await stack.ok("ListDeadLetterSourceQueues", ["QueueUrl": .string(dlq)])
        #expect(sources["queueUrls"] == [.string(source)])
    }

    @Test func fifoKeepsGroupOrderAndBlocksInFlightGroups() async throws {
        let stack = try TemporaryStack()
        let url = try await stack.createQueue("order.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true"])
        for index in 0..<3 {
            _ = try await send(stack, url, "a\(index)", ["MessageGroupId": "A"])
            _ = try await send(stack, url, "b\(index)", ["MessageGroupId": "B"])
        }
        let first = try await receive(stack, url, max: 2, visibility: 30)
        #expect(first.map { $0["Body"] } == ["a0", "b0"])
        // Both groups have a message in flight: nothing more until they are deleted or time out.
        #expect(try await receive(stack, url).isEmpty)
        _ = try await stack.ok("DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": first[0]["ReceiptHandle"]!])
        #expect(try await receive(stack, url, max: 10, visibility: 30).map { $0["Body"] } == ["a1", "a2"])
        stack.clock.advance(by: .seconds(30))
        // Everything timed out: each group resumes at its oldest message, in send order.
        #expect(try await receive(stack, url, max: 10).map { $0["Body"] } == ["b0", "a1", "b1", "a2", "b2"])
    }

    @Test func fifoDeduplicatesWithinFiveMinutes() async throws {
        let stack = try TemporaryStack()
        let url = try await stack.createQueue("dedup.fifo", ["FifoQueue": "true"])
        let extra: JSONObject = ["MessageGroupId": "g", "MessageDeduplicationId": "d1"]
        let one = try await send(stack, url, "x", extra)
        let two = try await send(stack, url, "x", extra)
        #expect(one["MessageId"] == two["MessageId"])
        stack.clock.advance(by: .seconds(301))
        let three = try await send(stack, url, "x", extra)
        #expect(three["MessageId"] != one["MessageId"])
        #expect(try await count(stack, url)["ApproximateNumberOfMessages"] == "2")
    }

    @Test func staleReceiptHandlesDeleteNothing() async throws {
        let stack = try TemporaryStack()
        let url = try await stack.createQueue("stale")
        _ = try await send(stack, url, "m")
        let old = try await receive(stack, url, visibility: 0)[0]["ReceiptHandle"]!
        _ = try await receive(stack, url, visibility: 30)
        _ = try await stack.ok("DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": old])
        #expect(try await count(stack, url)["ApproximateNumberOfMessagesNotVisible"] == "1")
        let other = try await stack.createQueue("other")
        let wrongQueue = await stack.sqs("DeleteMessage", ["QueueUrl": .string(other), "ReceiptHandle": old])
        #expect(wrongQueue.body["__type"] == "com.amazonaws.sqs#ReceiptHandleIsInvalid")
    }

    @Test func moveTasksAreRateLimitedAndReportProgress() async throws {
        let stack = try TemporaryStack()
        let dlq = try await stack.createQueue("dlq")
        let dlqArn = "arn:aws:sqs:us-east-1:000000000000:dlq"
        _ = try await stack.createQueue("src", ["RedrivePolicy": .string(#"{"deadLetterTargetArn":"\#(dlqArn)","maxReceiveCount":1}"#)])
        let destination = try await stack.createQueue("dest")
        for index in 0..<5 { _ = try await send(stack, dlq, "m\(index)") }
        _ = try await stack.ok("StartMessageMoveTask", ["SourceArn": .string(dlqArn),
                                                        "DestinationArn": "arn:aws:sqs:us-east-1:000000000000:dest",
                                                        "MaxNumberOfMessagesPerSecond": 2])
        #expect(try await stack.queues.moveTick() == true)
        var task = try await stack.ok("ListMessageMoveTasks", ["SourceArn": .string(dlqArn)])["Results"]?[0]
        #expect(task?["ApproximateNumberOfMessagesMoved"] == 2)
        #expect(task?["Status"] == "RUNNING")
        _ = try await stack.queues.moveTick()
        _ = try await stack.queues.moveTick()
        task = try await stack.ok("ListMessageMoveTasks", ["SourceArn": .string(dlqArn)])["Results"]?[0]
        #expect(task?["Status"] == "COMPLETED")
        #expect(task?["ApproximateNumberOfMessagesMoved"] == 5)
        #expect(try await count(stack, destination)["ApproximateNumberOfMessages"] == "5")
    }

    @Test func longPollWakesWhenAMessageArrives() async throws {
        let stack = try TemporaryStack()
        let url = try await stack.createQueue("poll")
        async let polled = stack.ok("ReceiveMessage", ["QueueUrl": .string(url), "WaitTimeSeconds": 20])
        while await stack.queues.wake.waiting == 0 { await Task.yield() }
        _ = try await send(stack, url, "wake up")
        #expect(try await polled["Messages"]?[0]?["Body"] == "wake up")
    }

    @Test func deliveriesFromOtherServicesFollowTheSameRules() async throws {
        let stack = try TemporaryStack()
        _ = try await stack.createQueue("target.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true"])
        let arn = stack.queues.queueArn(name: "target.fifo")
        await #expect(throws: (any Error).self) {
            _ = try await stack.queues.deliver(QueueDelivery(body: "no group"), toQueueArn: arn, senderId: "events")
        }
        let id = try await stack.queues.deliver(QueueDelivery(body: "{}", messageGroupId: "g"), toQueueArn: arn, senderId: "events")
        #expect(id.count == 36)
        await #expect(throws: (any Error).self) {
            _ = try await stack.queues.deliver(QueueDelivery(body: "x"), toQueueArn: "arn:aws:sqs:us-east-1:000000000000:nope", senderId: "e")
        }
    }
}
