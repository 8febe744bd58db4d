import Foundation
import GRDB
import JSON
import Wire

/// SQS semantics over the store: every function runs inside one write (or read) transaction
/// handed in by the service, so each operation commits atomically or not at all.
struct QueueEngine: Sendable {
    let naming: QueueNaming

    /// Returns the name of the created (or identical existing) queue.
    func createQueue(_ db: Database, name: String, attributes: [(String, String)], tags: [(String, String)],
                     now: Int64) throws -> String {
        guard QueueNaming.isValidName(name) else {
            throw QueueError.invalidParameter(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
        }
        let fifoRequested = attributes.first { $0.0 == "FifoQueue" }?.1 == "true"
        let fifo = QueueNaming.isFifo(name)
        if fifoRequested != fifo {
            throw QueueError.invalidParameter(fifo
                ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length. Set the FifoQueue attribute to true."
                : "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
        }
        var settings = QueueSettings(values: fifo ? QueueSettings.fifoDefaults : QueueSettings.standardDefaults)
        try settings.apply(attributes, fifo: fifo, creating: true, naming: naming)
        try checkRedrive(db, settings: settings, queueName: name, fifo: fifo)
        let tagMap = try validatedTags(tags, existing: [:])
        if let existing = try QueueRecord.find(db, name: name) {
            for (key, value) in settings.values where existing.settings.values[key] != value {
                throw QueueError.queueNameExists(
                    "A queue already exists with the same name and a different value for attribute \(key)")
            }
            for key in existing.settings.values.keys where settings.values[key] == nil {
                throw QueueError.queueNameExists(
                    "A queue already exists with the same name and a different value for attribute \(key)")
            }
            return name
        }
        try QueueRecord(name: name, fifo: fifo, settings: settings, tags: tagMap, createdAt: now, modifiedAt: now)
            .insert(db)
        return name
    }

    /// A redrive policy must name an existing queue of the same type that allows this source.
    func checkRedrive(_ db: Database, settings: QueueSettings, queueName: String, fifo: Bool) throws {
        guard let text = settings.values["RedrivePolicy"] else { return }
        let policy = try RedrivePolicy.parse(text)
        func invalid(_ reason: String) -> AWSError {
            QueueError.invalidParameter("Value \(text) for parameter RedrivePolicy is invalid. Reason: \(reason)")
        }
        guard let dlqName = naming.name(fromARN: policy.deadLetterTargetArn),
              let dlq = try QueueRecord.find(db, name: dlqName) else {
            throw invalid("Dead-letter target does not exist.")
        }
        guard dlq.fifo == fifo else { throw invalid("Dead-letter queue must be same type of queue as the source.") }
        guard dlqName != queueName else { throw invalid("Dead-letter target cannot be the source queue itself.") }
        if let allowText = dlq.settings.values["RedriveAllowPolicy"] {
            let allow = try RedriveAllowPolicy.parse(allowText)
            guard allow.allows(naming.arn(queueName)) else {
                throw invalid("Dead-letter target owner does not allow this source queue to redrive messages to it.")
            }
        }
    }

    func validatedTags(_ tags: [(String, String)], existing: [String: String]) throws(AWSError) -> [String: String] {
        var out = existing
        for (key, value) in tags {
            guard !key.isEmpty, key.utf8.count <= 128, value.utf8.count <= 256 else {
                throw QueueError.invalidParameter("Tag keys must be 1 to 128 characters and values at most 256: '\(key.prefix(140))'.")
            }
            guard !key.lowercased().hasPrefix("aws:") else {
                throw QueueError.invalidParameter("Tag keys must not start with 'aws:': '\(key)'.")
            }
            out[key] = value
        }
        guard out.count <= 50 else {
            throw QueueError.invalidParameter("Too many tags: a queue can have at most 50 tags.")
        }
        return out
    }

    /// Deletes the queue and its messages; returns how many messages went with it.
    func deleteQueue(_ db: Database, name: String) throws -> Int {
        _ = try QueueRecord.load(db, name: name)
        let removed = try Self.deleteMessages(db, where: "queue = ?", arguments: [name])
        try db.execute(sql: "DELETE FROM sqs_dedup WHERE queue = ?", arguments: [name])
        try db.execute(sql: "DELETE FROM sqs_queue WHERE name = ?", arguments: [name])
        return removed
    }

    func listQueues(_ db: Database, prefix: String?, after: String?, limit: Int) throws -> (names: [String], more: Bool) {
        var sql = "SELECT name FROM sqs_queue WHERE 1"
        var arguments: StatementArguments = []
        if let prefix, !prefix.isEmpty {
            sql += " AND substr(name, 1, ?) = ?"
            _ = arguments.append(contentsOf: [prefix.count, prefix])
        }
        if let after {
            sql += " AND name > ?"
            _ = arguments.append(contentsOf: [after])
        }
        sql += " ORDER BY name LIMIT ?"
        _ = arguments.append(contentsOf: [limit + 1])
        let names = try String.fetchAll(db, sql: sql, arguments: arguments)
        return (Array(names.prefix(limit)), names.count > limit)
    }

    struct Counts: Sendable, Equatable {
        var visible = 0
        var inFlight = 0
        var delayed = 0
    }

    /// Visible, in flight and delayed, summed over the messages `m` with `?1` as now; expired
    /// messages are left out by the query's `m.expires_at > ?1`. Reads only columns of the index
    /// `sqs_message_visibility`, so a count never reads a message row (a test holds the plan to it).
    static let countColumns = """
        COALESCE(SUM(m.visible_at <= ?1), 0),
        COALESCE(SUM(m.visible_at > ?1 AND m.receipt IS NOT NULL), 0),
        COALESCE(SUM(m.visible_at > ?1 AND m.receipt IS NULL), 0)
        """

    /// One queue's counts: `?1` now, `?2` the queue.
    static let countSQL = "SELECT \(countColumns) FROM sqs_message m WHERE m.queue = ?2 AND m.expires_at > ?1"

    func counts(_ db: Database, name: String, now: Int64) throws -> Counts {
        let row = try Row.fetchOne(db, sql: Self.countSQL, arguments: [now, name])
        return Counts(visible: row?[0] ?? 0, inFlight: row?[1] ?? 0, delayed: row?[2] ?? 0)
    }

    func attributes(_ db: Database, name: String, requested: [String], now: Int64) throws -> [String: String] {
        let queue = try QueueRecord.load(db, name: name)
        var wanted = Set<String>()
        for attribute in requested {
            if attribute == "All" {
                wanted.formUnion(QueueSettings.all)
            } else if QueueSettings.all.contains(attribute) {
                wanted.insert(attribute)
            } else {
                throw QueueError.invalidAttributeName(attribute)
            }
        }
        var out: [String: String] = [:]
        if !wanted.isDisjoint(with: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                     "ApproximateNumberOfMessagesDelayed"]) {
            let counts = try counts(db, name: name, now: now)
            out["ApproximateNumberOfMessages"] = String(counts.visible)
            out["ApproximateNumberOfMessagesNotVisible"] = String(counts.inFlight)
            out["ApproximateNumberOfMessagesDelayed"] = String(counts.delayed)
        }
        out["CreatedTimestamp"] = String(queue.createdAt / 1000)
        out["LastModifiedTimestamp"] = String(queue.modifiedAt / 1000)
        out["QueueArn"] = naming.arn(name)
        for (key, value) in queue.settings.values { out[key] = value }
        return out.filter { wanted.contains($0.key) }
    }

    func setAttributes(_ db: Database, name: String, changes: [(String, String)], now: Int64) throws {
        var queue = try QueueRecord.load(db, name: name)
        try queue.settings.apply(changes, fifo: queue.fifo, creating: false, naming: naming)
        try checkRedrive(db, settings: queue.settings, queueName: name, fifo: queue.fifo)
        queue.modifiedAt = now
        try queue.update(db)
    }

    /// Removes every message of the queue (in flight and delayed ones too); returns how many.
    func purge(_ db: Database, name: String, now: Int64) throws -> Int {
        var queue = try QueueRecord.load(db, name: name)
        if let purgedAt = queue.purgedAt, now - purgedAt < 60_000 {
            throw QueueError.purgeInProgress(naming.arn(name))
        }
        let removed = try Self.deleteMessages(db, where: "queue = ?", arguments: [name])
        queue.purgedAt = now
        try queue.update(db)
        return removed
    }

    func tag(_ db: Database, name: String, tags: [(String, String)]) throws {
        var queue = try QueueRecord.load(db, name: name)
        queue.tags = try validatedTags(tags, existing: queue.tags)
        try queue.update(db)
    }

    func untag(_ db: Database, name: String, keys: [String]) throws {
        var queue = try QueueRecord.load(db, name: name)
        for key in keys { queue.tags[key] = nil }
        try queue.update(db)
    }

    /// Queues whose redrive policy targets `name`.
    func deadLetterSources(_ db: Database, name: String) throws -> [String] {
        _ = try QueueRecord.load(db, name: name)
        let arn = naming.arn(name)
        return try Row.fetchAll(db, sql: "SELECT name, settings FROM sqs_queue ORDER BY name").compactMap { row in
            let settings = QueueSettings(values: QueueRecord.decodeMap(row[1]))
            return settings.redrive?.deadLetterTargetArn == arn ? row[0] as String : nil
        }
    }

    func addPermission(_ db: Database, name: String, label: String, accounts: [String], actions: [String]) throws {
        var queue = try QueueRecord.load(db, name: name)
        guard !label.isEmpty, label.utf8.count <= 80,
              label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw QueueError.invalidValue(label, parameter: "Label", reason: "Must be 1 to 80 alphanumeric characters, hyphens or underscores.")
        }
        guard !accounts.isEmpty else { throw QueueError.missingParameter("AWSAccountIds") }
        guard !actions.isEmpty else { throw QueueError.missingParameter("Actions") }
        guard actions.count <= Self.maxActionsPerStatement else {
            throw QueueError.overLimit("\(actions.count) Actions were found, maximum allowed is \(Self.maxActionsPerStatement).")
        }
        for action in actions where !Self.grantableActions.contains(action) {
            throw QueueError.invalidValue("SQS:\(action)", parameter: "ActionName",
                                          reason: "Only the queue owner is allowed to invoke this action.")
        }
        var policy = queue.settings.values["Policy"].flatMap { try? JSONValue(parsing: $0) }?.objectValue
            ?? ["Version": "2012-10-17", "Id": .string("\(naming.arn(name))/SQSDefaultPolicy"), "Statement": []]
        var statements = policy["Statement"]?.arrayValue ?? []
        guard !statements.contains(where: { $0["Sid"]?.stringValue == label }) else {
            throw QueueError.invalidValue(label, parameter: "Label", reason: "Already exists.")
        }
        statements.append([
            "Sid": .string(label),
            "Effect": "Allow",
            "Principal": ["AWS": Self.oneOrMany(accounts.map { "arn:aws:iam::\($0):root" })],
            "Action": Self.oneOrMany(actions.map { "SQS:\($0)" }),
            "Resource": .string(naming.arn(name)),
        ])
        policy["Statement"] = .array(statements)
        queue.settings.values["Policy"] = JSONValue.object(policy).serialized
        try queue.update(db)
    }

    /// What AddPermission may grant to another account: the actions SQS shares (the batch forms
    /// come with their single forms); the rest stay the owner's.
    static let grantableActions: Set<String> = [
        "*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
        "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage",
    ]

    /// SQS's policy quota: at most seven actions in one statement.
    static let maxActionsPerStatement = 7

    /// A policy member as SQS writes it: one value as a string, several as a list.
    static func oneOrMany(_ values: [String]) -> JSONValue {
        values.count == 1 ? .string(values[0]) : .array(values.map { .string($0) })
    }

    func removePermission(_ db: Database, name: String, label: String) throws {
        var queue = try QueueRecord.load(db, name: name)
        guard var policy = queue.settings.values["Policy"].flatMap({ try? JSONValue(parsing: $0) })?.objectValue,
              let statements = policy["Statement"]?.arrayValue,
              statements.contains(where: { $0["Sid"]?.stringValue == label }) else {
            throw QueueError.invalidValue(label, parameter: "Label", reason: "can't find label on existing policy.")
        }
        let remaining = statements.filter { $0["Sid"]?.stringValue != label }
        policy["Statement"] = .array(remaining)
        queue.settings.values["Policy"] = remaining.isEmpty ? nil : JSONValue.object(policy).serialized
        try queue.update(db)
    }
}
