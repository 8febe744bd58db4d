/// A call the breaker did not let through, or cut off. Its description says which breaker,
/// why, and when to try again, so it can go straight into a log or an error response.
public struct CircuitBreakerError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Open: no calls until the wait in open has passed (`retryAfter` from now).
        case open(retryAfter: Duration)
        /// Half-open with every trial permit in use.
        case halfOpenSaturated(permittedCalls: Int)
        /// An operator forced the breaker open.
        case forcedOpen(actor: String, reason: String)
        /// `run` gave up waiting for the call.
        case timedOut(after: Duration)
    }

    public let breaker: BreakerID
    public let kind: Kind

    public init(breaker: BreakerID, kind: Kind) {
        self.breaker = breaker
        self.kind = kind
    }

    /// Whether the call was rejected without being attempted (as opposed to timed out).
    public var isShortCircuit: Bool {
        if case .timedOut = kind { return false }
        return true
    }

    public var description: String {
        switch kind {
        case .open(let retryAfter):
            "circuit breaker \(breaker) is open; next trial call in \(Text.duration(retryAfter))"
        case .halfOpenSaturated(let permitted):
            "circuit breaker \(breaker) is half-open with all \(Text.calls(permitted)) of its trial in flight"
        case .forcedOpen(let actor, let reason):
            "circuit breaker \(breaker) is forced open by \(actor)" + (reason.isEmpty ? "" : ": \(reason)")
        case .timedOut(let after):
            "call through circuit breaker \(breaker) timed out after \(Text.duration(after))"
        }
    }
}
