import GRDB
import Wire

/// What one write transaction of deliveries has already looked up: queue rows (a PutEvents
/// with 10 events and dozens of matches reads each target queue once) and the MD5 digest of
/// each event's text (the body most targets receive). Lives inside one transaction only, so it
/// can never serve a stale row.
final class DeliveryLookups {
    private var queues: [String: QueueRecord] = [:]
    private var digests: [String: String] = [:]
    /// Events whose text was digested and found valid as a message body before the
    /// transaction (`BodyChecks`), so the single writer does not redo it per delivery.
    private let checked: Set<String>

    init(_ checks: BodyChecks = BodyChecks()) {
        digests = checks.digests
        checked = Set(checks.digests.keys)
    }

    /// Whether the body is the event's text, already checked for SQS's character rules.
    func bodyChecked(_ body: String, event: BusEvent) -> Bool {
        checked.contains(event.id) && body.utf8.count == event.text.utf8.count && body == event.text
    }

    func queue(_ db: Database, name: String) throws -> QueueRecord {
        if let record = queues[name] { return record }
        let record = try QueueRecord.load(db, name: name)
        queues[name] = record
        return record
    }

    /// Events whose text a delivery in this transaction already stored: the event id, and the
    /// `sqs_shared_body` row once a second delivery made one.
    private var storedTexts: [String: Int64?] = [:]

    /// Where a message carrying the event's text keeps its body: nil for the first delivery
    /// (the message holds its own copy), then one shared copy that every further delivery names,
    /// counted in its `refs`. An event matched by five rules is written twice, not five times.
    func sharedBody(_ db: Database, event: BusEvent) throws -> Int64? {
        guard let stored = storedTexts[event.id] else {
            storedTexts[event.id] = .some(nil)
            return nil
        }
        if let id = stored {
            try db.run("UPDATE sqs_shared_body SET refs = refs + 1 WHERE id = ?", arguments: [id])
            // A savepoint rolled back since (a failed bus-to-bus hop) may have taken the row.
            if db.changesCount == 1 { return id }
        }
        try db.run("INSERT INTO sqs_shared_body (body, refs) VALUES (?, 1)", arguments: [event.text])
        let id = db.lastInsertedRowID
        storedTexts[event.id] = id
        return id
    }

    /// The body's MD5 when the body is the event's text (digested once per event).
    func digest(of body: String, event: BusEvent) -> String? {
        guard body.utf8.count == event.text.utf8.count, body == event.text else { return nil }
        if let digest = digests[event.id] { return digest }
        let digest = MessageAttributes.md5(body: body)
        digests[event.id] = digest
        return digest
    }
}

/// The MD5 digests of event texts that are valid SQS bodies, computed by the PutEvents caller
/// outside the write transaction: the store has one writer, the callers run in parallel.
struct BodyChecks: Sendable {
    var digests: [String: String] = [:]

    init() {}

    init(_ events: [BusEvent]) {
        for event in events {
            guard (try? MessageBody.validateCharacters(event.text, what: "message body")) != nil else { continue }
            digests[event.id] = MessageAttributes.md5(body: event.text)
        }
    }
}

/// The bus's way into SQS: enqueue one delivery inside the caller's transaction, through the
/// same validation and send path as SendMessage (size, FIFO rules, digests), so a PutEvents
/// commit and its queue deliveries are one atomic write. Every check runs before the one
/// write, so a refused delivery leaves nothing behind (no savepoint needed).
extension QueueService {
    /// `event` is given when the body is that event's text: messages on standard queues then
    /// share one stored copy of it (`DeliveryLookups.sharedBody`). FIFO queues keep their own
    /// copy, since a deduplicated send stores no message to count.
    func enqueueFromBus(_ db: Database, queueName: String, body: String, groupId: String?,
                        deduplicationId: String?, traceHeader: String?,
                        attributes: [String: MessageAttribute] = [:], now: Int64,
                        lookups: DeliveryLookups? = nil, bodyDigest: String? = nil,
                        bodyChecked: Bool = false, event: BusEvent? = nil) throws -> String {
        let queue = try lookups?.queue(db, name: queueName) ?? QueueRecord.load(db, name: queueName)
        let message = OutgoingMessage(body: body, attributes: attributes, traceHeader: traceHeader,
                                      delaySeconds: nil, groupId: queue.fifo ? groupId : nil,
                                      deduplicationId: queue.fifo ? deduplicationId : nil)
        try engine.validate(message, queue: queue, charactersChecked: bodyChecked)
        var shared: Int64?
        if let lookups, let event, !queue.fifo { shared = try lookups.sharedBody(db, event: event) }
        return try engine.send(db, queue: queue, message: message, senderId: "events.amazonaws.com", now: now,
                               bodyDigest: bodyDigest, sharedBody: shared).messageId
    }

    /// Wakes long polls on queues that just received bus deliveries (after the commit).
    func wakeReceivers(_ names: Set<String>) async {
        for name in names { await wake.signal(name) }
    }
}
