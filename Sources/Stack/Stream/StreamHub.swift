import JSON
import Patterns
import StackProtocol
import Synchronization

/// The stack's live stream: publishers (the bus, queue statistics, saga executions, the breaker
/// board) publish typed messages (`StreamMessage`) on their topics; each viewer subscribes to
/// some topics, optionally with an event pattern, and reads encoded frames from its own bounded
/// buffer. Frames are written by `StreamFrameCodec` only (StackProtocol, `docs/stream.md`).
///
/// "Never block the bus for a viewer": `publish` only appends to buffers under short locks and
/// never awaits; a viewer that falls behind loses frames and is told how many.
public final class StreamHub: Sendable {
    public static let defaultCapacity = 1024

    private struct State {
        var subscribers: [UInt64: StreamSubscription] = [:]
        var nextId: UInt64 = 1
        var sequence: [StreamTopic: Int] = [:]
        /// The last frame of retained topics (queue statistics), sent to every new subscriber.
        var retained: [StreamTopic: String] = [:]
    }

    private let state = Mutex(State())
    private let published = Mutex(0)

    public init() {}

    /// A new subscription; it receives the retained frames of its topics first.
    public func subscribe(topics: Set<StreamTopic>, pattern: EventPattern? = nil,
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

    /// Replaces a subscription's topics, pattern and `sentWithEvents`, sending retained frames
    /// of new topics.
    public func resubscribe(_ subscription: StreamSubscription, topics: Set<StreamTopic>, pattern: EventPattern?,
                            sentWithEvents: Bool = false) {
        let old = subscription.filter.topics
        subscription.setFilter(topics: topics, pattern: pattern, sentWithEvents: sentWithEvents)
        let retained = state.withLock { state in topics.subtracting(old).sorted().compactMap { state.retained[$0] } }
        for frame in retained { subscription.offer(frame) }
    }

    public func unsubscribe(_ subscription: StreamSubscription) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: subscription.id) }
        subscription.finish()
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Whether anyone listens to `topic`: publishers skip building frames nobody reads.
    public func hasSubscribers(_ topic: StreamTopic) -> Bool {
        state.withLock { state in state.subscribers.values.contains { $0.filter.topics.contains(topic) } }
    }

    /// Frames published since start (all topics).
    public var publishedCount: Int { published.withLock { $0 } }

    /// Publishes `message` on its topic as the topic's next frame. `subject` is what
    /// subscribers' event patterns are matched against (subscribers with a pattern receive only
    /// frames whose subject matches; frames without a subject pass). `retain` keeps it for new
    /// subscribers. The frame is encoded once, and only when someone with room in its buffer
    /// receives it, or it is retained.
    /// Returns how many subscribers it was offered to.
    @discardableResult
    public func publish(_ message: StreamMessage, subject: JSONValue? = nil, retain: Bool = false) -> Int {
        publish(on: message.topic, subject: subject, retain: retain) { message }
    }

    /// Publishes the `sent` change of a message that a delivery of the event `event` (its
    /// envelope) wrote, as the `messages` topic's next frame, to every viewer except those that
    /// receive it inside that event's frame (`sentWithEvents`, and the event's frame reaches
    /// them). Their `seq` of `messages` skips it. Call it before publishing the event.
    @discardableResult
    public func publish(sent change: QueueMessageChange, carriedBy event: JSONValue) -> Int {
        publish(on: .messages, skipping: { $0.takesSentWithEvents && $0.receivesEvent(event) }) { .message(change) }
    }

    /// Publishes the message `make` builds on `topic`, as `publish(_:subject:retain:)` does, but
    /// builds it only when someone with room receives it (or it is retained): to a viewer whose
    /// buffer is full, a frame costs the publisher its sequence number and a count, not the
    /// frame's values. `make` is called at most once, and must build a message on `topic`.
    ///
    /// A message that `carriesSent` (an event whose deliveries carry the messages they wrote) is
    /// encoded as it is for viewers that `takesSentWithEvents`, and without those members for
    /// the others: at most two encodings, each only when someone receives it.
    @discardableResult
    public func publish(on topic: StreamTopic, subject: JSONValue? = nil, retain: Bool = false,
                        _ make: () -> StreamMessage) -> Int {
        publish(on: topic, subject: subject, retain: retain, skipping: nil, make)
    }

    private func publish(on topic: StreamTopic, subject: JSONValue? = nil, retain: Bool = false,
                         skipping skip: ((StreamSubscription.Filter) -> Bool)?, _ make: () -> StreamMessage) -> Int {
        let (sequence, subscribers) = state.withLock { state -> (Int, [StreamSubscription]) in
            state.sequence[topic, default: 0] += 1
            return (state.sequence[topic]!, Array(state.subscribers.values))
        }
        published.withLock { $0 += 1 }
        var built: StreamMessage?
        func message() -> StreamMessage {
            if let built { return built }
            let message = make()
            built = message
            return message
        }
        // The frame as every viewer gets it, and (when the message carries sent messages) as a
        // viewer that `takesSentWithEvents` gets it.
        var frame: String?, frameWithSent: String?
        var offered = 0
        for subscriber in subscribers {
            let filter = subscriber.filter
            guard filter.topics.contains(topic) else { continue }
            if let pattern = filter.pattern, let subject, !pattern.matches(subject) { continue }
            if let skip, skip(filter) { continue }
            // A viewer with no room would drop the frame: count it without building or encoding
            // it, so a stalled viewer costs the publisher a lock and a count, not a frame.
            if subscriber.isFull {
                subscriber.dropFrame()
                continue
            }
            let text: String
            if filter.takesSentWithEvents && message().carriesSent {
                text = frameWithSent ?? StreamFrameCodec.encode(.published(message(), sequence: sequence))
                frameWithSent = text
            } else {
                text = frame ?? StreamFrameCodec.encode(.published(message(), sequence: sequence), withSent: false)
                frame = text
            }
            subscriber.offer(text)
            offered += 1
        }
        if retain {
            let retainedFrame = frame ?? StreamFrameCodec.encode(.published(message(), sequence: sequence), withSent: false)
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
