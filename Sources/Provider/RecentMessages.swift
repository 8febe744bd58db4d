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
        }

        public var kind: Kind
        public var at: Date
        /// The queue it happened on (a dead-lettered message's later changes are on its DLQ).
        public var queue: String
        /// `received` and `dead-lettered`: the receive count (2 and up on `received`: a retry).
        public var receiveCount: Int?
        /// `dead-lettered`: where it moved.
        public var deadLetterQueue: String?

        public init(kind: Kind, at: Date, queue: String, receiveCount: Int? = nil, deadLetterQueue: String? = nil) {
            self.kind = kind
            self.at = at
            self.queue = queue
            self.receiveCount = receiveCount
            self.deadLetterQueue = deadLetterQueue
        }
    }

    /// The EventBridge delivery that sent the message: the stream's own value.
    public typealias Sender = MessageSender

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
    /// Oldest first.
    public var changes: [Change]

    public init(id: String, queue: String, body: String? = nil, bodySize: Int? = nil, truncated: Bool = false,
                sender: Sender? = nil, changes: [Change] = []) {
        self.id = id
        self.queue = queue
        self.body = body
        self.bodySize = bodySize
        self.truncated = truncated
        self.sender = sender
        self.changes = changes
    }
}

/// The messages the stream told of lately, bounded by count and by body bytes: the oldest
/// (first seen) go first, and are counted. Kept by the provider from `messages` frames; empty
/// where there is no stream (AWS, moto), which the views say.
public struct RecentMessages: Sendable, Hashable {
    public static let defaultLimit = 5_000
    /// Bodies are at most 16 KiB each: 5,000 of them could be 80 MB, so their total is capped.
    public static let defaultBodyBudget = 8 * 1024 * 1024

    /// Oldest first (by when each was first seen); shared with snapshots, not copied.
    public private(set) var messages = ChunkedList<QueueMessage>()
    /// Messages let go to stay within the bounds.
    public private(set) var evicted = 0
    /// Message frames applied (a view can tell "none seen" from "none kept").
    public private(set) var changesSeen = 0
    public let limit: Int
    public let bodyBudget: Int
    private var bodyBytes = 0
    /// Position in `messages` by id, offset by `removed` (positions stay valid as the front goes).
    private var positions: [String: Int] = [:]
    private var removed = 0

    public init(limit: Int = RecentMessages.defaultLimit, bodyBudget: Int = RecentMessages.defaultBodyBudget) {
        self.limit = max(1, limit)
        self.bodyBudget = bodyBudget
    }

    public func message(_ id: String) -> QueueMessage? {
        positions[id].map { messages[$0 - removed] }
    }

    /// Applies one decoded `message` frame.
    mutating func apply(_ frame: (id: String, change: QueueMessage.Change, body: String?, bodySize: Int?, truncated: Bool,
                                  sender: QueueMessage.Sender?)) {
        apply(id: frame.id, change: frame.change, body: frame.body, bodySize: frame.bodySize, truncated: frame.truncated,
              sender: frame.sender)
    }

    /// Applies one change; `sent` carries the body and sender. A change for a message not held
    /// (sent before the console attached) starts an entry without a body.
    public mutating func apply(id: String, change: QueueMessage.Change, body: String? = nil, bodySize: Int? = nil,
                               truncated: Bool = false, sender: QueueMessage.Sender? = nil) {
        changesSeen += 1
        if let position = positions[id] {
            let index = position - removed
            var message = messages[index]
            message.changes.append(change)
            if change.kind == .sent, message.body == nil, let body {
                message.body = body
                message.bodySize = bodySize
                message.truncated = truncated
                message.sender = sender
                bodyBytes += body.utf8.count
            }
            messages.replace(at: index, with: message)
        } else {
            positions[id] = removed + messages.count
            messages.append(QueueMessage(id: id, queue: change.queue, body: body, bodySize: bodySize, truncated: truncated,
                                         sender: sender, changes: [change]))
            bodyBytes += body?.utf8.count ?? 0
        }
        evictOverflow()
    }

    /// Lets the oldest go until within both bounds; a tenth of the limit at a time, so the
    /// front is not shifted once per message.
    private mutating func evictOverflow() {
        guard messages.count > limit || bodyBytes > bodyBudget else { return }
        var drop = 0, bytes = bodyBytes
        let atLeast = messages.count > limit ? messages.count - limit + limit / 10 : 0
        while drop < messages.count - 1, drop < atLeast || bytes > bodyBudget * 9 / 10 {
            bytes -= messages[drop].body?.utf8.count ?? 0
            drop += 1
        }
        for index in 0..<drop { positions[messages[index].id] = nil }
        messages.removeFirst(drop)
        removed += drop
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
