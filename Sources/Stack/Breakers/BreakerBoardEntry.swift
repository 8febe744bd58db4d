import CircuitBreaker
import JSON

/// One breaker as the board shows it: the last snapshot its service reported, when, and the
/// operator override standing for it.
public struct BreakerBoardEntry: Sendable, Hashable {
    public var snapshot: BreakerSnapshot
    /// When the board received the snapshot (wall clock, seconds since 1970).
    public var reportedAt: Double
    /// Whether the service has been silent for longer than the board's stale limit.
    public var stale: Bool
    public var override: BreakerOverride?

    /// `{"breaker": <snapshot>, "reportedAt": secs, "stale": bool, "override": <override or null>}`
    public var json: JSONValue {
        ["breaker": snapshot.json, "reportedAt": .number(reportedAt), "stale": .bool(stale),
         "override": override?.json ?? .null]
    }
}

/// One override in the audit trail: who set what on which breaker, when and why.
public struct BreakerAuditEntry: Sendable, Hashable {
    /// Increasing in the order overrides were committed.
    public var id: Int64
    public var at: Double
    public var actor: String
    public var service: String
    public var dependency: String
    /// The breaker's state when the override was set.
    public var from: BreakerState
    /// The state the override puts it in (`closed` for `automatic`).
    public var to: BreakerState
    public var mode: BreakerOverride.Mode
    public var reason: String

    /// `{"id", "at", "actor", "service", "dependency", "from", "to", "mode", "reason"}`
    public var json: JSONValue {
        ["id": .number(Double(id)), "at": .number(at), "actor": .string(actor), "service": .string(service),
         "dependency": .string(dependency), "from": .string(from.rawValue), "to": .string(to.rawValue),
         "mode": .string(mode.rawValue), "reason": .string(reason)]
    }
}

/// What an operator asks for in `POST …/override`, checked: mode, reason, actor.
struct BreakerOverrideRequest: Sendable, Hashable {
    var mode: BreakerOverride.Mode
    var reason: String
    var actor: String

    /// Reads `{"mode": "force-open"|"force-closed"|"automatic", "reason": "...", "actor": "..."}`.
    init(body: [UInt8]) throws(BreakerBoardError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: body) } catch {
            throw .validation("The override body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw .validation("The override body must be a JSON object, got \(value.typeName)")
        }
        guard let modeValue = object["mode"], modeValue != .null else {
            throw .validation("mode is required: one of \"force-open\", \"force-closed\", \"automatic\"")
        }
        guard case .string(let modeText) = modeValue else {
            throw .validation("mode must be a string, got \(modeValue.typeName)")
        }
        guard let mode = BreakerOverride.Mode(rawValue: modeText) else {
            throw .validation("mode '\(BreakerBoardText.excerpt(modeText))' is not one of \"force-open\", \"force-closed\", \"automatic\"")
        }
        guard let reasonValue = object["reason"], reasonValue != .null else {
            throw .validation("reason is required: say why (it goes to the audit trail)")
        }
        guard case .string(let reason) = reasonValue else {
            throw .validation("reason must be a string, got \(reasonValue.typeName)")
        }
        if reason.allSatisfy(\.isWhitespace) { throw .validation("reason must not be empty") }
        try BreakerBoardText.validateText(reason, field: "reason", maximum: BreakerBoardText.maximumReasonLength)
        var actor = BreakerBoardText.defaultActor
        if let actorValue = object["actor"], actorValue != .null {
            guard case .string(let given) = actorValue else {
                throw .validation("actor must be a string, got \(actorValue.typeName)")
            }
            if given.allSatisfy(\.isWhitespace) { throw .validation("actor must not be empty when given") }
            try BreakerBoardText.validateText(given, field: "actor", maximum: BreakerBoardText.maximumActorLength)
            actor = given
        }
        self.mode = mode
        self.reason = reason
        self.actor = actor
    }
}
