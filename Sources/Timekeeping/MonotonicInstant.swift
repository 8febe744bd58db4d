/// A point on a monotonic timeline, in nanoseconds from an origin the clock chose (for
/// `SystemClock`, the machine's boot; for `ManualClock`, wherever the test started it).
///
/// Waits, windows, timeouts and latencies are measured on this timeline so that a wall-clock
/// jump (NTP, a laptop waking) can neither fire nor stretch them. Instants from different
/// clocks are not comparable. Arithmetic saturates instead of trapping.
public struct MonotonicInstant: InstantProtocol, CustomStringConvertible {
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

    public static func += (lhs: inout MonotonicInstant, rhs: Duration) { lhs = lhs + rhs }

    public static func - (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        lhs + (.zero - rhs)
    }

    /// The time from `rhs` to `lhs` (negative when `lhs` is earlier).
    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        let (difference, overflow) = lhs.nanosecondsSinceOrigin
            .subtractingReportingOverflow(rhs.nanosecondsSinceOrigin)
        return .nanoseconds(overflow ? (lhs > rhs ? Int64.max : Int64.min) : difference)
    }

    public func advanced(by duration: Duration) -> MonotonicInstant { self + duration }

    public func duration(to other: MonotonicInstant) -> Duration { other - self }

    /// Whole seconds since the origin, rounded down (a time window's bucket number).
    public var secondsSinceOrigin: Int64 {
        let (quotient, remainder) = nanosecondsSinceOrigin.quotientAndRemainder(dividingBy: 1_000_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }

    public var description: String { "t+\(Duration.nanoseconds(nanosecondsSinceOrigin))" }
}
