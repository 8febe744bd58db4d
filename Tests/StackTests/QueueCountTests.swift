import Foundation
import GRDB
import JSON
import StackProtocol
import Timekeeping
import Testing
@testable import Stack

/// Queue counts (GetQueueAttributes and the stream's `queues` topic) are exact and read only the
/// index `sqs_message_visibility`, never a message row, also in a store made before that index
/// (issue #15: a console watching a deep backlog should not make the bus read every body).
@Suite struct QueueCountTests {
    static let account = "000000000000"

    static func attributes(_ stack: TemporaryStack, _ url: String) async throws -> [String: String] {
        let body = try await stack.ok("GetQueueAttributes", ["QueueUrl": .string(url), "AttributeNames": ["All"]])
        var out: [String: String] = [:]
        for (key, value) in body["Attributes"]?.objectValue ?? [:] { out[key] = value.stringValue }
        return out
    }

    /// Both count paths for `name`, checked against each other and returned as one.
    static func counts(_ stack: TemporaryStack, _ name: String) async throws -> QueueCounts? {
        let attributes = try await attributes(stack, "http://127.0.0.1:4599/\(account)/\(name)")
        let statistics = try await stack.queues.statistics().first { $0.name == name }
        let answered = QueueCounts(name: name,
                                   visible: Int(attributes["ApproximateNumberOfMessages"] ?? "") ?? -1,
                                   inFlight: Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? -1,
                                   delayed: Int(attributes["ApproximateNumberOfMessagesDelayed"] ?? "") ?? -1)
        #expect(statistics == answered)
        return statistics
    }

    static func rows(_ stack: TemporaryStack) async throws -> Int {
        try await stack.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqs_message") ?? 0 }
    }

    static func send(_ stack: TemporaryStack, _ url: String, _ body: String, delay: Int? = nil) async throws {
        var input: JSONObject = ["QueueUrl": .string(url), "MessageBody": .string(body)]
        if let delay { input["DelaySeconds"] = .number(Double(delay)) }
        _ = try await stack.ok("SendMessage", .object(input))
    }

    @Test("visible, in flight and delayed are exact, expired messages left out, an empty queue all zeros")
    func countsAreExact() async throws {
        let stack = try TemporaryStack()
        let url = try await stack.createQueue("mixed", ["MessageRetentionPeriod": "60"])
        _ = try await stack.createQueue("empty")
        try await Self.send(stack, url, "expired-1")
        try await Self.send(stack, url, "expired-2")
        stack.clock.advance(by: .seconds(61))
        for body in ["v1", "v2", "v3"] { try await Self.send(stack, url, body) }
        let received = try await stack.ok("ReceiveMessage", ["QueueUrl": .string(url), "VisibilityTimeout": 30])
        #expect(received["Messages"]?[0]?["Body"] == "v1")
        try await Self.send(stack, url, "d1", delay: 10)
        try await Self.send(stack, url, "d2", delay: 20)

        // The expired rows are still stored: the counts leave them out by their expiry.
        #expect(try await Self.rows(stack) == 7)
        #expect(try await Self.counts(stack, "mixed") == QueueCounts(name: "mixed", visible: 2, inFlight: 1, delayed: 2))
        #expect(try await Self.counts(stack, "empty") == QueueCounts(name: "empty", visible: 0, inFlight: 0, delayed: 0))

        stack.clock.advance(by: .seconds(15)) // d1's delay is over
        #expect(try await Self.counts(stack, "mixed") == QueueCounts(name: "mixed", visible: 3, inFlight: 1, delayed: 1))
        stack.clock.advance(by: .seconds(15)) // v1's visibility timeout and d2's delay are over
        #expect(try await Self.counts(stack, "mixed") == QueueCounts(name: "mixed", visible: 5, inFlight: 0, delayed: 0))
        stack.clock.advance(by: .seconds(60)) // everything sent after the first two has expired too
        #expect(try await Self.counts(stack, "mixed") == QueueCounts(name: "mixed", visible: 0, inFlight: 0, delayed: 0))
    }

    static func plan(_ stack: TemporaryStack, _ sql: String, _ arguments: StatementArguments) async throws -> [String] {
        try await stack.store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
    }

    @Test("both count queries read the covering index alone; ReceiveMessage's query uses it in order, with no sort")
    func countsReadOnlyTheIndex() async throws {
        let stack = try TemporaryStack()
        _ = try await stack.createQueue("planned")
        let single = try await Self.plan(stack, QueueEngine.countSQL, [0, "planned"])
        #expect(single == ["SEARCH m USING COVERING INDEX sqs_message_visibility (queue=?)"])
        let every = try await Self.plan(stack, QueueService.statisticsSQL, [0])
        #expect(every.contains("SEARCH m USING COVERING INDEX sqs_message_visibility (queue=?) LEFT-JOIN"))
        #expect(!every.contains { $0.contains("sqs_message") && !$0.contains("COVERING INDEX") })

        // ReceiveMessage reads whole rows, so not covering, but by the index's order.
        let receive = try await Self.plan(stack, """
            SELECT body FROM sqs_message WHERE queue = ? AND visible_at <= ? AND expires_at > ?
            ORDER BY visible_at, seq LIMIT ?
            """, ["planned", 0, 0, 10])
        #expect(receive == ["SEARCH sqs_message USING INDEX sqs_message_visibility (queue=? AND visible_at<?)"])
    }

    @Test("a store made before the index gets it in place of the old one, and its counts stay exact")
    func theMigrationReplacesTheOldIndex() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-counts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let now: Int64 = ManualClock().wallClockNow.milliseconds
        do {
            let old = try StackStore(directory: directory, migrations: StackAssembly.migrations.filter {
                $0.identifier != "sqs-v6-visibility-index"
            })
            let queues = QueueService(store: old, accountId: Self.account, region: "us-east-1")
            _ = try await queues.handle(operation: "CreateQueue", input: ["QueueName": "older"],
                                        context: ServiceContext(requestId: "test", accountId: Self.account,
                                                                region: "us-east-1", endpoint: "http://127.0.0.1:4599"))
            try await old.write { db in
                // (visible_at, expires_at, receipt): two visible, one in flight, one delayed, one expired.
                let messages: [(Int64, Int64, String?)] = [
                    (now - 5, now + 60_000, nil), (now, now + 60_000, nil), (now + 30_000, now + 60_000, "r-1"),
                    (now + 10_000, now + 60_000, nil), (now - 1, now - 1, nil),
                ]
                for (index, (visibleAt, expiresAt, receipt)) in messages.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO sqs_message (queue, id, body, md5_body, sender_id, sent_at, visible_at, expires_at, receipt)
                        VALUES ('older', ?, 'body', ?, 'tester', ?, ?, ?, ?)
                        """, arguments: ["m-\(index)", MessageAttributes.md5(body: "body"), now - 10, visibleAt, expiresAt, receipt])
                }
            }
            let indexes = try await old.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_index_list('sqs_message')") }
            #expect(Set(indexes) == ["sqs_message_ready", "sqs_message_fifo_order"])
        }
        let stack = try TemporaryStack(directory: directory)
        let indexes = try await stack.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM pragma_index_list('sqs_message')")
        }
        #expect(Set(indexes) == ["sqs_message_visibility", "sqs_message_fifo_order"])
        #expect(try await Self.counts(stack, "older") == QueueCounts(name: "older", visible: 2, inFlight: 1, delayed: 1))
        let received = try await stack.ok("ReceiveMessage", [
            "QueueUrl": "http://127.0.0.1:4599/000000000000/older", "MaxNumberOfMessages": 10,
        ])
        #expect(received["Messages"]?.arrayValue?.count == 2)
    }
}
