import JSON

/// One change of state, with why it happened: what the breaker board shows as "last
/// transition" and what `CircuitBreaker.transitions()` streams.
///
/// Reasons are written for a person on call, for example
/// "failure rate 62% ≥ 50% over 20 calls", "waited 60 s in open; allowing 10 trial calls",
/// "forced open by alice: incident 123".
public struct BreakerTransition: Sendable, Hashable {
    public var from: BreakerState
    public var to: BreakerState
    /// Wall-clock time of the transition, seconds since 1970 (AWS JSON's timestamp form).
    public var at: Double
    public var reason: String

    public init(from: BreakerState, to: BreakerState, at: Double, reason: String) {
        self.from = from
        self.to = to
        self.at = at
        self.reason = reason
    }
}

extension BreakerTransition: BreakerJSONCodable {
    /// `{"from": "closed", "to": "open", "at": 1800000000.25, "reason": "failure rate 62% ≥ 50% over 20 calls"}`
    public var json: JSONValue {
        ["from": .string(from.rawValue), "to": .string(to.rawValue), "at": .number(at), "reason": .string(reason)]
    }

    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        self.init(from: try fields.enumeration("from", as: BreakerState.self),
                  to: try fields.enumeration("to", as: BreakerState.self),
                  at: try fields.double("at"),
                  reason: try fields.string("reason"))
    }
}
