/// A point on a monotonic timeline, in nanoseconds from an origin the clock chose.
///
/// Breakers measure waits, windows and latencies on this timeline so that a wall-clock jump
/// (NTP, a laptop waking) can neither trip nor reset a breaker. Wall-clock time is used only
/// to stamp reports for people.
public struct MonotonicInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSinceOrigin: Int64

    public init(nanosecondsSinceOrigin: Int64) {
        self.nanosecondsSinceOrigin = nanosecondsSinceOrigin
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanosecondsSinceOrigin < rhs.nanosecondsSinceOrigin
    }

    public static func + (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        let (sum, overflow) = lhs.nanosecondsSinceOrigin.addingReportingOverflow(rhs.clampedNanoseconds)
        return MonotonicInstant(nanosecondsSinceOrigin: overflow ? (rhs < .zero ? .min : .max) : sum)
    }

    /// The time from `rhs` to `lhs` (negative when `lhs` is earlier).
    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        let (difference, overflow) = lhs.nanosecondsSinceOrigin
            .subtractingReportingOverflow(rhs.nanosecondsSinceOrigin)
        return .nanoseconds(overflow ? (lhs > rhs ? Int64.max : Int64.min) : difference)
    }

    /// Whole seconds since the origin, rounded down: the time window's bucket number.
    var secondsSinceOrigin: Int64 {
        let (quotient, remainder) = nanosecondsSinceOrigin.quotientAndRemainder(dividingBy: 1_000_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }

    public var description: String { "t+\(Duration.nanoseconds(nanosecondsSinceOrigin))" }
}

extension Duration {
    /// This duration in nanoseconds, saturating at the bounds of `Int64` (about 292 years).
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// This duration in milliseconds, as reports and the breaker board carry durations.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// A duration from a count of milliseconds (fractions kept to the nanosecond).
    static func milliseconds(exactly value: Double) -> Duration? {
        guard value.isFinite else { return nil }
        let nanoseconds = (value * 1e6).rounded()
        guard nanoseconds > -9.2e18, nanoseconds < 9.2e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }
}
