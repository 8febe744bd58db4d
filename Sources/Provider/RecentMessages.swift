import Foundation
import StackProtocol

/// One SQS message as the live stream's `messages` topic told of it: where it was sent, its
/// body (or the start of it), the EventBridge delivery that sent it when the stack knows, and
/// every change seen since, in order.
public struct QueueMessage: Sendable, Hashable, Identifiable {
    public struct Change: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case sent, received, deleted
            case deadLettered = "dead-lettered"
            case expired
            /// A move task (a DLQ redrive) moved it to `toQueue`, where it is `toMessageId`.
            case moved
            /// Its queue was purged while it was in it.
            case purged
            /// Its queue was deleted while it was in it.
            case queueDeleted = "queue-deleted"

            /// The message is gone: consumed, expired, purged or deleted with its queue.
            public var ends: Bool {
                switch self {
                case .deleted, .expired, .purged, .queueDeleted: true
                case .sent, .received, .deadLettered, .moved: false
                }
            }
        }

        public var kind: Kind
        public var at: Date
        /// The queue it happened on (a dead-lettered message's later changes are on its DLQ).
        public var queue: String
        /// `received` and `dead-lettered`: the receive count (2 and up on `received`: a retry).
        public var receiveCount: Int?
        /// `dead-lettered`: where it moved.
        public var deadLetterQueue: String?
        /// `moved`: where it moved, and its id there (AWS gives a redriven message a new one).
        public var toQueue: String?
        public var toMessageId: String?

        public init(kind: Kind, at: Date, queue: String, receiveCount: Int? = nil, deadLetterQueue: String? = nil,
                    toQueue: String? = nil, toMessageId: String? = nil) {
            self.kind = kind
            self.at = at
            self.queue = queue
            self.receiveCount = receiveCount
            self.deadLetterQueue = deadLetterQueue
            self.toQueue = toQueue
            self.toMessageId = toMessageId
        }

        /// The queue the message is on after this change (nil: it is gone).
        public var queueAfter: String? {
            switch kind {
            case .deadLettered: deadLetterQueue ?? queue
            case .moved: toQueue ?? queue
            default: kind.ends ? nil : queue
            }
        }
    }

    /// The EventBridge delivery that sent the message: the stream's own value.
    public typealias Sender = MessageSender
    /// The Step Functions execution and Task state that sent it (`sqs:sendMessage`).
    public typealias Execution = MessageExecution

    public var id: String
    /// The queue it was sent to (or, when its send was not seen, where it was first seen).
    public var queue: String
    /// The body as sent, at most 16 KiB of it; nil when the send was not seen (it happened
    /// before the console attached, or its frame was dropped).
    public var body: String?
    public var bodySize: Int?
    /// `body` is the start of a longer body.
    public var truncated: Bool
    public var sender: Sender?
    public var execution: Execution?
    /// Oldest first.
    public var changes: [Change]

    public init(id: String, queue: String, body: String? = nil, bodySize: Int? = nil, truncated: Bool = false,
                sender: Sender? = nil, execution: Execution? = nil, changes: [Change] = []) {
        self.id = id
        self.queue = queue
        self.body = body
        self.bodySize = bodySize
        self.truncated = truncated
        self.sender = sender
        self.execution = execution
        self.changes = changes
    }

    /// The ids it took on later (one per move), oldest first: changes under any of them are its.
    public var laterIds: [String] { changes.compactMap { $0.kind == .moved ? $0.toMessageId : nil } }

    /// The queue it is on as far as the frames seen tell; nil when it is gone.
    public var currentQueue: String? {
        guard let last = changes.last else { return queue }
        return last.queueAfter
    }

    /// The change that ended it, if one did.
    public var end: Change? { changes.last.flatMap { $0.kind.ends ? $0 : nil } }
}

/// The messages the stream told of lately, bounded by count and by body bytes: the oldest
/// (first seen) go first, and are counted. Kept by the provider from `messages` frames; empty
/// where there is no stream (AWS, moto), which the views say.
public struct RecentMessages: Sendable, Hashable {
    public static let defaultLimit = 5_000
    /// Bodies are at most 16 KiB each: 5,000 of them could be 80 MB, so their total is capped.
    public static let defaultBodyBudget = 8 * 1024 * 1024

    /// Oldest first (by when each was first seen); shared with snapshots, not copied.
    public private(set) var messages = MessageList()
    /// Messages let go to stay within the bounds.
    public private(set) var evicted = 0
    /// Message frames applied, and messages carried by events (a view can tell "none seen" from
    /// "none kept").
    public private(set) var changesSeen = 0
    /// The purges and queue deletions seen, oldest first, at most `emptiedLimit`.
    public private(set) var emptied: [QueueEmptiedSeen] = []
    public static let emptiedLimit = 100
    public let limit: Int
    public let bodyBudget: Int
    private var bodyBytes = 0
    /// Position in `messages` by id, offset by `removed` (positions stay valid as the front goes);
    /// a position below `removed` is a message let go. Carried messages are filed only when an
    /// id is looked up and not found (`indexCarried`): at tens of thousands a second nearly all
    /// of them go unlooked-at, and filing each was most of their cost.
    private var positions = PositionIndex()
    private var removed = 0
    /// Positions below this have their carried messages filed in `positions`.
    private var indexedTo = 0
    /// The newest position of a message whose first change seen was not its `sent` (sent before
    /// the console attached, or its frame came after a later change's): a carried message may
    /// be one of these, so while one is held each carried message is looked up before it is added.
    private var newestUnsent = -1

    public init(limit: Int = RecentMessages.defaultLimit, bodyBudget: Int = RecentMessages.defaultBodyBudget) {
        self.limit = max(1, limit)
        self.bodyBudget = bodyBudget
    }

    public func message(_ id: String) -> QueueMessage? {
        if let position = positions.position(of: id, floor: removed) { return messages[position - removed] }
        // Not filed: a carried message not looked up yet, newest first (as a later filing wins).
        var index = messages.count - 1
        while index >= max(0, indexedTo - removed) {
            let found = messages.withHeld(at: index) { held -> Bool in
                if case .carried(let carried) = held { return carried.hasId(id) }
                return false
            }
            if found { return messages[index] }
            index -= 1
        }
        return nil
    }

    /// The position of `id` when held, filing the carried messages not filed yet first.
    private mutating func position(of id: String) -> Int? {
        if let position = positions.position(of: id, floor: removed) { return position }
        guard indexCarried() else { return nil }
        return positions.position(of: id, floor: removed)
    }

    /// Files the carried messages added since the last filing; false when there were none.
    private mutating func indexCarried() -> Bool {
        let end = removed + messages.count
        let start = max(indexedTo, removed)
        indexedTo = end
        guard start < end else { return false }
        var filed = false
        for position in start..<end {
            let carriedId = messages.withHeld(at: position - removed) { held -> String? in
                if case .carried(let carried) = held { return carried.id }
                return nil
            }
            if let carriedId {
                positions.set(carriedId, to: position)
                filed = true
            }
        }
        return filed
    }

    /// One decoded `message` frame: what `apply` takes.
    struct Seen: Sendable {
        var id: String
        var change: QueueMessage.Change
        var body: String?
        var bodySize: Int?
        var truncated: Bool
        var sender: QueueMessage.Sender?
        var execution: QueueMessage.Execution?
    }

    /// Applies one decoded `message` frame.
    mutating func apply(_ frame: Seen) {
        apply(id: frame.id, change: frame.change, body: frame.body, bodySize: frame.bodySize, truncated: frame.truncated,
              sender: frame.sender, execution: frame.execution)
    }

    /// The messages an event's deliveries carried (`sentWithEvents`), each as its `sent` frame
    /// would have been applied, kept inside the event's deliveries (`HeldMessage.carried`);
    /// `eventText` is the body of those whose body is the event; `texts` holds the messages a
    /// stream reader kept as text (`BusEventFrame.sentTexts`).
    mutating func applyCarried(by deliveries: [DeliveryOutcome], texts: SentTexts? = nil, eventText: String) {
        for index in deliveries.indices where deliveries[index].hasSent {
            let carried = CarriedMessage(deliveries: deliveries, index: index, eventText: eventText, texts: texts)
            if newestUnsent >= removed, position(of: carried.id) != nil {
                // Held already (a later change came first): joins that entry as its `sent` frame would.
                apply(WireDecoding.sentMessage(carried.sent, sender: deliveries[index].sender, eventText: eventText))
                continue
            }
            changesSeen += 1
            messages.append(.carried(carried))
            bodyBytes += carried.bodyBytes
            evictOverflow()
        }
    }

    /// Applies one change; `sent` carries the body and its sender. A change for a message not
    /// held (sent before the console attached) starts an entry without a body. A `moved` change
    /// also files the message under its new id, so its later changes join this entry.
    public mutating func apply(id: String, change: QueueMessage.Change, body: String? = nil, bodySize: Int? = nil,
                               truncated: Bool = false, sender: QueueMessage.Sender? = nil, execution: QueueMessage.Execution? = nil) {
        changesSeen += 1
        let position: Int
        // A `sent` frame is never of a carried message (the stack sends one or the other), so
        // it looks among the filed ids only: it need not file the carried ones first.
        let held = change.kind == .sent ? positions.position(of: id, floor: removed) : self.position(of: id)
        if let held {
            position = held
            let index = held - removed
            var message = messages[index]
            message.changes.append(change)
            if change.kind == .sent, message.body == nil, let body {
                message.body = body
                message.bodySize = bodySize
                message.truncated = truncated
                message.sender = sender
                message.execution = execution
                bodyBytes += body.utf8.count
            }
            messages.replace(at: index, with: .whole(message))
        } else {
            position = removed + messages.count
            positions.set(id, to: position)
            if change.kind != .sent { newestUnsent = position }
            messages.append(.whole(QueueMessage(id: id, queue: change.queue, body: body, bodySize: bodySize, truncated: truncated,
                                                sender: sender, execution: execution, changes: [change])))
            bodyBytes += body?.utf8.count ?? 0
        }
        if change.kind == .moved, let newId = change.toMessageId { positions.set(newId, to: position) }
        evictOverflow()
    }

    /// A queue purged or deleted at `at`: every message held that is on it and was first seen
    /// no later than that ends there. The stream carries one frame for the whole queue (a purge
    /// of 100,000 messages is not 100,000 frames), so which messages went is read from the
    /// frames seen before it; one whose `deleted` frame was dropped would be marked here too,
    /// which the trace's note on dropped frames covers. Returns how many it marked.
    @discardableResult
    public mutating func applyEmptied(queue: String, kind: QueueMessage.Change.Kind, at: Date, count: Int) -> Int {
        changesSeen += 1
        defer { if emptied.count > Self.emptiedLimit { emptied.removeFirst(emptied.count - Self.emptiedLimit) } }
        var marked = 0
        defer { emptied.append(QueueEmptiedSeen(queue: queue, kind: kind, at: at, count: count, held: marked)) }
        for index in 0..<messages.count {
            var message = messages[index]
            guard message.currentQueue == queue, let first = message.changes.first, first.at <= at else { continue }
            message.changes.append(QueueMessage.Change(kind: kind, at: at, queue: queue))
            messages.replace(at: index, with: .whole(message))
            marked += 1
        }
        return marked
    }

    /// Lets the oldest go until within both bounds; a tenth of the limit at a time, so the
    /// front is not shifted once per message.
    private mutating func evictOverflow() {
        guard messages.count > limit || bodyBytes > bodyBudget else { return }
        var drop = 0, bytes = bodyBytes
        let atLeast = messages.count > limit ? messages.count - limit + limit / 10 : 0
        while drop < messages.count - 1, drop < atLeast || bytes > bodyBudget * 9 / 10 {
            bytes -= messages.withHeld(at: drop) { $0.bodyBytes }
            drop += 1
        }
        messages.removeFirst(drop)
        removed += drop
        positions.raise(floor: removed)
        evicted += drop
        bodyBytes = bytes
    }

    public static func == (a: RecentMessages, b: RecentMessages) -> Bool {
        a.changesSeen == b.changesSeen && a.evicted == b.evicted && a.messages == b.messages
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(changesSeen)
        hasher.combine(evicted)
        hasher.combine(messages.count)
    }
}

/// A purge or a deletion of a queue as the stream's `messages` topic told of it.
public struct QueueEmptiedSeen: Sendable, Hashable {
    public var queue: String
    /// `purged` or `queueDeleted`.
    public var kind: QueueMessage.Change.Kind
    public var at: Date
    /// Messages it removed, as the stack counted them.
    public var count: Int
    /// Of those, the ones the console held (and now shows as ended there).
    public var held: Int

    public init(queue: String, kind: QueueMessage.Change.Kind, at: Date, count: Int, held: Int) {
        self.queue = queue
        self.kind = kind
        self.at = at
        self.count = count
        self.held = held
    }
}

/// A breaker's change of state as the stream's `breakers` topic told of it.
public struct BreakerChangeSeen: Sendable, Hashable {
    /// `service/dependency`.
    public var breaker: String
    public var transition: Breaker.Transition

    public init(breaker: String, transition: Breaker.Transition) {
        self.breaker = breaker
        self.transition = transition
    }
}
