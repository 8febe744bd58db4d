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

    /// A subscriber and what it asked for. The hub owns the filter, so publishing reads it from
    /// the snapshot below without taking the subscriber's lock.
    private struct Listener: Sendable {
        let subscription: StreamSubscription
        var filter: StreamSubscription.Filter
    }

    private struct State {
        var subscribers: [UInt64: Listener] = [:]
        /// `subscribers`' values, rebuilt whenever one comes, goes or changes its filter (a
        /// viewer's few messages): a publish takes this array under the lock by reference, with
        /// no copy or allocation per frame.
        var listeners: [Listener] = []
        /// How many subscribers take each topic (`hasSubscribers`), rebuilt with `listeners`.
        var listening: [StreamTopic: Int] = [:]
        /// Who would read what a delivery's message becomes (`sentAudience`), rebuilt with `listeners`.
        var sentAudience = SentAudience()
        var nextId: UInt64 = 1
        var sequence: [StreamTopic: Int] = [:]
        /// The last frame of retained topics (queue statistics), sent to every new subscriber.
        var retained: [StreamTopic: [UInt8]] = [:]
        /// Frames published since start (all topics).
        var published = 0

        mutating func subscribersChanged() {
            listeners = subscribers.values.sorted { $0.subscription.id < $1.subscription.id }
            listening = [:]
            sentAudience = SentAudience()
            for listener in listeners {
                for topic in listener.filter.topics { listening[topic, default: 0] += 1 }
                sentAudience.add(listener.filter)
            }
        }

        /// The first of the topic's next `count` sequence numbers, counted as published.
        mutating func nextSequence(of topic: StreamTopic, count: Int = 1) -> Int {
            published += count
            return Self.advance(&sequence[topic, default: 0], by: count)
        }

        /// Adds `count` to `value` (one dictionary lookup where `+=` and a read take two) and
        /// returns the first number taken.
        private static func advance(_ value: inout Int, by count: Int) -> Int {
            value += count
            return value - count + 1
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// A new subscription; it receives the retained frames of its topics first.
    public func subscribe(topics: Set<StreamTopic>, pattern: EventPattern? = nil,
                          capacity: Int = StreamHub.defaultCapacity) -> StreamSubscription {
        let (subscription, retained) = state.withLock { state -> (StreamSubscription, [[UInt8]]) in
            let subscription = StreamSubscription(id: state.nextId, capacity: capacity)
            state.nextId += 1
            state.subscribers[subscription.id] = Listener(subscription: subscription,
                                                          filter: StreamSubscription.Filter(topics: topics, pattern: pattern))
            state.subscribersChanged()
            return (subscription, topics.sorted().compactMap { state.retained[$0] })
        }
        for frame in retained { subscription.offer(frame) }
        return subscription
    }

    /// Replaces a subscription's topics, pattern and `sentWithEvents`, sending retained frames
    /// of new topics. A subscription that has left is not subscribed again.
    public func resubscribe(_ subscription: StreamSubscription, topics: Set<StreamTopic>, pattern: EventPattern?,
                            sentWithEvents: Bool = false) {
        let retained = state.withLock { state -> [[UInt8]] in
            guard let old = state.subscribers[subscription.id]?.filter.topics else { return [] }
            state.subscribers[subscription.id]?.filter = StreamSubscription.Filter(topics: topics, pattern: pattern,
                                                                                  sentWithEvents: sentWithEvents)
            state.subscribersChanged()
            return topics.subtracting(old).sorted().compactMap { state.retained[$0] }
        }
        for frame in retained { subscription.offer(frame) }
    }

    public func unsubscribe(_ subscription: StreamSubscription) {
        state.withLock { state in
            guard state.subscribers.removeValue(forKey: subscription.id) != nil else { return }
            state.subscribersChanged()
        }
        subscription.finish()
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Whether anyone listens to `topic`: publishers skip building frames nobody reads.
    public func hasSubscribers(_ topic: StreamTopic) -> Bool {
        state.withLock { $0.listening[topic] != nil }
    }

    /// Frames published since start (all topics).
    public var publishedCount: Int { state.withLock { $0.published } }

    /// Who reads the message a delivery to a queue wrote, and how: inside its event's frame
    /// (`carried`), as a `sent` frame of its own (`frames`), both or neither. A publisher
    /// builds only what someone reads.
    public struct SentAudience: Sendable, Equatable {
        /// Some viewer takes deliveries' messages inside event frames (`takesSentWithEvents`).
        public var carried = false
        /// Some viewer of `messages` may get a delivery's `sent` frame: one without
        /// `sentWithEvents` on `events` too, or one with an event pattern (an event it does not
        /// receive still sends it the frame).
        public var frames = false

        mutating func add(_ filter: StreamSubscription.Filter) {
            guard filter.topics.contains(.messages) else { return }
            if filter.takesSentWithEvents { carried = true }
            if !filter.takesSentWithEvents || filter.pattern != nil { frames = true }
        }
    }

    /// Who reads deliveries' messages now (one lock).
    public var sentAudience: SentAudience { state.withLock { $0.sentAudience } }

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
        publish(sent: [(change, event)])
    }

    /// `publish(sent:carriedBy:)` for each of `changes` in order, as consecutive frames of
    /// `messages`, with one lock for all of them (a PutEvents call writes dozens).
    @discardableResult
    public func publish(sent changes: [(change: QueueMessageChange, carriedBy: JSONValue)]) -> Int {
        guard !changes.isEmpty else { return 0 }
        let (first, listeners) = state.withLock { state in (state.nextSequence(of: .messages, count: changes.count), state.listeners) }
        var offered = 0
        for (offset, sent) in changes.enumerated() {
            offered += offer(on: .messages, sequence: first + offset, to: listeners,
                             skipping: { $0.takesSentWithEvents && $0.receivesEvent(sent.carriedBy) }) { .message(sent.change) }
        }
        return offered
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
        let (sequence, listeners) = state.withLock { state in (state.nextSequence(of: topic), state.listeners) }
        return offer(on: topic, sequence: sequence, to: listeners, subject: subject, retain: retain, skipping: skip, make)
    }

    /// Counts `count` frames of `topic` as published that no viewer reads (their sequence
    /// numbers are taken, as `publish(sent:)` takes them for frames every viewer skips), so the
    /// topic's `seq` reads the same whether they were built or not.
    public func skip(_ count: Int, on topic: StreamTopic) {
        guard count > 0 else { return }
        state.withLock { _ = $0.nextSequence(of: topic, count: count) }
    }

    /// Publishes an `event` frame that `encode` writes whole for the sequence number it is
    /// given, with (true) or without (false) its deliveries' messages
    /// (`BusEventFrame.encodeFrame`): as `publish(on: .events, subject:)` of the same frame,
    /// with no `StreamMessage` made. `carriesSent`: the frame differs for a viewer that
    /// `takesSentWithEvents`. Each encoding is made at most once, only when someone with room
    /// receives it.
    @discardableResult
    public func publishEvent(subject: JSONValue, carriesSent: Bool, _ encode: (_ sequence: Int, _ withSent: Bool) -> [UInt8]) -> Int {
        let (sequence, listeners) = state.withLock { state in (state.nextSequence(of: .events), state.listeners) }
        return offer(on: .events, to: listeners, subject: subject, retain: false, skipping: nil,
                     carriesSent: { carriesSent }) { withSent in encode(sequence, withSent) }
    }

    /// Offers frame `sequence` of `topic` (built by `make`, at most once) to the `listeners` it
    /// reaches; see `publish(on:subject:retain:_:)`.
    private func offer(on topic: StreamTopic, sequence: Int, to listeners: [Listener], subject: JSONValue? = nil,
                       retain: Bool = false, skipping skip: ((StreamSubscription.Filter) -> Bool)?,
                       _ make: () -> StreamMessage) -> Int {
        var built: StreamMessage?
        func message() -> StreamMessage {
            if let built { return built }
            let message = make()
            built = message
            return message
        }
        return offer(on: topic, to: listeners, subject: subject, retain: retain, skipping: skip,
                     carriesSent: { message().carriesSent }) { withSent in
            StreamFrameCodec.encodeBytes(.published(message(), sequence: sequence), withSent: withSent)
        }
    }

    /// Offers a frame of `topic` to the `listeners` it reaches: `encode` writes it with (true)
    /// or without (false) what only a viewer that `takesSentWithEvents` receives, when
    /// `carriesSent` says the two differ. Each encoding is made at most once, and only when
    /// someone with room receives it (or, without, when it is retained); every viewer it goes
    /// to shares its bytes.
    private func offer(on topic: StreamTopic, to listeners: [Listener], subject: JSONValue?, retain: Bool,
                       skipping skip: ((StreamSubscription.Filter) -> Bool)?, carriesSent: () -> Bool,
                       _ encode: (_ withSent: Bool) -> [UInt8]) -> Int {
        // The frame as every viewer gets it, and (when it carries sent messages) as a viewer
        // that `takesSentWithEvents` gets it.
        var frame: [UInt8]?, frameWithSent: [UInt8]?
        var offered = 0
        for listener in listeners {
            let subscriber = listener.subscription, filter = listener.filter
            guard filter.topics.contains(topic) else { continue }
            if let pattern = filter.pattern, let subject, !pattern.matches(subject) { continue }
            if let skip, skip(filter) { continue }
            // A viewer with no room would drop the frame: count it without building or encoding
            // it, so a stalled viewer costs the publisher a lock and a count, not a frame.
            if subscriber.isFull {
                subscriber.dropFrame()
                continue
            }
            let bytes: [UInt8]
            if filter.takesSentWithEvents && carriesSent() {
                bytes = frameWithSent ?? encode(true)
                frameWithSent = bytes
            } else {
                bytes = frame ?? encode(false)
                frame = bytes
            }
            subscriber.offer(bytes)
            offered += 1
        }
        if retain {
            let retainedFrame = frame ?? encode(false)
            state.withLock { $0.retained[topic] = retainedFrame }
        }
        return offered
    }

    /// Ends every subscription (server shutdown).
    public func finishAll() {
        let all = state.withLock { state -> [StreamSubscription] in
            defer {
                state.subscribers = [:]
                state.subscribersChanged()
            }
            return state.listeners.map(\.subscription)
        }
        for subscription in all { subscription.finish() }
    }
}
