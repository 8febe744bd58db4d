import JSON

/// An operator's override, as the breaker board hands it to a service: force the breaker
/// open, force it closed, or return it to automatic. Who set it and why travel with it, into
/// the transition reason ("forced open by alice: incident 123").
public struct BreakerOverride: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable, Codable {
        case forceOpen = "force-open"
        case forceClosed = "force-closed"
        case automatic
    }

    public var mode: Mode
    public var reason: String
    /// Who set it (the board's audit trail records the same name).
    public var actor: String
    /// When the operator set it (wall clock, seconds since 1970), if the board says.
    public var at: Double?

    public init(mode: Mode, reason: String, actor: String, at: Double? = nil) {
        self.mode = mode
        self.reason = reason
        self.actor = actor
        self.at = at
    }

    public static func forceOpen(by actor: String, reason: String) -> BreakerOverride {
        BreakerOverride(mode: .forceOpen, reason: reason, actor: actor)
    }

    public static func forceClosed(by actor: String, reason: String) -> BreakerOverride {
        BreakerOverride(mode: .forceClosed, reason: reason, actor: actor)
    }

    public static func automatic(by actor: String, reason: String) -> BreakerOverride {
        BreakerOverride(mode: .automatic, reason: reason, actor: actor)
    }

    /// The state the override puts the breaker in (`closed` for automatic: a fresh start).
    public var targetState: BreakerState {
        switch mode {
        case .forceOpen: .forcedOpen
        case .forceClosed: .forcedClosed
        case .automatic: .closed
        }
    }

    /// The transition reason this override writes.
    public var transitionReason: String {
        let verb = switch mode {
        case .forceOpen: "forced open"
        case .forceClosed: "forced closed"
        case .automatic: "returned to automatic"
        }
        let who = actor.isEmpty ? "an operator" : actor
        return reason.isEmpty ? "\(verb) by \(who)" : "\(verb) by \(who): \(reason)"
    }
}

extension BreakerOverride: BreakerJSONCodable {
    /// `{"mode": "force-open", "reason": "incident 123", "actor": "alice", "at": 1800000000}`
    /// (`at` may be null).
    public var json: JSONValue {
        ["mode": .string(mode.rawValue), "reason": .string(reason), "actor": .string(actor), "at": at.json]
    }

    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        self.init(mode: try fields.enumeration("mode", as: Mode.self),
                  reason: try fields.optionalString("reason") ?? "",
                  actor: try fields.string("actor"),
                  at: try fields.optionalDouble("at"))
    }
}
