import Crypto
import Foundation
import GRDB
import JSON
import StackProtocol
import Wire

/// A validated message to enqueue.
struct OutgoingMessage: Sendable {
    var body: String
    var attributes: [String: MessageAttribute]
    var traceHeader: String?
    var delaySeconds: Int?
    var groupId: String?
    var deduplicationId: String?
}

/// What SendMessage answers.
struct SentMessage: Sendable {
    var messageId: String
    var md5OfBody: String
    var md5OfAttributes: String?
    var md5OfSystemAttributes: String?
    var sequenceNumber: String?
    /// A FIFO send within the deduplication window of an earlier one: the answer is the earlier
    /// message's, and nothing was enqueued (so nothing is published on `messages`).
    var duplicate = false
}

/// One message handed out by a receive.
struct ReceivedMessage: Sendable {
    var messageId: String
    var receiptHandle: String
    var body: String
    var md5OfBody: String
    var attributes: [String: MessageAttribute]
    var system: [String: String]
}

/// The statements of a send, looked up once for a run of sends in one transaction (a PutEvents
/// writes dozens of messages) rather than once per message.
final class SendStatements {
    let insertMessage: DirectStatement
    /// A body copy several messages share (`sqs_shared_body`); made on first use.
    private var sharedBodyInsert: DirectStatement?

    init(_ db: Database) throws {
        insertMessage = try DirectStatement(db, sql: """
            INSERT INTO sqs_message (queue, id, body, attributes, md5_body, trace_header, sender_id, sent_at,
                                     visible_at, expires_at, group_id, dedup_id, body_ref, sequence_number)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// Stores one copy of `body` for `refs` messages to share (the caller corrects the count if
    /// fewer name it); returns its id.
    func insertSharedBody(_ db: Database, _ body: String, refs: Int) throws -> Int64 {
        let statement = try sharedBodyInsert ?? DirectStatement(db, sql: "INSERT INTO sqs_shared_body (body, refs) VALUES (?, ?)")
        sharedBodyInsert = statement
        return try statement.execute { $0.bind(body); $0.bind(Int64(refs)) }
    }
}

extension QueueEngine {
    static let dedupWindowMillis: Int64 = 5 * 60 * 1000

    /// Checks a message against the queue's rules (size, type-specific parameters) before the
    /// write; the same checks every path in (SendMessage, batches, bus deliveries) goes through.
    func validate(_ message: OutgoingMessage, queue: QueueRecord, charactersChecked: Bool = false) throws(AWSError) {
        guard !message.body.isEmpty else { throw QueueError.missingParameter("MessageBody") }
        if !charactersChecked { try MessageBody.validateCharacters(message.body, what: "message body") }
        let size = message.body.utf8.count
            + message.attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.size }
        guard size <= queue.settings.maximumMessageSize else {
            throw QueueError.invalidParameter(
                "One or more parameters are invalid. Reason: Message must be shorter than \(queue.settings.maximumMessageSize) bytes.")
        }
        if let delay = message.delaySeconds {
            guard (0...900).contains(delay) else {
                throw QueueError.invalidValue(String(delay), parameter: "DelaySeconds",
                                              reason: "DelaySeconds must be >= 0 and <= 900.")
            }
            // FIFO queues take no per-message delay; 0 asks for none, so SQS accepts it.
            if queue.fifo, delay != 0 {
                throw QueueError.invalidValue(String(delay), parameter: "DelaySeconds",
                                              reason: "The request include parameter that is not valid for this queue type.")
            }
        }
        if queue.fifo {
            guard let group = message.groupId else { throw QueueError.missingParameter("MessageGroupId") }
            try Self.checkFifoToken(group, parameter: "MessageGroupId")
            if let dedup = message.deduplicationId {
                try Self.checkFifoToken(dedup, parameter: "MessageDeduplicationId")
            } else if !queue.settings.contentBasedDeduplication {
                throw QueueError.invalidParameter(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
            }
        } else {
            if let dedup = message.deduplicationId {
                throw QueueError.invalidValue(dedup, parameter: "MessageDeduplicationId",
                                              reason: "The request include parameter that is not valid for this queue type")
            }
            if let group = message.groupId { try Self.checkFifoToken(group, parameter: "MessageGroupId") }
        }
    }

    /// Group and deduplication ids: 1–128 characters of letters, digits and punctuation.
    static func checkFifoToken(_ value: String, parameter: String) throws(AWSError) {
        let valid = !value.isEmpty && value.utf8.count <= 128
            && value.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
        guard valid else {
            throw QueueError.invalidValue(value, parameter: parameter,
                                          reason: "\(parameter) can only include alphanumeric and punctuation characters. 1 to 128 in length.")
        }
    }

    /// Enqueues one validated message; FIFO duplicates within the 5-minute window answer with
    /// the original message's id and sequence number and enqueue nothing.
    /// `bodyDigest` is the body's MD5 when the caller already has it. `sharedBody` is the id of
    /// an `sqs_shared_body` row holding the body (the caller made it and counts this message
    /// in its `refs`): the message then stores no copy of its own. `statements` are the ones a
    /// run of sends in one transaction shares.
    func send(_ db: Database, queue: QueueRecord, message: OutgoingMessage, senderId: String,
              now: Int64, bodyDigest: String? = nil, sharedBody: Int64? = nil,
              statements: SendStatements? = nil) throws -> SentMessage {
        let md5Body = bodyDigest ?? MessageAttributes.md5(body: message.body)
        let md5Attributes = message.attributes.isEmpty ? nil : MessageAttributes.md5(message.attributes)
        let md5System = message.traceHeader.map {
            MessageAttributes.md5(["AWSTraceHeader": MessageAttribute(dataType: "String", stringValue: $0)])
        }
        var dedupKey: String?
        if queue.fifo {
            let dedup = message.deduplicationId
                ?? SigV4.hexSHA256(Array(message.body.utf8))
            dedupKey = queue.settings.deduplicationPerGroup ? "\(message.groupId ?? "")\u{0}\(dedup)" : dedup
            // Expired entries are ignored here and replaced below; the sweeper removes the rest.
            if let row = try db.fetchRow("SELECT message_id, seq FROM sqs_dedup WHERE queue = ? AND dedup_key = ? AND expires_at > ?",
                                          arguments: [queue.name, dedupKey, now]) {
                return SentMessage(messageId: row[0], md5OfBody: md5Body, md5OfAttributes: md5Attributes,
                                   md5OfSystemAttributes: md5System, sequenceNumber: Self.sequenceNumber(row[1]), duplicate: true)
            }
        }
        let messageId = RandomIdentifier.uuid()
        // A FIFO queue's own delay applies to every message (a per-message 0 does not lift it).
        let delay = queue.fifo ? queue.settings.delaySeconds : message.delaySeconds ?? queue.settings.delaySeconds
        let sequence = queue.fifo ? try Self.nextFifoSequence(db) : nil
        try (statements ?? SendStatements(db)).insertMessage.execute { row in
            row.bind(queue.name)
            row.bind(messageId)
            row.bind(sharedBody == nil ? message.body : "")
            row.bind(MessageAttributes.encode(message.attributes))
            row.bind(md5Body)
            row.bind(message.traceHeader)
            row.bind(senderId)
            row.bind(now)
            row.bind(now + Int64(delay) * 1000)
            row.bind(now + Int64(queue.settings.retentionSeconds) * 1000)
            row.bind(message.groupId)
            row.bind(queue.fifo ? (message.deduplicationId ?? dedupKey) : nil)
            row.bind(sharedBody)
            row.bind(sequence)
        }
        if let dedupKey, let sequence {
            try db.run("INSERT OR REPLACE INTO sqs_dedup (queue, dedup_key, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [queue.name, dedupKey, messageId, sequence, now + Self.dedupWindowMillis])
        }
        return SentMessage(messageId: messageId, md5OfBody: md5Body, md5OfAttributes: md5Attributes,
                           md5OfSystemAttributes: md5System, sequenceNumber: sequence.map(Self.sequenceNumber))
    }

    /// The next FIFO sequence number: one counter for the store, so numbers only ever grow,
    /// across queues, deletions and restarts.
    static func nextFifoSequence(_ db: Database) throws -> Int64 {
        guard let next = try Int64.fetchOne(db.cachedStatement(
            sql: "UPDATE sqs_fifo_sequence SET last = last + 1 WHERE id = 1 RETURNING last")) else {
            throw AWSError.internalFailure("The FIFO sequence counter is missing from the store.")
        }
        return next
    }

    static func sequenceNumber(_ seq: Int64) -> String {
        let digits = String(seq)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Hands out up to `limit` visible messages, making each invisible for `visibility`
    /// seconds. Messages past their queue's `maxReceiveCount` move to the dead-letter queue
    /// instead. FIFO queues never hand out a message while an earlier one of its group is in
    /// flight or delayed.
    /// `moved`, when not nil, collects the messages moved to the dead-letter queue (for the
    /// `messages` topic).
    func receive(_ db: Database, queue: QueueRecord, limit: Int, visibility: Int, now: Int64,
                 moved: inout [QueueMessageChange]?) throws -> [ReceivedMessage] {
        let redrive = queue.settings.redrive
        let dlq = try redrive.flatMap { policy in
            try naming.name(fromARN: policy.deadLetterTargetArn).flatMap { try QueueRecord.find(db, name: $0) }
        }
        var picked: [Int64] = []
        let columns = "seq, receive_count, group_id, visible_at, expires_at"
        if queue.fifo {
            var blocked = Set<String>()
            // `dedup_id IS NOT NULL` holds for every FIFO message and selects the order index.
            let rows = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM sqs_message WHERE queue = ? AND dedup_id IS NOT NULL ORDER BY seq",
                                           arguments: [queue.name])
            var toMove: [Int64] = []
            while picked.count < limit, let row = try rows.next() {
                if (row[4] as Int64) <= now { continue } // past retention: invisible, swept later
                let group: String = row[2] ?? ""
                if blocked.contains(group) { continue }
                let visibleAt: Int64 = row[3]
                if visibleAt > now { blocked.insert(group); continue }
                if let redrive, dlq != nil, (row[1] as Int) >= redrive.maxReceiveCount {
                    toMove.append(row[0])
                    continue
                }
                picked.append(row[0])
            }
            if let dlq { for seq in toMove { try moveToDeadLetter(db, seq: seq, from: queue, to: dlq, now: now, moved: &moved) } }
        } else {
            while picked.count < limit {
                let rows = try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT \(columns) FROM sqs_message WHERE queue = ? AND visible_at <= ? AND expires_at > ? ORDER BY visible_at, seq LIMIT ?"),
                    arguments: [queue.name, now, now, limit - picked.count])
                if rows.isEmpty { break }
                var movedAny = false
                for row in rows {
                    if let redrive, let dlq, (row[1] as Int) >= redrive.maxReceiveCount {
                        try moveToDeadLetter(db, seq: row[0], from: queue, to: dlq, now: now, moved: &moved)
                        movedAny = true
                    } else {
                        picked.append(row[0])
                    }
                }
                if !movedAny { break }
            }
        }
        guard !picked.isEmpty else { return [] }
        let visibleAt = now + Int64(visibility) * 1000
        // One statement for the whole receive; it hands back what the answer needs. One nonce
        // per receive is enough: a handle names its message's seq too, so each stays unique,
        // and any later receive of the message changes the nonce it must carry.
        let nonce = ReceiptHandle.newNonce()
        let placeholders = repeatElement("?", count: picked.count).joined(separator: ",")
        var arguments: [(any DatabaseValueConvertible)?] = [nonce, now, visibleAt, now]
        arguments += picked.map { $0 }
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            UPDATE sqs_message SET receive_count = receive_count + 1, receipt = ?, received_at = ?, visible_at = ?,
                first_received_at = COALESCE(first_received_at, ?) WHERE seq IN (\(placeholders))
            RETURNING \(Self.receivedColumns), seq
            """), arguments: StatementArguments(arguments))
        var bySeq: [Int64: Row] = [:]
        for row in rows { bySeq[row[13]] = row }
        return picked.compactMap { seq in bySeq[seq].map { received($0, queue: queue, seq: seq, nonce: nonce) } }
    }

    static let receivedColumns = """
        id, CASE WHEN body_ref IS NULL THEN body ELSE (SELECT body FROM sqs_shared_body WHERE id = body_ref) END, \
        attributes, md5_body, trace_header, sender_id, sent_at, receive_count, first_received_at, \
        group_id, dedup_id, dlq_source_arn, sequence_number
        """

    /// The message `seq` as a receive answers it, with the receipt handle for `nonce`.
    func received(_ db: Database, queue: QueueRecord, seq: Int64, nonce: String) throws -> ReceivedMessage? {
        guard let row = try db.fetchRow("SELECT \(Self.receivedColumns) FROM sqs_message WHERE seq = ?",
                                        arguments: [seq]) else { return nil }
        return received(row, queue: queue, seq: seq, nonce: nonce)
    }

    /// A message row (`receivedColumns`) as a receive answers it.
    func received(_ row: Row, queue: QueueRecord, seq: Int64, nonce: String) -> ReceivedMessage {
        var system: [String: String] = [
            "SenderId": row[5],
            "SentTimestamp": String(row[6] as Int64),
            "ApproximateReceiveCount": String(row[7] as Int),
            "ApproximateFirstReceiveTimestamp": String(row[8] as Int64),
        ]
        if let trace: String = row[4] { system["AWSTraceHeader"] = trace }
        if let group: String = row[9] { system["MessageGroupId"] = group }
        if queue.fifo {
            system["SequenceNumber"] = Self.sequenceNumber(row[12] ?? seq)
            if let dedup: String = row[10] { system["MessageDeduplicationId"] = dedup }
        }
        if let source: String = row[11] { system["DeadLetterQueueSourceArn"] = source }
        return ReceivedMessage(
            messageId: row[0], receiptHandle: ReceiptHandle(queue: queue.name, seq: seq, nonce: nonce).encoded,
            body: row[1], md5OfBody: row[3], attributes: MessageAttributes.decode(row[2]), system: system)
    }

    /// FIFO `ReceiveRequestAttemptId`: a retried receive within 5 minutes answers the same
    /// messages and receipt handles, as long as none of them was deleted, made visible again or
    /// had its visibility changed; otherwise it is a new receive. Returns nil for a new receive.
    func repeatedAttempt(_ db: Database, queue: QueueRecord, attemptId: String, now: Int64) throws -> [ReceivedMessage]? {
        guard let row = try db.fetchRow(
            "SELECT entries FROM sqs_receive_attempt WHERE queue = ? AND attempt_id = ? AND created_at > ?",
            arguments: [queue.name, attemptId, now - Self.dedupWindowMillis]) else { return nil }
        var out: [ReceivedMessage] = []
        for entry in (row[0] as String).split(separator: ",") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let seq = Int64(parts[0]) else { return nil }
            let nonce = String(parts[1])
            guard let state = try db.fetchRow("SELECT receipt, visible_at FROM sqs_message WHERE seq = ? AND queue = ?",
                                              arguments: [seq, queue.name]),
                  (state[0] as String?) == nonce, (state[1] as Int64) > now,
                  let message = try received(db, queue: queue, seq: seq, nonce: nonce) else { return nil }
            out.append(message)
        }
        return out
    }

    /// Remembers which messages (and receives) a FIFO receive attempt handed out.
    func recordAttempt(_ db: Database, queue: QueueRecord, attemptId: String, messages: [ReceivedMessage], now: Int64) throws {
        let entries = messages.compactMap { message -> String? in
            guard let data = Data(base64Encoded: message.receiptHandle) else { return nil }
            let parts = String(decoding: data, as: UTF8.self).split(separator: "\n")
            return parts.count == 4 ? "\(parts[2]):\(parts[3])" : nil
        }.joined(separator: ",")
        try db.run("DELETE FROM sqs_receive_attempt WHERE created_at <= ?", arguments: [now - Self.dedupWindowMillis])
        try db.run("INSERT OR REPLACE INTO sqs_receive_attempt (queue, attempt_id, created_at, entries) VALUES (?, ?, ?, ?)",
                   arguments: [queue.name, attemptId, now, entries])
    }

    /// Moves one message to a dead-letter queue: visible there at once, its receive count kept,
    /// the source recorded (for `DeadLetterQueueSourceArn` and move tasks back to the source).
    func moveToDeadLetter(_ db: Database, seq: Int64, from source: QueueRecord, to dlq: QueueRecord, now: Int64,
                          moved: inout [QueueMessageChange]?) throws {
        if moved != nil, let row = try db.fetchRow("SELECT id, receive_count FROM sqs_message WHERE seq = ?", arguments: [seq]) {
            moved?.append(QueueMessageChange(change: .deadLettered, queue: source.name, messageId: row[0], time: now,
                                             receiveCount: row[1], deadLetterQueue: dlq.name))
        }
        try db.run("""
            UPDATE sqs_message SET queue = ?, visible_at = ?, receipt = NULL, received_at = NULL,
                dlq_source_arn = ?, expires_at = sent_at + ? WHERE seq = ?
            """, arguments: [dlq.name, now, naming.arn(source.name), Int64(dlq.settings.retentionSeconds) * 1000, seq])
    }

    /// Deletes the message a current receipt handle names. A handle from an earlier receive of a
    /// message that was received again, or of a message already deleted, succeeds and deletes
    /// nothing, as SQS does. With `naming`, returns the id of the message it deleted (nil when
    /// it deleted none), for the `messages` topic; without, nil and no extra read.
    @discardableResult
    func delete(_ db: Database, queue: QueueRecord, handle: ReceiptHandle, naming: Bool = false) throws -> String? {
        let id = naming ? try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM sqs_message WHERE seq = ? AND queue = ? AND receipt = ?"),
                                              arguments: [handle.seq, queue.name, handle.nonce]) : nil
        try Self.deleteMessages(db, where: "seq = ? AND queue = ? AND receipt = ?",
                                arguments: [handle.seq, queue.name, handle.nonce])
        return id
    }

    /// Deletes the messages `condition` selects and releases the shared body copies they named
    /// (a copy goes with the last message naming it). Every way a message leaves goes through
    /// here: delete, purge, queue deletion, retention. Returns how many messages went.
    @discardableResult
    static func deleteMessages(_ db: Database, where condition: String, arguments: StatementArguments) throws -> Int {
        let refs = try Int64?.fetchAll(db.cachedStatement(sql: "DELETE FROM sqs_message WHERE \(condition) RETURNING body_ref"),
                                       arguments: arguments)
        try releaseSharedBodies(db, refs)
        return refs.count
    }

    /// Releases the shared body copies that deleted rows named (`body_ref` of each, nil for a
    /// row with its own copy): a copy goes with the last row naming it. Archived events name
    /// copies too (the entries of archive segments, BusArchiveStore), and release them here the
    /// same way.
    static func releaseSharedBodies(_ db: Database, _ refs: [Int64?]) throws {
        var released: [Int64: Int] = [:]
        for case let ref? in refs { released[ref, default: 0] += 1 }
        for (id, count) in released {
            try db.run("UPDATE sqs_shared_body SET refs = refs - ? WHERE id = ?", arguments: [count, id])
            try db.run("DELETE FROM sqs_shared_body WHERE id = ? AND refs <= 0", arguments: [id])
        }
    }

    func changeVisibility(_ db: Database, queue: QueueRecord, handle: ReceiptHandle, timeout: Int, now: Int64) throws {
        guard let row = try db.fetchRow("SELECT receipt, visible_at, received_at FROM sqs_message WHERE seq = ? AND queue = ?",
                                         arguments: [handle.seq, queue.name]) else {
            throw QueueError.invalidParameter(
                "Value \(handle.encoded) for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.")
        }
        let receipt: String? = row[0]
        let visibleAt: Int64 = row[1]
        guard receipt == handle.nonce, visibleAt > now else { throw QueueError.messageNotInflight() }
        let receivedAt: Int64 = row[2] ?? now
        let newVisibleAt = now + Int64(timeout) * 1000
        guard newVisibleAt - receivedAt <= 43_200 * 1000 else {
            throw QueueError.invalidValue(String(timeout), parameter: "VisibilityTimeout",
                                          reason: "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
        }
        try db.run("UPDATE sqs_message SET visible_at = ? WHERE seq = ?", arguments: [newVisibleAt, handle.seq])
    }

    /// When the next message of the queue becomes visible (a long poll sleeps until then).
    func nextVisibleAt(_ db: Database, queue: String, now: Int64) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MIN(visible_at) FROM sqs_message WHERE queue = ? AND visible_at > ?",
                           arguments: [queue, now])
    }
}

extension Database {
    /// Executes a statement compiled once per connection: the message hot paths run the same
    /// few statements thousands of times a second.
    func run(_ sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// Fetches one row through a statement compiled once per connection.
    func fetchRow(_ sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }
}
