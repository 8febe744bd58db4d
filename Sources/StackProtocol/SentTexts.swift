import JSON
import Synchronization

/// Where one delivery's `sent` member lies in its frame's `SentTexts`, with what a viewer reads
/// of it on arrival without reading the rest: the message's id and the size of the body it
/// carries.
///
/// Why: a console following a busy bus with `sentWithEvents` receives a carried message with
/// nearly every delivery, ~30,000 a second, and lets nearly all of them go unread. Building
/// each as a `DeliveredMessage` (its id a string of its own, its queue name shared and
/// released) was a tenth of the console's work per event, and the event's deliveries kept
/// those values for as long as the tail's ring kept the event.
public struct SentText: Sendable, Hashable {
    /// The member's JSON text in `SentTexts.bytes`.
    let start: Int32
    let count: Int32
    /// The `messageId`'s bytes (unescaped) in `SentTexts.bytes`.
    let idStart: Int32
    let idCount: Int32
    /// The UTF-8 bytes of the `body` member (0 without one).
    public let bodyBytes: Int
    /// The `bodyIsEvent` member: the body is the event's own envelope.
    public let bodyIsEvent: Bool
}

/// The `sent` members of one `event` frame's deliveries as a stream reader kept them (the
/// stream's `sentWithEvents`): their JSON text, one buffer per frame, each checked member for
/// member when the frame was read (so each reads as the general decoder reads it), and read
/// into a `DeliveredMessage` only when something asks for it — once, then kept.
///
/// The frame holds it (`BusEventFrame.sentTexts`); its deliveries hold only where their text
/// lies (`SentText`). So whatever keeps a frame's deliveries without its messages (the tail's
/// ring keeps every event's) does not keep this buffer alive: it goes when the last holder of
/// the messages (the console's recent messages, a snapshot) lets them go.
public final class SentTexts: Sendable {
    let bytes: [UInt8]
    /// The messages read so far, by their text's start.
    private let read = Mutex<[Int32: DeliveredMessage]>([:])

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The message's id, from its bytes (the rest is not read).
    public func messageId(_ text: SentText) -> String {
        bytes.withUnsafeBufferPointer { all in
            String(decoding: UnsafeBufferPointer(rebasing: all[Int(text.idStart)..<Int(text.idStart + text.idCount)]), as: UTF8.self)
        }
    }

    /// Whether the message's id is `id`, compared byte for byte without making a string.
    public func hasMessageId(_ text: SentText, _ id: String) -> Bool {
        var id = id
        return id.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all in
                wanted.elementsEqual(UnsafeBufferPointer(rebasing: all[Int(text.idStart)..<Int(text.idStart + text.idCount)]))
            }
        }
    }

    /// The message, read as the general decoder reads the member (`DeliveredMessage(json:path:)`).
    public func message(_ text: SentText) -> DeliveredMessage {
        if let known = read.withLock({ $0[text.start] }) { return known }
        let member = bytes[Int(text.start)..<Int(text.start + text.count)]
        // The reader checked every member as the general decoder checks it, so this reads; the
        // fallback (the id and sizes already read) is for an invariant broken, not for input.
        let message = (try? JSONValue(parsing: member)).flatMap { value in try? DeliveredMessage(json: value, path: "sent") }
            ?? DeliveredMessage(queue: "", messageId: messageId(text), time: 0, bodySize: text.bodyBytes, bodyIsEvent: text.bodyIsEvent)
        read.withLock { $0[text.start] = message }
        return message
    }
}
