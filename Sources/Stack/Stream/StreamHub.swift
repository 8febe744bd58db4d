import JSON
import Patterns
import Synchronization

/// The stack's live stream: publishers (the bus, queue statistics, later saga executions and
/// breakers) publish frames on named topics; each viewer subscribes to some topics, optionally
/// with an event pattern, and reads from its own bounded buffer.
///
/// "Never block the bus for a viewer": `publish` only appends to buffers under short locks and
/// never awaits; a viewer that falls behind loses frames and is told how many.
public final class StreamHub: Sendable {
    /// The topics the stack publishes today; others may be added by new publishers.
    public static let eventsTopic = "events"
    public static let queuesTopic = "queues"
    public static let defaultCapacity = 1024

    private struct State {
        var subscribers: [UInt64: StreamSubscription] = [:]
        var nextId: UInt64 = 1
        var sequence: [String: Int] = [:]
        /// The last frame of retained topics (queue statistics), sent to every new subscriber.
        var retained: [String: String] = [:]
    }

    private let state = Mutex(State())
    private let published = Mutex(0)

    public init() {}

    /// A new subscription; it receives the retained frames of its topics first.
    public func subscribe(topics: Set<String>, pattern: EventPattern? = nil,
                          capacity: Int = StreamHub.defaultCapacity) -> StreamSubscription {
        let (subscription, retained) = state.withLock { state -> (StreamSubscription, [String]) in
            let subscription = StreamSubscription(id: state.nextId, capacity: capacity, topics: topics, pattern: pattern)
            state.nextId += 1
            state.subscribers[subscription.id] = subscription
            return (subscription, topics.sorted().compactMap { state.retained[$0] })
        }
        for frame in retained { subscription.offer(frame) }
        return subscription
    }

    /// Replaces a subscription's topics and pattern, sending retained frames of new topics.
    public func resubscribe(_ subscription: StreamSubscription, topics: Set<String>, pattern: EventPattern?) {
        let old = subscription.filter.topics
        subscription.setFilter(topics: topics, pattern: pattern)
        let retained = state.withLock { state in topics.subtracting(old).sorted().compactMap { state.retained[$0] } }
        for frame in retained { subscription.offer(frame) }
    }

    public func unsubscribe(_ subscription: StreamSubscription) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: subscription.id) }
        subscription.finish()
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Whether anyone listens to `topic`: publishers skip building frames nobody reads.
    public func hasSubscribers(_ topic: String) -> Bool {
        state.withLock { state in state.subscribers.values.contains { $0.filter.topics.contains(topic) } }
    }

    /// Frames published since start (all topics).
    public var publishedCount: Int { published.withLock { $0 } }

    /// Publishes `data` on `topic` as a versioned frame of `type`. `subject` is what subscribers'
    /// event patterns are matched against (subscribers with a pattern receive only frames whose
    /// subject matches; frames without a subject pass). `retain` keeps it for new subscribers.
    /// Returns how many subscribers it was offered to.
    @discardableResult
    public func publish(topic: String, type: String, data: JSONValue, subject: JSONValue? = nil,
                        retain: Bool = false) -> Int {
        let (sequence, subscribers) = state.withLock { state -> (Int, [StreamSubscription]) in
            state.sequence[topic, default: 0] += 1
            return (state.sequence[topic]!, Array(state.subscribers.values))
        }
        published.withLock { $0 += 1 }
        var frame: String?
        func text() -> String {
            if let frame { return frame }
            let made = StreamFrames.data(topic: topic, type: type, sequence: sequence, data: data)
            frame = made
            return made
        }
        var offered = 0
        for subscriber in subscribers {
            let filter = subscriber.filter
            guard filter.topics.contains(topic) else { continue }
            if let pattern = filter.pattern, let subject, !pattern.matches(subject) { continue }
            subscriber.offer(text())
            offered += 1
        }
        if retain {
            let retainedFrame = text()
            state.withLock { $0.retained[topic] = retainedFrame }
        }
        return offered
    }

    /// Ends every subscription (server shutdown).
    public func finishAll() {
        let all = state.withLock { state -> [StreamSubscription] in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscription in all { subscription.finish() }
    }
}

/// The stream's frames (version 1), documented in the README. Every frame is a JSON object
/// with `"v":1` and a `type`.
public enum StreamFrames {
    public static let version = 1

    static func data(topic: String, type: String, sequence: Int, data: JSONValue) -> String {
        JSONValue.object(["v": .number(Double(version)), "type": .string(type), "topic": .string(topic),
                          "seq": .number(Double(sequence)), "data": data]).serialized
    }

    static func dropped(_ count: Int) -> String {
        "{\"v\":1,\"type\":\"dropped\",\"count\":\(count)}"
    }

    static func subscribed(topics: [String], pattern: Bool, capacity: Int) -> String {
        JSONValue.object(["v": .number(Double(version)), "type": "subscribed",
                          "topics": .array(topics.map { .string($0) }), "filtered": .bool(pattern),
                          "buffer": .number(Double(capacity))]).serialized
    }

    static func error(_ code: String, _ message: String) -> String {
        JSONValue.object(["v": .number(Double(version)), "type": "error", "code": .string(code),
                          "message": .string(message)]).serialized
    }
}
