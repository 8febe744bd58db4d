import Foundation
import StackProtocol

/// One message as `RecentMessages` holds it: whole, or still inside the `event` frame whose
/// delivery carried it (the stream's `sentWithEvents`).
///
/// Why two forms: under a busy stream ~30,000 messages a second arrive carried by their events,
/// and nearly all of them are let go from the 5,000-message window within a fraction of a second,
/// never looked at. Building each as a `QueueMessage` (its strings, its sender, its list of
/// changes) and filing its id cost the console more than any other part of its state. A carried
/// message is kept as a reference to its event's deliveries (shared by every message of the
/// event) and its place among them; the `QueueMessage` is built when a view reads it, and the
/// message becomes whole when a later change of it arrives.
///
/// Invariant: a carried message's delivery has a `sent` member.
enum HeldMessage: Sendable, Hashable {
    indirect case whole(QueueMessage)
    case carried(CarriedMessage)

    /// The message as views read it.
    var message: QueueMessage {
        switch self {
        case .whole(let message): message
        case .carried(let carried): carried.message
        }
    }

    /// The message's id, read without building the message.
    var id: String {
        switch self {
        case .whole(let message): message.id
        case .carried(let carried): carried.id
        }
    }

    /// The UTF-8 bytes of the body held, as `RecentMessages` counts them against its budget.
    var bodyBytes: Int {
        switch self {
        case .whole(let message): message.body?.utf8.count ?? 0
        case .carried(let carried): carried.bodyBytes
        }
    }

    /// Equal when they read as the same message, whichever form each is in.
    static func == (a: HeldMessage, b: HeldMessage) -> Bool {
        if case .carried(let x) = a, case .carried(let y) = b, x.isSame(as: y) { return true }
        return a.message == b.message
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(id)
    }
}

/// A message a delivery carried in its event's frame: the frame's deliveries (one array shared by
/// all of the event's messages, and by the event in the tail's ring), which of them wrote it, the
/// envelope's text (its body when `bodyIsEvent`), and the frame's `SentTexts` when the reader
/// kept the messages as text (then only their ids and body sizes are read until a view asks).
/// Reads as `WireDecoding.sentMessage` would have made it.
struct CarriedMessage: Sendable {
    let deliveries: [DeliveryOutcome]
    let index: Int
    let eventText: String
    let texts: SentTexts?

    /// The message the delivery carried.
    var sent: DeliveredMessage {
        if let sent = deliveries[index].sent { return sent }
        guard let text = deliveries[index].keptSent, let texts else { preconditionFailure("a carried message's delivery carries it") }
        return texts.message(text)
    }

    var id: String {
        if let text = deliveries[index].keptSent, let texts { return texts.messageId(text) }
        return sent.messageId
    }

    /// Whether its id is `id`, without making a string of its own.
    func hasId(_ id: String) -> Bool {
        if let text = deliveries[index].keptSent, let texts { return texts.hasMessageId(text, id) }
        return sent.messageId == id
    }

    var bodyBytes: Int {
        if let text = deliveries[index].keptSent { return text.bodyIsEvent ? eventText.utf8.count : text.bodyBytes }
        let sent = sent
        return sent.bodyIsEvent ? eventText.utf8.count : sent.body?.utf8.count ?? 0
    }

    var message: QueueMessage {
        let delivery = deliveries[index]
        let seen = WireDecoding.sentMessage(sent, sender: delivery.sender, eventText: eventText)
        return QueueMessage(id: seen.id, queue: seen.change.queue, body: seen.body, bodySize: seen.bodySize, truncated: seen.truncated,
                            sender: seen.sender, execution: seen.execution, changes: [seen.change])
    }

    /// The same delivery of the same frame (a copy of the value), without reading either.
    func isSame(as other: CarriedMessage) -> Bool {
        index == other.index && deliveries.sharesStorage(with: other.deliveries)
    }
}

/// The messages `RecentMessages` holds, oldest first, read as `QueueMessage`s (a carried one is
/// built when read). Shares its storage with snapshots as `ChunkedList` does.
public struct MessageList: Sendable, Hashable, RandomAccessCollection {
    private(set) var held = ChunkedList<HeldMessage>()

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { held.count }
    public subscript(index: Int) -> QueueMessage { held.withElement(at: index) { $0.message } }

    mutating func append(_ message: HeldMessage) { held.append(message) }
    mutating func replace(at index: Int, with message: HeldMessage) { held.replace(at: index, with: message) }
    mutating func removeFirst(_ k: Int) { held.removeFirst(k) }
    func withHeld<Result>(at index: Int, _ read: (HeldMessage) -> Result) -> Result { held.withElement(at: index, read) }

    public static func == (a: MessageList, b: MessageList) -> Bool { a.held == b.held }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(held.count)
        if held.count > 0 { hasher.combine(held.withElement(at: held.count - 1) { $0.id }) }
    }
}
