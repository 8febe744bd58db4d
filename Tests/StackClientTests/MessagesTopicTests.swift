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

    @Test("sentWithEvents over the wire: the event's frame carries the messages its deliveries wrote and no sent frame comes for them; a viewer without it gets the sent frames and the event as before")
    func sentWithEvents() async throws {
        try await withRunningStack { endpoint in
            let client = AWSClient(endpoint: endpoint)
            var arns: [String: JSONValue] = [:]
            var urls: [String: String] = [:]
            for name in ["orders", "audit"] {
                let url = try await client.call(.sqs, "CreateQueue", ["QueueName": .string(name)])["QueueUrl"]!.stringValue!
                urls[name] = url
                arns[name] = try await client.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(url), "AttributeNames": ["QueueArn"]])["Attributes"]!["QueueArn"]!
            }
            _ = try await client.call(.eventBridge, "PutRule", ["Name": "orders", "EventPattern": #"{"source":["shop.orders"]}"#])
            _ = try await client.call(.eventBridge, "PutTargets", ["Rule": "orders", "Targets": [
                ["Id": "raw", "Arn": arns["orders"]!],
                ["Id": "note", "Arn": arns["audit"]!, "Input": #"{"audit":true}"#],
            ]])

            var asked = try StreamClient(endpoint: endpoint).frameBatches(topics: [.events, .messages], sentWithEvents: true).makeAsyncIterator()
            var plain = try StreamClient(endpoint: endpoint).frameBatches(topics: [.events, .messages]).makeAsyncIterator()
            /// Frames until (and with) the `sent` frame of a message sent directly to `orders`.
            func untilDirectSend(_ iterator: inout StreamBatches.Iterator) async throws -> [StreamFrame] {
                var seen: [StreamFrame] = []
                while let batch = try await iterator.next() {
                    seen += batch
                    if batch.contains(where: { if case .published(.message(let change), _) = $0 { change.body == "direct" } else { false } }) {
                        return seen
                    }
                }
                return seen
            }
            // Both acknowledged before anything is published; the acknowledgement says whether it is in force.
            guard case .subscribed(let askedAck)? = try await asked.next()?.first,
                  case .subscribed(let plainAck)? = try await plain.next()?.first else { Issue.record("not subscribed"); return }
            #expect(askedAck.sentWithEvents && !plainAck.sentWithEvents)

            let put = try await client.call(.eventBridge, "PutEvents", ["Entries": [
                ["Source": "shop.orders", "DetailType": "Order Created", "Detail": #"{"orderId":"ord-9"}"#],
            ]])
            let eventId = try #require(put["Entries"]?[0]?["EventId"]?.stringValue)
            _ = try await client.call(.sqs, "SendMessage", ["QueueUrl": .string(urls["orders"]!), "MessageBody": "direct"])

            func events(_ frames: [StreamFrame]) -> [BusEventFrame] {
                frames.compactMap { if case .published(.event(let event), _) = $0 { event } else { nil } }
            }
            func changes(_ frames: [StreamFrame]) -> [QueueMessageChange] {
                frames.compactMap { if case .published(.message(let change), _) = $0 { change } else { nil } }
            }
            let withSent = try await untilDirectSend(&asked)
            let event = try #require(events(withSent).first)
            #expect(event.event.id == eventId && events(withSent).count == 1)
            #expect(changes(withSent).map(\.body) == ["direct"], "no sent frame for a message its event's frame carries")
            let carried = Dictionary(uniqueKeysWithValues: event.deliveries.map { ($0.targetId, $0.sent) })
            let raw = try #require(carried["raw"] ?? nil), note = try #require(carried["note"] ?? nil)
            #expect(raw.queue == "orders" && raw.bodyIsEvent && raw.body == nil && raw.bodySize == event.event.text.utf8.count)
            #expect(note.queue == "audit" && !note.bodyIsEvent && note.body == #"{"audit":true}"# && !note.truncated)

            let without = try await untilDirectSend(&plain)
            let plainEvent = try #require(events(without).first)
            #expect(plainEvent.deliveries.allSatisfy { $0.sent == nil })
            let sentFrames = changes(without).filter { $0.sender != nil }
            #expect(Set(sentFrames.map(\.messageId)) == [raw.messageId, note.messageId])
            for delivery in event.deliveries {
                let sent = try #require(delivery.sent)
                #expect(sentFrames.contains(sent.change(sender: delivery.sender)), "the sent frame, member for member")
            }
        }
    }

    /// The next published message on `messages` of any type, skipping the subscription's answer.
    private func nextMessage(_ iterator: inout AsyncThrowingStream<StreamFrame, any Error>.Iterator) async throws -> StreamMessage? {
        while let frame = try await iterator.next() {
            if case .published(let message, _) = frame { return message }
        }
        return nil
    }

    @Test("over the wire: a saga's sqs:sendMessage names its execution and state, a redrive moves the message to a new id, a purge and a queue deletion say how many went")
    func endingsAndSagaSends() async throws {
        try await withRunningStack { endpoint in
            let client = AWSClient(endpoint: endpoint)
            let dlqURL = try await client.call(.sqs, "CreateQueue", ["QueueName": "ship-dlq"])["QueueUrl"]!.stringValue!
            let dlqARN = try await client.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(dlqURL), "AttributeNames": ["QueueArn"]])["Attributes"]!["QueueArn"]!
            let url = try await client.call(.sqs, "CreateQueue", ["QueueName": "ship", "Attributes": [
                "RedrivePolicy": .string(JSONValue.object(["deadLetterTargetArn": dlqARN, "maxReceiveCount": 1]).serialized),
            ]])["QueueUrl"]!.stringValue!
            let definition = #"""
            {"StartAt": "Notify", "States": {"Notify": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
              "Parameters": {"QueueUrl": "\#(url)", "MessageBody": {"orderId.$": "$.orderId"}}, "End": true}}}
            """#
            let machine = try await client.call(.stepFunctions, "CreateStateMachine", ["name": "shipping", "roleArn": "arn:aws:iam::000000000000:role/saga",
                                                                                       "definition": .string(definition)])["stateMachineArn"]!.stringValue!

            var frames = try StreamClient(endpoint: endpoint).frames(topics: [.messages]).makeAsyncIterator()
            guard case .subscribed? = try await frames.next() else { Issue.record("not subscribed"); return }

            let execution = try await client.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(machine), "name": "ord-42",
                                                                                       "input": #"{"orderId":"ord-42"}"#])["executionArn"]!.stringValue!
            guard case .message(let sent)? = try await nextMessage(&frames) else { Issue.record("no sent frame"); return }
            #expect(sent.change == .sent && sent.queue == "ship" && sent.body == #"{"orderId":"ord-42"}"#)
            #expect(sent.execution == MessageExecution(executionArn: execution, stateName: "Notify"))
            #expect(sent.sender == nil)

            // Received, then found past maxReceiveCount: dead-lettered; then redriven to its source.
            _ = try await client.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(url), "VisibilityTimeout": 0])
            _ = try await client.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(url)])
            guard case .message(let received)? = try await nextMessage(&frames), case .message(let dead)? = try await nextMessage(&frames) else {
                Issue.record("no received and dead-lettered frames"); return
            }
            #expect(received.change == .received && dead.change == .deadLettered && dead.messageId == sent.messageId)
            _ = try await client.call(.sqs, "StartMessageMoveTask", ["SourceArn": dlqARN])
            guard case .messageMoved(let move)? = try await nextMessage(&frames) else { Issue.record("no message-moved frame"); return }
            #expect(move.queue == "ship-dlq" && move.messageId == sent.messageId && move.toQueue == "ship")
            #expect(move.toMessageId != sent.messageId)
            let again = try await client.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(url), "VisibilityTimeout": 30])
            #expect(again["Messages"]?[0]?["MessageId"]?.stringValue == move.toMessageId)
            guard case .message(let receivedAgain)? = try await nextMessage(&frames) else { Issue.record("no received frame"); return }
            #expect(receivedAgain.messageId == move.toMessageId && receivedAgain.receiveCount == 1)

            // The redriven message is in flight; a purge removes it with two more.
            _ = try await client.call(.sqs, "SendMessageBatch", ["QueueUrl": .string(url), "Entries": [
                ["Id": "a", "MessageBody": "one"], ["Id": "b", "MessageBody": "two"],
            ]])
            for _ in 0..<2 { _ = try await nextMessage(&frames) }
            _ = try await client.call(.sqs, "PurgeQueue", ["QueueUrl": .string(url)])
            guard case .queueEmptied(let purged)? = try await nextMessage(&frames) else { Issue.record("no queue-purged frame"); return }
            #expect(purged.reason == .purged && purged.queue == "ship" && purged.count == 3)

            _ = try await client.call(.sqs, "SendMessage", ["QueueUrl": .string(dlqURL), "MessageBody": "left"])
            _ = try await nextMessage(&frames)
            _ = try await client.call(.sqs, "DeleteQueue", ["QueueUrl": .string(dlqURL)])
            guard case .queueEmptied(let deleted)? = try await nextMessage(&frames) else { Issue.record("no queue-deleted frame"); return }
            #expect(deleted.reason == .deleted && deleted.queue == "ship-dlq" && deleted.count == 1)
        }
    }
}
