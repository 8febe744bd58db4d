import Foundation
import StackProtocol
import Timekeeping

/// The bus's traffic over the last minute, counted from the live stream's frames as they
/// arrive: events per bus, per source and per source on a bus, deliveries by outcome and per
/// route (rule and target), and frames the stream dropped for this viewer, in one bucket per
/// second (`window` of them). The tail's rates strip and the topology map's live labels both
/// read it, so they agree, and neither scans the tail's ring to count. A value: the caller passes
/// the instant of each frame (the provider's injected clock), so tests drive it with a
/// `ManualClock`. Buckets are reused as the seconds pass; memory stays that of 60 buckets.
public struct TrafficRates: Sendable, Hashable {
    /// Seconds kept.
    public static let window = 60

    /// What arrived in one second.
    public struct Bucket: Sendable, Hashable {
        /// The second (since the clock's origin) these counts belong to.
        public var second: Int64
        public var events = 0
        public var byBus: [String: Int] = [:]
        public var bySource: [String: Int] = [:]
        public var byOutcome: [Delivery.Status: Int] = [:]
        public var bySourceOnBus: [SourceOnBus: Int] = [:]
        /// Deliveries made per route (counted when the event is reported).
        public var byRoute: [DeliveryRoute: Int] = [:]
        /// Deliveries reported failed or dead-lettered per route (by the event or a later
        /// delivery frame).
        public var failedByRoute: [DeliveryRoute: Int] = [:]
        /// Frames of any topic the stream dropped for this viewer: events among them are not
        /// counted above, so the counts of such a second are a lower bound.
        public var dropped = 0
    }

    private var buckets: [Bucket]
    /// The newest second counted: the series end there.
    public private(set) var now: Int64
    /// The wall-clock time of the newest frame counted: a reader with only a wall clock (a
    /// pane) moves the window on from it (`seconds(at:)`). Kept in the value rather than
    /// advancing it on every snapshot, so that a quiet stream leaves the snapshot unchanged
    /// (an idle console does not redraw).
    public private(set) var latest: Date?

    public init(at instant: MonotonicInstant = MonotonicInstant(nanosecondsSinceOrigin: 0)) {
        now = Self.second(of: instant)
        buckets = Array(repeating: Bucket(second: 0), count: Self.window)
        for second in now - Int64(Self.window) + 1...now { buckets[Self.slot(second)] = Bucket(second: second) }
    }

    static func second(of instant: MonotonicInstant) -> Int64 {
        instant.nanosecondsSinceOrigin >= 0 ? instant.nanosecondsSinceOrigin / 1_000_000_000
            : (instant.nanosecondsSinceOrigin + 1) / 1_000_000_000 - 1
    }

    // MARK: counting

    /// Counts what `frame` says happened, at `instant` (`date` on the wall clock).
    public mutating func record(_ frame: StreamFrame, at instant: MonotonicInstant, date: Date) {
        switch frame {
        case .published(.event, _), .published(.delivery, _), .dropped: latest = date
        default: return
        }
        switch frame {
        case .published(.event(let event), _):
            update(at: instant) { bucket in
                bucket.count(bus: event.bus, source: event.event.summary.source ?? "")
                // Each outcome's three members read in place: a loop over the outcomes copied
                // each one whole (nine strings retained and released) to read three of them.
                event.outcomes.withUnsafeBufferPointer { outcomes in
                    for index in outcomes.indices {
                        bucket.count(DeliveryRoute(rule: outcomes[index].rule, target: outcomes[index].targetArn),
                                     Self.status(outcomes[index].status), made: true)
                    }
                }
            }
        case .published(.delivery(let outcome), _):
            update(at: instant) {
                $0.count(DeliveryRoute(rule: outcome.rule, target: outcome.targetArn), Self.status(outcome.status), made: false)
            }
        case .dropped(let count):
            update(at: instant) { $0.dropped += count }
        default:
            break
        }
    }

    /// The same counts with the window moved on to `instant`: seconds without frames count 0.
    public func advanced(to instant: MonotonicInstant) -> TrafficRates {
        var copy = self
        copy.advance(to: Self.second(of: instant))
        return copy
    }

    /// The window as it stands at wall-clock `date`: moved on by the whole seconds since the
    /// newest frame counted.
    public func advanced(to date: Date) -> TrafficRates {
        guard let latest else { return self }
        let seconds = Int64(max(0, date.timeIntervalSince(latest)).rounded(.down))
        var copy = self
        copy.advance(to: now + seconds)
        return copy
    }

    private mutating func update(at instant: MonotonicInstant, _ change: (inout Bucket) -> Void) {
        let second = Self.second(of: instant)
        // A frame stamped before the window (a clock that went back) counts in the oldest second.
        advance(to: second)
        let at = max(second, now - Int64(Self.window) + 1)
        change(&buckets[Self.slot(at)])
    }

    private mutating func advance(to second: Int64) {
        guard second > now else { return }
        for passed in max(now + 1, second - Int64(Self.window) + 1)...second {
            buckets[Self.slot(passed)] = Bucket(second: passed)
        }
        now = second
    }

    private static func slot(_ second: Int64) -> Int {
        Int(((second % Int64(window)) + Int64(window)) % Int64(window))
    }

    private static func status(_ status: DeliveryOutcome.Status) -> Delivery.Status {
        switch status {
        case .delivered: .delivered
        case .retrying: .retrying
        case .deadLettered: .deadLettered
        case .failed: .failed
        }
    }

    // MARK: reading

    /// The buckets, oldest first, ending at `now`.
    public var seconds: [Bucket] {
        (0..<Int64(Self.window)).map { buckets[Self.slot(now - Int64(Self.window) + 1 + $0)] }
    }

    /// One value per second, oldest first.
    public func series(_ value: (Bucket) -> Int) -> [Int] { seconds.map(value) }

    /// Frames dropped within the window: while above 0, the counts are at least what they say.
    public var dropped: Int { buckets.reduce(0) { $0 + $1.dropped } }

    /// The counts under `key` added up over the newest `seconds` of the window.
    public func totals<Key: Hashable>(over seconds: Int, _ key: (Bucket) -> [Key: Int]) -> [Key: Int] {
        var totals: [Key: Int] = [:]
        for second in max(0, Self.window - seconds)..<Self.window {
            totals.merge(key(buckets[Self.slot(now - Int64(Self.window) + 1 + Int64(second))]), uniquingKeysWith: +)
        }
        return totals
    }

    /// Frames dropped within the newest `seconds`: while above 0, counts over them are a lower bound.
    public func dropped(over seconds: Int) -> Int {
        (max(0, Self.window - seconds)..<Self.window).reduce(0) { $0 + buckets[Self.slot(now - Int64(Self.window) + 1 + Int64($1))].dropped }
    }

    /// The names seen in the window under `key` (buses, sources), busiest first (then by name).
    public func busiest(_ key: (Bucket) -> [String: Int]) -> [(name: String, total: Int)] {
        var totals: [String: Int] = [:]
        for bucket in buckets { totals.merge(key(bucket), uniquingKeysWith: +) }
        return totals.map { (name: $0.key, total: $0.value) }.sorted { $0.total != $1.total ? $0.total > $1.total : $0.name < $1.name }
    }
}

extension TrafficRates.Bucket {
    mutating func count(bus: String, source: String) {
        events += 1
        byBus[bus, default: 0] += 1
        bySource[source, default: 0] += 1
        bySourceOnBus[SourceOnBus(source: source, bus: bus), default: 0] += 1
    }

    /// One delivery's outcome on `route`; `made` when it is the delivery itself (the event's
    /// report), not a later outcome of it.
    mutating func count(_ route: DeliveryRoute, _ status: Delivery.Status, made: Bool) {
        byOutcome[status, default: 0] += 1
        if made { byRoute[route, default: 0] += 1 }
        if status == .failed || status == .deadLettered { failedByRoute[route, default: 0] += 1 }
    }
}

/// Events of one source seen on one bus: an edge of the topology map.
public struct SourceOnBus: Sendable, Hashable {
    public var source: String
    public var bus: String

    public init(source: String, bus: String) {
        self.source = source
        self.bus = bus
    }
}

/// A rule's target, as deliveries name it: an edge of the topology map.
public struct DeliveryRoute: Sendable, Hashable {
    public var rule: String
    /// The target's ARN.
    public var target: String

    public init(rule: String, target: String) {
        self.rule = rule
        self.target = target
    }
}
