import Timekeeping

/// An API destination's `InvocationRateLimitPerSecond` as a token bucket: it holds at most one
/// second's worth of calls and refills at the rate. A call over the limit is not refused or
/// dropped: `reserve` says how long it must wait, and later reservations queue behind it, so
/// calls leave in the order they reserved and never faster than the rate allows over any
/// window (beyond the one-second burst). Pure: the caller passes the time.
struct InvocationRateLimiter: Sendable, Equatable {
    let ratePerSecond: Int
    /// Calls that may start now; negative while reservations are waiting for tokens.
    private var credit: Double
    private var updatedAt: MonotonicInstant

    init(ratePerSecond: Int, now: MonotonicInstant) {
        self.ratePerSecond = max(ratePerSecond, 1)
        credit = Double(self.ratePerSecond)
        updatedAt = now
    }

    /// Takes one call's token; returns how long the call must wait before it starts (zero when
    /// a token was there).
    mutating func reserve(now: MonotonicInstant) -> Duration {
        let rate = Double(ratePerSecond)
        if now > updatedAt {
            let elapsed = Double((now - updatedAt).clampedNanoseconds) / 1e9
            credit = min(rate, credit + elapsed * rate)
            updatedAt = now
        }
        credit -= 1
        guard credit < 0 else { return .zero }
        return .nanoseconds(Int64((-credit / rate * 1e9).rounded(.up)))
    }
}
