/// A topic of the live stream. The stack publishes the five below; a topic is still just a
/// name on the wire, so a viewer may subscribe to one a newer stack adds.
public struct StreamTopic: RawRepresentable, Sendable, Hashable, Comparable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { rawValue = name }
    public init(stringLiteral name: String) { rawValue = name }

    /// Events put on any bus, with the rules they matched and their deliveries (`event`), and
    /// later outcomes of retried deliveries (`delivery`).
    public static let events: StreamTopic = "events"
    /// Per-queue message counts (`queue-stats`), retained: a new viewer gets the last at once.
    public static let queues: StreamTopic = "queues"
    /// Saga executions: status changes (`execution`) and each committed history event (`history`).
    public static let executions: StreamTopic = "executions"
    /// The breaker board: state changes (`breaker`) and operators' overrides (`breaker-override`).
    public static let breakers: StreamTopic = "breakers"

    /// SQS messages, one frame per change (`message`): sent (with the body's first 16 KiB),
    /// received, deleted, dead-lettered, expired. Published only while someone subscribes.
    public static let messages: StreamTopic = "messages"

    /// Every topic this version publishes, in the order a console subscribes to them.
    public static let all: [StreamTopic] = [.events, .queues, .executions, .breakers, .messages]

    public static func < (lhs: StreamTopic, rhs: StreamTopic) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }
}
