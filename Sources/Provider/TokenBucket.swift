import Timekeeping

/// AWS's throttling model for one API: a bucket of `capacity` tokens refilled at `refill` a
/// second; each call takes one, and a call with none left would be throttled. A value: the
/// caller passes the time, so tests drive it with a `ManualClock`'s instants.
///
/// `reserve` never refuses: it takes the token now or, when the bucket is empty, books the
/// next one to come and says how long to wait for it. Reservations queue in the order they
/// are made, so the calls a poll makes first (what is on screen) go first.
public struct TokenBucket: Sendable, Hashable {
    public let capacity: Double
    /// Tokens added a second.
    public let refill: Double
    /// Tokens now; negative while calls wait for tokens booked ahead.
    private(set) var tokens: Double
    private var updated: MonotonicInstant?

    /// A full bucket.
    public init(capacity: Double, refill: Double) {
        self.capacity = max(1, capacity)
        self.refill = max(0.001, refill)
        self.tokens = self.capacity
    }

    /// Takes a token at `now`; returns how long the call must wait for it (zero: go now).
    public mutating func reserve(at now: MonotonicInstant) -> Duration {
        refill(to: now)
        tokens -= 1
        guard tokens < 0 else { return .zero }
        return .nanoseconds(Int64((-tokens / refill * 1e9).rounded(.up)))
    }

    /// Tokens there would be at `now` (negative: owed to waiting calls).
    public mutating func available(at now: MonotonicInstant) -> Double {
        refill(to: now)
        return tokens
    }

    private mutating func refill(to now: MonotonicInstant) {
        if let updated, now > updated {
            let elapsed = Double((now - updated).components.seconds) + Double((now - updated).components.attoseconds) / 1e18
            tokens = min(capacity, tokens + elapsed * refill)
        }
        if updated.map({ now > $0 }) ?? true { updated = now }
    }
}
