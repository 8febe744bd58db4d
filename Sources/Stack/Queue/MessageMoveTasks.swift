import Foundation
import GRDB
import JSON
import StackProtocol
import Timekeeping
import Wire

/// DLQ redrive: `StartMessageMoveTask` moves a dead-letter queue's messages back to their
/// source queues (or to one destination) at a bounded rate, recording progress in the store so
/// a task survives a restart; `ListMessageMoveTasks` reports it and `CancelMessageMoveTask`
/// stops it.
extension QueueService {
    static let defaultMoveRate = 500

    struct MoveTask: Sendable {
        var taskId: String
        var sourceArn: String
        var destinationArn: String?
        var maxPerSecond: Int?
        var status: String
        var moved: Int
        var toMove: Int
        var failureReason: String?
        var startedAt: Int64

        init(row: Row) {
            taskId = row["task_id"]
            sourceArn = row["source_arn"]
            destinationArn = row["destination_arn"]
            maxPerSecond = row["max_per_second"]
            status = row["status"]
            moved = row["moved"]
            toMove = row["to_move"]
            failureReason = row["failure_reason"]
            startedAt = row["started_at"]
        }

        var handle: String {
            let json: JSONValue = ["taskId": .string(taskId), "sourceArn": .string(sourceArn)]
            return Data(json.serialized.utf8).base64EncodedString()
        }
    }

    func startMessageMoveTask(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let sourceArn = try input.requiredString("SourceArn")
        let destinationArn = try input.string("DestinationArn")
        let rate = try input.int("MaxNumberOfMessagesPerSecond", in: 1...500,
                                 reason: "MaxNumberOfMessagesPerSecond must be between 1 and 500.")
        let naming = self.naming, engine = self.engine, now = clock.wallClockNow.milliseconds
        guard let source = naming.name(fromARN: sourceArn) else {
            throw QueueError.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
        }
        let destination = try destinationArn.map { arn throws(AWSError) -> String in
            guard let name = naming.name(fromARN: arn) else {
                throw QueueError.resourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
            }
            return name
        }
        let taskId = UUID().uuidString.lowercased()
        let task = try await store.write { db -> MoveTask in
            guard let sourceQueue = try QueueRecord.find(db, name: source) else {
                throw QueueError.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
            }
            if let destination {
                guard let target = try QueueRecord.find(db, name: destination) else {
                    throw QueueError.resourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
                }
                guard target.fifo == sourceQueue.fifo else {
                    throw QueueError.invalidParameter("The source queue and destination queue must be of the same queue type.")
                }
            }
            guard try !engine.deadLetterSources(db, name: source).isEmpty else {
                throw QueueError.invalidParameter("Source queue must be configured as a Dead Letter Queue.")
            }
            let running = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqs_move_task WHERE source_arn = ? AND status = 'RUNNING'",
                                           arguments: [sourceArn]) ?? 0
            guard running == 0 else {
                throw QueueError.unsupportedOperation("There is already a task running. Only one active message movement task is supported per queue.")
            }
            let counts = try engine.counts(db, name: source, now: now)
            try db.execute(sql: """
                INSERT INTO sqs_move_task (task_id, source_arn, destination_arn, max_per_second, status, moved, to_move, started_at)
                VALUES (?, ?, ?, ?, 'RUNNING', 0, ?, ?)
                """, arguments: [taskId, sourceArn, destinationArn, rate, counts.visible, now])
            return MoveTask(row: try Row.fetchOne(db, sql: "SELECT * FROM sqs_move_task WHERE task_id = ?", arguments: [taskId])!)
        }
        return ["TaskHandle": .string(task.handle)]
    }

    func listMessageMoveTasks(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let sourceArn = try input.requiredString("SourceArn")
        let limit = try input.int("MaxResults", in: 1...10, reason: "MaxResults must be between 1 and 10.") ?? 1
        guard let source = naming.name(fromARN: sourceArn) else {
            throw QueueError.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
        }
        let tasks = try await store.read { db -> [MoveTask] in
            guard try QueueRecord.find(db, name: source) != nil else {
                throw QueueError.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM sqs_move_task WHERE source_arn = ? ORDER BY started_at DESC, rowid DESC LIMIT ?",
                                    arguments: [sourceArn, limit]).map(MoveTask.init(row:))
        }
        return ["Results": .array(tasks.map { task in
            var object: JSONObject = [
                "Status": .string(task.status), "SourceArn": .string(task.sourceArn),
                "ApproximateNumberOfMessagesMoved": .number(Double(task.moved)),
                "ApproximateNumberOfMessagesToMove": .number(Double(task.toMove)),
                "StartedTimestamp": .number(Double(task.startedAt)),
            ]
            if task.status == "RUNNING" { object.updateValue(.string(task.handle), forKey: "TaskHandle", insertingAt: 0) }
            if let destination = task.destinationArn { object["DestinationArn"] = .string(destination) }
            if let rate = task.maxPerSecond { object["MaxNumberOfMessagesPerSecond"] = .number(Double(rate)) }
            if let reason = task.failureReason { object["FailureReason"] = .string(reason) }
            return .object(object)
        })]
    }

    func cancelMessageMoveTask(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let handle = try input.requiredString("TaskHandle")
        guard let data = Data(base64Encoded: handle), let json = try? JSONValue(parsing: Array(data)),
              let taskId = json["taskId"]?.stringValue else {
            throw QueueError.resourceNotFound("The task handle \"\(handle.prefix(200))\" is not valid or does not exist.")
        }
        let moved = try await store.write { db -> Int in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sqs_move_task WHERE task_id = ?", arguments: [taskId]) else {
                throw QueueError.resourceNotFound("The task handle \"\(handle.prefix(200))\" is not valid or does not exist.")
            }
            let task = MoveTask(row: row)
            guard task.status == "RUNNING" else {
                throw QueueError.resourceNotFound("The task is not running (status \(task.status)); only running tasks can be cancelled.")
            }
            try db.execute(sql: "UPDATE sqs_move_task SET status = 'CANCELLED' WHERE task_id = ?", arguments: [taskId])
            return task.moved
        }
        return ["ApproximateNumberOfMessagesMoved": .number(Double(moved))]
    }

    /// Drives running tasks: each second, each task moves up to its rate of visible messages.
    func runMoveTasks() async {
        while !Task.isCancelled {
            var busy = false
            do {
                busy = try await moveTick()
            } catch {
                // A store failure leaves the task RUNNING; the next tick retries.
            }
            try? await clock.sleep(for: busy ? .seconds(1) : .milliseconds(250))
        }
    }

    /// One tick over all running tasks; returns whether any task is still running.
    ///
    /// A moved message is, as in AWS ("redriven messages are considered new messages"), a new
    /// one on its destination: a new message id, a new enqueue time (`SentTimestamp`), a fresh
    /// retention period and a receive count of 0. Its body, attributes and group stay. A viewer
    /// of `messages` gets one `message-moved` frame per message, naming both ids.
    func moveTick() async throws(AWSError) -> Bool {
        let naming = self.naming, now = clock.wallClockNow.milliseconds, watching = watchesMessages
        let touched = try await store.write { db -> (running: Bool, queues: Set<String>, moves: [QueueMessageMove]) in
            let tasks = try Row.fetchAll(db, sql: "SELECT * FROM sqs_move_task WHERE status = 'RUNNING'").map(MoveTask.init(row:))
            var queues = Set<String>()
            var moves: [QueueMessageMove] = []
            var running = false
            for task in tasks {
                func finish(_ status: String, _ reason: String? = nil) throws {
                    try db.execute(sql: "UPDATE sqs_move_task SET status = ?, failure_reason = ? WHERE task_id = ?",
                                   arguments: [status, reason, task.taskId])
                }
                guard let source = naming.name(fromARN: task.sourceArn), let sourceQueue = try QueueRecord.find(db, name: source) else {
                    try finish("FAILED", "The source queue no longer exists.")
                    continue
                }
                let budget = min(task.maxPerSecond ?? Self.defaultMoveRate, task.toMove - task.moved)
                let rows = budget <= 0 ? [] : try Row.fetchAll(db, sql: """
                    SELECT seq, dlq_source_arn, id FROM sqs_message WHERE queue = ? AND visible_at <= ? AND expires_at > ?
                    \(sourceQueue.fifo ? "AND dedup_id IS NOT NULL ORDER BY seq" : "ORDER BY visible_at, seq") LIMIT ?
                    """, arguments: [source, now, now, budget])
                var moved = 0
                var failure: String?
                for row in rows {
                    let targetArn: String? = task.destinationArn ?? row[1]
                    guard let targetArn, let targetName = naming.name(fromARN: targetArn),
                          let target = try QueueRecord.find(db, name: targetName) else {
                        failure = "The destination queue of a message does not exist: \(task.destinationArn ?? (row[1] as String?) ?? "none recorded")"
                        break
                    }
                    let newId = RandomIdentifier.uuid()
                    try db.execute(sql: """
                        UPDATE sqs_message SET queue = ?, id = ?, sent_at = ?, visible_at = ?, receipt = NULL, received_at = NULL,
                            receive_count = 0, first_received_at = NULL, dlq_source_arn = NULL, expires_at = ?
                        WHERE seq = ?
                        """, arguments: [targetName, newId, now, now, now + Int64(target.settings.retentionSeconds) * 1000, row[0] as Int64])
                    if watching {
                        moves.append(QueueMessageMove(queue: source, messageId: row[2], time: now, toQueue: targetName, toMessageId: newId))
                    }
                    queues.insert(targetName)
                    moved += 1
                }
                try db.execute(sql: "UPDATE sqs_move_task SET moved = moved + ? WHERE task_id = ?", arguments: [moved, task.taskId])
                if let failure {
                    try finish("FAILED", failure)
                } else if task.moved + moved >= task.toMove || rows.count < budget {
                    try finish("COMPLETED")
                } else {
                    running = true
                }
            }
            return (running, queues, moves)
        }
        for queue in touched.queues { await wake.signal(queue) }
        publish(touched.moves)
        return touched.running
    }
}

/// A message another service delivers to a queue (EventBridge targets, Step Functions tasks).
public struct QueueDelivery: Sendable {
    public var body: String
    public var messageGroupId: String?
    public var messageDeduplicationId: String?
    /// String message attributes (name → value).
    public var stringAttributes: [String: String]
    public var traceHeader: String?

    public init(body: String, messageGroupId: String? = nil, messageDeduplicationId: String? = nil,
                stringAttributes: [String: String] = [:], traceHeader: String? = nil) {
        self.body = body
        self.messageGroupId = messageGroupId
        self.messageDeduplicationId = messageDeduplicationId
        self.stringAttributes = stringAttributes
        self.traceHeader = traceHeader
    }
}

extension QueueService {
    /// Enqueues a message on the queue with this ARN through the same rules as SendMessage;
    /// returns the message id once committed. Errors are SQS's (`QueueDoesNotExist`, ...).
    public func deliver(_ delivery: QueueDelivery, toQueueArn arn: String, senderId: String) async throws(AWSError) -> String {
        guard let name = naming.name(fromARN: arn) else { throw QueueError.queueDoesNotExist() }
        var attributes: [String: MessageAttribute] = [:]
        for (key, value) in delivery.stringAttributes {
            attributes[key] = MessageAttribute(dataType: "String", stringValue: value)
        }
        let message = OutgoingMessage(body: delivery.body, attributes: attributes, traceHeader: delivery.traceHeader,
                                      delaySeconds: nil, groupId: delivery.messageGroupId,
                                      deduplicationId: delivery.messageDeduplicationId)
        let engine = self.engine, now = clock.wallClockNow.milliseconds
        let sent = try await store.write { db in
            let queue = try QueueRecord.load(db, name: name)
            try engine.validate(message, queue: queue)
            return try engine.send(db, queue: queue, message: message, senderId: senderId, now: now)
        }
        await wake.signal(name)
        return sent.messageId
    }

    /// The ARN of a queue name in this stack's account and region.
    public func queueArn(name: String) -> String { naming.arn(name) }
}
