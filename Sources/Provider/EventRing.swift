import Foundation

/// The events a provider keeps for the tail, oldest first: at most `capacity` (the console's
/// `tail_buffer`) and at most `byteLimit` bytes of envelopes, each numbered in arrival order
/// (`FlowEvent.sequence`). Past either bound the oldest are evicted and counted in `evicted` —
/// apart from `SystemSnapshot.droppedEvents`, which counts events the stream never delivered.
/// The byte bound is what keeps memory flat when events are large: 10,000 events of EventBridge's
/// 256 KB limit would be 2.5 GB.
///
/// The events live in a `ChunkedList`, so the snapshots the provider publishes share
/// them with the provider instead of copying them.
///
/// Invariants: `count <= capacity`; `bytes <= byteLimit` unless one event alone is larger (the
/// newest is always kept); sequences are consecutive.
public struct EventRing: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// The ring's default capacity: the console's `tail_buffer` default.
    public static let defaultCapacity = 10_000
    /// The envelopes' bytes held at most by default: 6,400 events of 10 KB, 256 of 256 KB.
    public static let defaultByteLimit = 64 << 20

    public let capacity: Int
    public let byteLimit: Int
    /// The envelopes' bytes held (their compact JSON text, as the stream carried it).
    public private(set) var bytes = 0
    private var events = ChunkedList<FlowEvent>()
    /// Events evicted so far to keep within `capacity` and `byteLimit`.
    public private(set) var evicted = 0
    /// The sequence number the next appended event gets.
    public private(set) var nextSequence = 0
    public var count: Int { events.count }
    /// Per source on a bus: how many held events carry it, and when it was last first seen (a
    /// stamp from `pairStamps`): kept as events come and go so that the topology map reads its
    /// source nodes without scanning the ring.
    private var pairs: [SourceOnBus: (held: Int, stamp: Int)] = [:]
    private var pairStamps = 0

    public init(capacity: Int = EventRing.defaultCapacity, byteLimit: Int = EventRing.defaultByteLimit) {
        self.capacity = Swift.max(1, capacity)
        self.byteLimit = Swift.max(1, byteLimit)
    }

    /// A ring holding `events` (the newest that fit), numbered from 0.
    public init(_ events: some Sequence<FlowEvent>, capacity: Int = EventRing.defaultCapacity,
                byteLimit: Int = EventRing.defaultByteLimit) {
        self.init(capacity: capacity, byteLimit: byteLimit)
        for event in events { append(event) }
    }

    public init(arrayLiteral events: FlowEvent...) {
        self.init(events, capacity: Swift.max(EventRing.defaultCapacity, events.count))
    }

    // MARK: reading

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(index: Int) -> FlowEvent { events[index] }

    /// The sequence number of the oldest event held (`nextSequence` when empty).
    public var firstSequence: Int { nextSequence - count }

    /// The index of the event numbered `sequence`, when it is still held.
    public func index(ofSequence sequence: Int) -> Int? {
        let index = sequence - firstSequence
        return index >= 0 && index < count ? index : nil
    }

    // MARK: changing

    /// Appends `event`, numbering it; evicts the oldest past the capacity or the byte limit.
    public mutating func append(_ event: FlowEvent) { append(event, onEviction: { _ in }) }

    /// Appends `event`, numbering it; evicts the oldest past the capacity or the byte limit,
    /// handing each to `onEviction` (oldest first) before it goes.
    public mutating func append(_ event: FlowEvent, onEviction: (FlowEvent) -> Void) {
        var event = event
        event.sequence = nextSequence
        nextSequence += 1
        events.append(event)
        bytes += Self.size(of: event)
        hold(SourceOnBus(source: event.source, bus: event.eventBusName))
        var oldestGone = 0
        while count - oldestGone > 1, count - oldestGone > capacity || bytes > byteLimit {
            // Read where it lies: a copy of the event (a retain and a release of each of its
            // references) for the three members read here was a tenth of the eviction's cost.
            let (size, pair) = events.withElement(at: oldestGone) { oldest in
                onEviction(oldest)
                return (Self.size(of: oldest), SourceOnBus(source: oldest.source, bus: oldest.eventBusName))
            }
            bytes -= size
            release(pair)
            oldestGone += 1
        }
        if oldestGone > 0 {
            events.removeFirst(oldestGone)
            evicted += oldestGone
        }
    }

    /// What an event counts against `byteLimit`: its envelope's text (a view that parses it
    /// holds the parsed value too, for the few events opened).
    static func size(of event: FlowEvent) -> Int { event.received.text.utf8.count }

    /// The sources seen on each bus among the events held, in the order each was first seen
    /// (since it was last not held).
    public var sourcesOnBuses: [SourceOnBus] {
        pairs.sorted { $0.value.stamp < $1.value.stamp }.map(\.key)
    }

    /// One lookup per event held or let go (each hashes two names). A stamp is taken on every
    /// hold, used only when the pair is new: stamps only order first sightings.
    private mutating func hold(_ pair: SourceOnBus) {
        pairs[pair, default: (held: 0, stamp: pairStamps)].held += 1
        pairStamps += 1
    }

    private mutating func release(_ pair: SourceOnBus) {
        guard let index = pairs.index(forKey: pair) else { return }
        if pairs.values[index].held > 1 {
            pairs.values[index].held -= 1
        } else {
            pairs.remove(at: index)
        }
    }

    /// Replaces the event at `index` (a later delivery outcome), keeping its sequence number.
    /// A sealed chunk is copied once (at most `chunkSize` events), never the whole ring.
    public mutating func replace(at index: Int, with event: FlowEvent) {
        precondition(index >= 0 && index < count, "event \(index) of \(count)")
        var event = event
        let old = self[index]
        event.sequence = old.sequence
        events.replace(at: index, with: event)
        bytes += Self.size(of: event) - Self.size(of: old)
        hold(SourceOnBus(source: event.source, bus: event.eventBusName))
        release(SourceOnBus(source: old.source, bus: old.eventBusName))
    }

    // MARK: Hashable

    /// Equal when they hold the same events under the same numbers.
    public static func == (a: EventRing, b: EventRing) -> Bool {
        a.capacity == b.capacity && a.byteLimit == b.byteLimit && a.nextSequence == b.nextSequence && a.evicted == b.evicted
            && a.events == b.events
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(capacity)
        hasher.combine(count)
        hasher.combine(nextSequence)
        hasher.combine(last?.id)
    }
}
