#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A wall-clock time: nanoseconds since 1970-01-01T00:00:00Z (UTC, leap seconds not counted),
/// the one form every component reads the wall clock in.
///
/// The stack stores Unix milliseconds, the AWS JSON protocols carry seconds as a number, the
/// console shows `Date`s: those are views of this value (`milliseconds`, `seconds`, `date`),
/// so whichever form a component needs, a `ManualClock` moves them all together and exactly
/// (integer nanoseconds: no rounding drift between the forms). Covers 1678 to 2262.
public struct UnixTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSince1970: Int64

    public init(nanosecondsSince1970: Int64) {
        self.nanosecondsSince1970 = nanosecondsSince1970
    }

    public init(milliseconds: Int64) {
        let (value, overflow) = milliseconds.multipliedReportingOverflow(by: 1_000_000)
        nanosecondsSince1970 = overflow ? (milliseconds < 0 ? .min : .max) : value
    }

    /// From seconds since 1970, rounded to the nanosecond (saturating).
    public init(seconds: Double) {
        let nanoseconds = (seconds * 1e9).rounded()
        nanosecondsSince1970 = nanoseconds >= 9.2e18 ? .max : nanoseconds <= -9.2e18 ? .min : Int64(nanoseconds)
    }

    public init(_ date: Date) {
        self.init(seconds: date.timeIntervalSince1970)
    }

    /// Whole milliseconds since 1970, rounded down (the stack's stored timestamps).
    public var milliseconds: Int64 { Self.floorDivide(nanosecondsSince1970, by: 1_000_000) }

    /// Whole seconds since 1970, rounded down (SigV4 dates, HTTP dates).
    public var wholeSeconds: Int64 { Self.floorDivide(nanosecondsSince1970, by: 1_000_000_000) }

    /// Seconds since 1970 as a number, as the AWS JSON protocols carry timestamps.
    /// (Whole seconds and the fraction are converted apart: one rounding, so a time a whole
    /// number of milliseconds after a whole second reads as the nearest `Double` to it.)
    public var seconds: Double {
        let whole = wholeSeconds
        return Double(whole) + Double(nanosecondsSince1970 - whole * 1_000_000_000) / 1e9
    }

    public var date: Date { Date(timeIntervalSince1970: seconds) }

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool {
        lhs.nanosecondsSince1970 < rhs.nanosecondsSince1970
    }

    public static func + (lhs: UnixTime, rhs: Duration) -> UnixTime {
        let (sum, overflow) = lhs.nanosecondsSince1970.addingReportingOverflow(rhs.clampedNanoseconds)
        return UnixTime(nanosecondsSince1970: overflow ? (rhs < .zero ? .min : .max) : sum)
    }

    public static func - (lhs: UnixTime, rhs: UnixTime) -> Duration {
        let (difference, overflow) = lhs.nanosecondsSince1970.subtractingReportingOverflow(rhs.nanosecondsSince1970)
        return .nanoseconds(overflow ? (lhs > rhs ? Int64.max : Int64.min) : difference)
    }

    /// `2026-12-06T09:30:00.123Z`
    public var description: String { CivilTime(self).rfc3339Milliseconds }

    static func floorDivide(_ value: Int64, by divisor: Int64) -> Int64 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
