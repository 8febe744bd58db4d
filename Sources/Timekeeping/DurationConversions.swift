extension Duration {
    /// This duration in nanoseconds, saturating at the bounds of `Int64` (about 292 years).
    public var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// This duration in (fractional) milliseconds, as reports and JSON carry durations.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// This duration in (fractional) seconds.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A duration from a count of milliseconds (fractions kept to the nanosecond); nil when
    /// the count is not finite or does not fit.
    public static func milliseconds(exactly value: Double) -> Duration? {
        guard value.isFinite else { return nil }
        let nanoseconds = (value * 1e6).rounded()
        guard nanoseconds > -9.2e18, nanoseconds < 9.2e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }
}
