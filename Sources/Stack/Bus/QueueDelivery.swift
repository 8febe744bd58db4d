import GRDB
import StackProtocol
import Wire

/// What one write transaction of deliveries has already looked up: queue rows (a PutEvents
/// with 10 events and dozens of matches reads each target queue once), send statements, and
/// the MD5 digests of event texts not checked beforehand; and what it archived, written at its
/// end (`finish`). Lives inside one transaction only, so it can never serve a stale row; every
/// write that delivers calls `finish` before it returns.
final class DeliveryLookups {
    private var queues: [String: QueueRecord] = [:]
    private var digests: [String: String] = [:]

    /// The messages this transaction's deliveries sent, for the `messages` topic; nil when
    /// nobody watches it, so an unwatched delivery builds nothing.
    var sentMessages: [QueueMessageChange]?

    init(sharesBodies: Bool = false, recordsMessages: Bool = false) {
        self.sharesBodies = sharesBodies
        sentMessages = recordsMessages ? [] : nil
    }

    /// Whether the body is the event's text, already checked for SQS's character rules.
    func bodyChecked(_ body: String, event: BusEvent) -> Bool {
        event.queueBody.digest != nil && body.utf8.count == event.text.utf8.count && body == event.text
    }

    /// The send statements every delivery of this transaction shares.
    func statements(_ db: Database) throws -> SendStatements {
        if let sendStatements { return sendStatements }
        let made = try SendStatements(db)
        sendStatements = made
        return made
    }

    private var sendStatements: SendStatements?

    func queue(_ db: Database, name: String) throws -> QueueRecord {
        if let record = queues[name] { return record }
        let record = try QueueRecord.load(db, name: name)
        queues[name] = record
        return record
    }

    /// Whether queue messages carrying an event's text may share one stored copy of it with
    /// its archive entries: only for a caller that settles the copies' counts before its
    /// transaction ends (PutEvents).
    private let sharesBodies: Bool
    /// Shared copies made in this transaction, by event id: the count each was stored with
    /// (the holders expected to name it: queue deliveries and archives) and those that did.
    /// An event id names one text among the events a transaction shares or archives: a
    /// bus-to-bus hop forwards the text unchanged, and a replayed event (whose text adds
    /// `replay-name`) is never archived.
    private var shared: [String: (id: Int64, stored: Int, refs: Int)] = [:]

    /// Where a message carrying the event's text keeps its body: nil when it is the event's
    /// only holder (it holds its own copy), else one shared copy that it, the event's other
    /// messages and its archive entries name. An event matched by five rules and archived is
    /// written once, not six times. Messages of a bus-to-bus hop keep their own copies: hops
    /// run in savepoints, and a rolled-back one could take a copy that later messages name.
    func sharedBody(_ db: Database, event: BusEvent) throws -> Int64? {
        let expected = event.queueBody.sharedCopyHolders
        guard sharesBodies, event.depth == 0, expected > 1 else { return nil }
        return try sharedCopy(db, event: event, expected: expected)
    }

    /// The event's shared copy, named by one more holder: the one made in this transaction, or
    /// a new one stored with `expected` holders.
    private func sharedCopy(_ db: Database, event: BusEvent, expected: Int) throws -> Int64 {
        if let known = shared.index(forKey: event.id) {
            shared.values[known].refs += 1
            return shared.values[known].id
        }
        let id = try statements(db).insertSharedBody(db, event.text, refs: expected)
        shared[event.id] = (id, expected, 1)
        return id
    }

    /// The events bus-to-bus hops of this transaction archived, in order, written as segments
    /// by `finish`.
    private var archived: [(archive: String, time: Int64, archivedAt: Int64, event: BusEvent)] = []

    /// Keeps `event` (its envelope's `time` is `time`, Unix ms), which a bus-to-bus hop brought
    /// to a bus of `archives`, in each of them; written when the transaction's deliveries are
    /// done (`finish`), its text inline in its segments (a hop's messages keep their own copies).
    func archive(_ event: BusEvent, in archives: [String], time: Int64, archivedAt: Int64) {
        for archive in archives { archived.append((archive, time, archivedAt, event)) }
    }

    /// How many events were archived so far: a delivery run in a savepoint takes it before,
    /// and forgets what it archived (`forgetArchived(since:)`) if the savepoint rolled back.
    var archivedMark: Int { archived.count }

    func forgetArchived(since mark: Int) {
        archived.removeSubrange(mark...)
    }

    /// Ends the transaction's deliveries: writes the archived events' segments (`prepared`,
    /// built by PutEvents before the write, then what hops archived), then settles the shared
    /// copies' counts. Must run after the last delivery, outside any savepoint (a copy made here
    /// is never rolled back under the entries naming it).
    ///
    /// A prepared entry that names its event's shared copy names the one its queue messages
    /// made, or one made here if every delivery was refused.
    func finish(_ db: Database, prepared: PreparedArchive = PreparedArchive()) throws {
        var segments = prepared.segments
        for (slot, event) in prepared.pending {
            segments.name(try sharedCopy(db, event: event, expected: event.queueBody.sharedCopyHolders), at: slot)
        }
        for (archive, time, archivedAt, event) in archived {
            segments.add(archive: archive, time: time, inline: event.text, archivedAt: archivedAt)
        }
        archived = []
        try segments.insert(db)
        try settleSharedBodies(db)
    }

    /// Corrects the count of each shared copy that fewer (or more) holders named than it was
    /// stored with (a delivery was refused; a hop's archive named it too). A count that is
    /// never corrected is too high, never too low: a copy can outlive its holders, not leave
    /// one without a body.
    private func settleSharedBodies(_ db: Database) throws {
        for copy in shared.values where copy.refs != copy.stored {
            try db.run("UPDATE sqs_shared_body SET refs = ? WHERE id = ?", arguments: [copy.refs, copy.id])
        }
    }

    /// The body's MD5 when the body is the event's text (digested once per event).
    func digest(of body: String, event: BusEvent) -> String? {
        guard body.utf8.count == event.text.utf8.count, body == event.text else { return nil }
        if let digest = event.queueBody.digest ?? digests[event.id] { return digest }
        let digest = MessageAttributes.md5(body: body)
        digests[event.id] = digest
        return digest
    }
}

/// What the PutEvents caller works out about an event's text outside the write transaction
/// (the store has one writer, the callers run in parallel).
struct QueueBodyCheck: Sendable {
    /// The text's MD5 when it is a valid SQS message body; nil when unchecked or invalid.
    var digest: String?
    /// How many of the event's deliveries carry its text to a standard queue.
    var standardQueueDeliveries = 0
    /// How many archives name the event's stored copy, like its messages: its archives when
    /// its text has that copy anyway (`countArchives`), else 0 (they hold the text inline).
    var archives = 0

    /// How many messages and archive entries will name the event's one stored copy of its text.
    var sharedCopyHolders: Int { standardQueueDeliveries + archives }
}

extension BusEvent {
    /// Checks the text as a message body and counts the deliveries of it to standard queues
    /// among the targets of `rules` (the rules it matched on its bus).
    mutating func checkForQueues(_ rules: [RoutedRule]) {
        guard (try? MessageBody.validateCharacters(text, what: "message body")) != nil else { return }
        var count = 0
        for rule in rules {
            for (target, kind) in zip(rule.targets, rule.kinds) where target.deliversEventText {
                if case .queue(let name)? = kind, !QueueNaming.isFifo(name) { count += 1 }
            }
        }
        queueBody.digest = MessageAttributes.md5(body: text)
        queueBody.standardQueueDeliveries = count
    }

    /// Counts the `count` archives that keep the event among the holders of its text's shared
    /// copy when it has one anyway (put by PutEvents and carried to two or more standard
    /// queues): archiving it then adds a count, not a text. Otherwise its archives hold the text
    /// inline in their segments, and its messages store their bodies as without an archive (an
    /// archive never makes a copy of its own for one message to share).
    mutating func countArchives(_ count: Int) {
        queueBody.archives = depth == 0 && queueBody.standardQueueDeliveries >= 2 ? count : 0
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
                        bodyChecked: Bool = false, event: BusEvent? = nil) throws -> SentMessage {
        let queue = try lookups?.queue(db, name: queueName) ?? QueueRecord.load(db, name: queueName)
        let message = OutgoingMessage(body: body, attributes: attributes, traceHeader: traceHeader,
                                      delaySeconds: nil, groupId: queue.fifo ? groupId : nil,
                                      deduplicationId: queue.fifo ? deduplicationId : nil)
        try engine.validate(message, queue: queue, charactersChecked: bodyChecked)
        var shared: Int64?
        if let lookups, let event, !queue.fifo { shared = try lookups.sharedBody(db, event: event) }
        return try engine.send(db, queue: queue, message: message, senderId: "events.amazonaws.com", now: now,
                               bodyDigest: bodyDigest, sharedBody: shared, statements: lookups?.statements(db))
    }

    /// Wakes long polls on queues that just received bus deliveries (after the commit).
    func wakeReceivers(_ names: Set<String>) async {
        for name in names { await wake.signal(name) }
    }
}
