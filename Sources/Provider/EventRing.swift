import Foundation

/// The events a provider keeps for the tail, oldest first: at most `capacity` (the console's
/// `tail_buffer`), each numbered in arrival order (`FlowEvent.sequence`). Past the capacity the
/// oldest are evicted and counted in `evicted` — apart from `SystemSnapshot.droppedEvents`,
/// which counts events the stream never delivered.
///
/// Why chunks: the provider publishes a snapshot four times a second, and a snapshot holding a
/// plain `[FlowEvent]` of 10,000 events would share its buffer with the provider's copy only
/// until the next event arrived, which then copied all 10,000 (an array is copied whole on
/// write). Here the events live in sealed, immutable chunks shared by reference between the
/// provider and every snapshot; only the open chunk (fewer than `chunkSize` events) is a
/// value that is copied on write. A snapshot costs at most `capacity / chunkSize` references
/// and one small array, whatever the capacity.
///
/// Invariants: every sealed chunk holds exactly `chunkSize` events; `head` events of the first
/// sealed chunk are evicted (hidden); `count <= capacity`; sequences are consecutive.
public struct EventRing: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// An immutable run of `chunkSize` events, shared by reference.
    final class Chunk: Sendable {
        let events: [FlowEvent]
        init(_ events: [FlowEvent]) { self.events = events }
    }

    static let chunkSize = 256
    /// The ring's default capacity: the console's `tail_buffer` default.
    public static let defaultCapacity = 10_000

    public let capacity: Int
    private var sealed: [Chunk] = []
    private var open: [FlowEvent] = []
    /// Events of `sealed.first` already evicted.
    private var head = 0
    /// Events evicted so far to keep within `capacity`.
    public private(set) var evicted = 0
    /// The sequence number the next appended event gets.
    public private(set) var nextSequence = 0
    public private(set) var count = 0

    public init(capacity: Int = EventRing.defaultCapacity) {
        self.capacity = Swift.max(1, capacity)
    }

    /// A ring holding `events` (the newest `capacity` of them), numbered from 0.
    public init(_ events: some Sequence<FlowEvent>, capacity: Int = EventRing.defaultCapacity) {
        self.init(capacity: capacity)
        for event in events { append(event) }
    }

    public init(arrayLiteral events: FlowEvent...) {
        self.init(events, capacity: Swift.max(EventRing.defaultCapacity, events.count))
    }

    // MARK: reading

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(index: Int) -> FlowEvent {
        precondition(index >= 0 && index < count, "event \(index) of \(count)")
        let position = index + head
        let inSealed = sealed.count * Self.chunkSize
        if position < inSealed { return sealed[position / Self.chunkSize].events[position % Self.chunkSize] }
        return open[position - inSealed]
    }

    /// The sequence number of the oldest event held (`nextSequence` when empty).
    public var firstSequence: Int { nextSequence - count }

    /// The index of the event numbered `sequence`, when it is still held.
    public func index(ofSequence sequence: Int) -> Int? {
        let index = sequence - firstSequence
        return index >= 0 && index < count ? index : nil
    }

    // MARK: changing

    /// Appends `event`, numbering it; evicts the oldest past the capacity.
    public mutating func append(_ event: FlowEvent) {
        var event = event
        event.sequence = nextSequence
        nextSequence += 1
        open.append(event)
        count += 1
        if open.count == Self.chunkSize {
            sealed.append(Chunk(open))
            open = []
            open.reserveCapacity(Self.chunkSize)
        }
        if count > capacity {
            head += 1
            count -= 1
            evicted += 1
            if head == Self.chunkSize {
                sealed.removeFirst()
                head = 0
            }
        }
    }

    /// Replaces the event at `index` (a later delivery outcome), keeping its sequence number.
    /// A sealed chunk is copied once (at most `chunkSize` events), never the whole ring.
    public mutating func replace(at index: Int, with event: FlowEvent) {
        precondition(index >= 0 && index < count, "event \(index) of \(count)")
        var event = event
        event.sequence = self[index].sequence
        let position = index + head
        let inSealed = sealed.count * Self.chunkSize
        if position < inSealed {
            var events = sealed[position / Self.chunkSize].events
            events[position % Self.chunkSize] = event
            sealed[position / Self.chunkSize] = Chunk(events)
        } else {
            open[position - inSealed] = event
        }
    }

    // MARK: Hashable

    /// Equal when they hold the same events under the same numbers; sealed chunks shared by
    /// reference compare without reading their events.
    public static func == (a: EventRing, b: EventRing) -> Bool {
        guard a.capacity == b.capacity, a.count == b.count, a.nextSequence == b.nextSequence, a.evicted == b.evicted else {
            return false
        }
        if a.head == b.head, a.sealed.count == b.sealed.count {
            return zip(a.sealed, b.sealed).allSatisfy { $0 === $1 || $0.events == $1.events } && a.open == b.open
        }
        return a.elementsEqual(b)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(capacity)
        hasher.combine(count)
        hasher.combine(nextSequence)
        hasher.combine(last?.id)
    }
}
