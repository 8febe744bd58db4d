import Foundation
import GRDB
import JSON
import Testing
@testable import Stack

/// SQS promises that a FIFO queue's sequence numbers only grow. Message rows no longer use
/// AUTOINCREMENT (a new row may take the seq of a deleted newest one), so the numbers come from
/// their own counter; these tests hold it to that promise, also across the schema upgrade.
@Suite struct FifoSequenceTests {
    static let url = "http://127.0.0.1:4599/000000000000/orders.fifo"

    static func send(_ stack: TemporaryStack, _ body: String) async throws -> String {
        try await stack.ok("SendMessage", ["QueueUrl": .string(url), "MessageBody": .string(body), "MessageGroupId": "g"])[
            "SequenceNumber"]?.stringValue ?? ""
    }

    /// Receives one message and deletes it; returns its body and sequence number.
    static func receiveAndDelete(_ stack: TemporaryStack) async throws -> (body: String, sequence: String)? {
        let received = try await stack.ok("ReceiveMessage", [
            "QueueUrl": .string(url), "MessageSystemAttributeNames": ["SequenceNumber"],
        ])
        guard let message = received["Messages"]?[0] else { return nil }
        _ = try await stack.ok("DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": message["ReceiptHandle"] ?? .null])
        return (message["Body"]?.stringValue ?? "", message["Attributes"]?["SequenceNumber"]?.stringValue ?? "")
    }

    @Test func sequenceNumbersGrowAfterTheNewestMessageIsDeleted() async throws {
        let stack = try TemporaryStack()
        _ = try await stack.createQueue("orders.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true"])
        let first = try await Self.send(stack, "one")
        #expect(try await Self.receiveAndDelete(stack)?.sequence == first)
        let second = try await Self.send(stack, "two")
        #expect(second.count == 20 && first.count == 20)
        #expect(second > first)
        #expect(try await Self.send(stack, "two") == second) // a duplicate answers the original's number
        #expect(try await Self.receiveAndDelete(stack)?.sequence == second)
        #expect(try await Self.send(stack, "three") > second)
    }

    @Test func anUpgradedStoreKeepsItsNumbersAndContinuesAboveTheOldHighWaterMark() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-fifo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            // The schema before the counter: seq is AUTOINCREMENT and doubles as the sequence number.
            let old = try StackStore(directory: directory, migrations: StackAssembly.migrations.filter {
                $0.identifier != "sqs-v5-fifo-sequence-numbers"
            })
            let queues = QueueService(store: old, accountId: "000000000000", region: "us-east-1")
            _ = try await queues.handle(operation: "CreateQueue", input: [
                "QueueName": "orders.fifo", "Attributes": ["FifoQueue": "true", "ContentBasedDeduplication": "true"],
            ], context: ServiceContext(requestId: "test", accountId: "000000000000", region: "us-east-1",
                                         endpoint: "http://127.0.0.1:4599"))
            try await old.write { db in
                for (index, body) in ["a", "b", "c"].enumerated() {
                    try db.execute(sql: """
                        INSERT INTO sqs_message (queue, id, body, md5_body, sender_id, sent_at, visible_at, expires_at,
                                                 group_id, dedup_id)
                        VALUES ('orders.fifo', ?, ?, ?, 'tester', 0, 0, 9999999999999, 'g', ?)
                        """, arguments: ["m-\(index)", body, MessageAttributes.md5(body: body), "d-\(body)"])
                }
                // The newest message is gone: its number (3) must not come back.
                try db.execute(sql: "DELETE FROM sqs_message WHERE id = 'm-2'")
            }
        }
        let stack = try TemporaryStack(directory: directory)
        let first = try await Self.receiveAndDelete(stack)
        #expect(first?.body == "a" && first?.sequence == QueueEngine.sequenceNumber(1))
        #expect(try await Self.send(stack, "d") == QueueEngine.sequenceNumber(4))
        #expect(try await Self.receiveAndDelete(stack)?.sequence == QueueEngine.sequenceNumber(2))
        #expect(try await Self.receiveAndDelete(stack)?.sequence == QueueEngine.sequenceNumber(4))
    }
}
