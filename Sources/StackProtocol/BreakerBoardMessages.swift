import CircuitBreaker
import JSON

// The breaker board's requests and answers (`/_signalbox/breakers…`, version 1):
//
// | Request | Answer |
// |---|---|
// | `PUT …/{service}/{dependency}` + `BreakerSnapshot` v1 | `BreakerReportAnswer` |
// | `GET …[?service=S]` | `BreakerBoardListing` |
// | `GET …/{service}/{dependency}` | `BreakerBoardEntry` |
// | `POST …/{service}/{dependency}/override` + `BreakerOverrideRequest` | `BreakerOverrideResult` |
// | `GET …/audit[?limit=N&service=S&dependency=D]` | `BreakerAuditListing` |
//
// The snapshot and override shapes are the CircuitBreaker module's (its own JSON v1).

/// One breaker as the board shows it: the last snapshot its service reported, when, whether
/// the service has gone quiet, and the operator override standing for it.
public struct BreakerBoardEntry: Sendable, Hashable {
    public var snapshot: BreakerSnapshot
    /// When the board received the snapshot (wall clock, seconds since 1970).
    public var reportedAt: Double
    /// Whether the service has been silent for longer than the board's stale limit.
    public var stale: Bool
    public var override: BreakerOverride?

    public init(snapshot: BreakerSnapshot, reportedAt: Double, stale: Bool, override: BreakerOverride?) {
        self.snapshot = snapshot
        self.reportedAt = reportedAt
        self.stale = stale
        self.override = override
    }

    /// `{"breaker": <snapshot>, "reportedAt": secs, "stale": bool, "override": <override or null>}`
    public var json: JSONValue {
        ["breaker": snapshot.json, "reportedAt": .number(reportedAt), "stale": .bool(stale),
         "override": override?.json ?? .null]
    }

    public init(json: JSONValue, path: String = "") throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        do {
            snapshot = try BreakerSnapshot(json: try fields.require("breaker"), path: fields.fieldPath("breaker"))
            override = try fields.optional("override").map { value throws(BreakerDecodingError) in
                try BreakerOverride(json: value, path: fields.fieldPath("override"))
            }
        } catch let error as BreakerDecodingError {
            throw StackProtocolError(error.description)
        } catch let error as StackProtocolError {
            throw error
        } catch {
            throw StackProtocolError("\(error)")
        }
        reportedAt = try fields.number("reportedAt")
        stale = try fields.optional("stale") == nil ? false : fields.bool("stale")
    }
}

/// The `breaker` frame: a breaker's state changed (or it was first reported): its entry, and
/// the state before (`null` for a first report).
public struct BreakerChange: Sendable, Hashable {
    public var entry: BreakerBoardEntry
    public var previousState: BreakerState?

    public init(entry: BreakerBoardEntry, previousState: BreakerState?) {
        self.entry = entry
        self.previousState = previousState
    }

    /// The entry's members, then `"previousState"`.
    public var json: JSONValue {
        guard case .object(var object) = entry.json else { return entry.json }
        object["previousState"] = previousState.map { .string($0.rawValue) } ?? .null
        return .object(object)
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(entry: try BreakerBoardEntry(json: json, path: path),
                  previousState: try fields.optional("previousState") == nil
                      ? nil : fields.enumeration("previousState", as: BreakerState.self))
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

    public init(id: Int64, at: Double, actor: String, service: String, dependency: String, from: BreakerState,
                to: BreakerState, mode: BreakerOverride.Mode, reason: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.service = service
        self.dependency = dependency
        self.from = from
        self.to = to
        self.mode = mode
        self.reason = reason
    }

    /// `{"id", "at", "actor", "service", "dependency", "from", "to", "mode", "reason"}`
    public var json: JSONValue {
        ["id": .number(Double(id)), "at": .number(at), "actor": .string(actor), "service": .string(service),
         "dependency": .string(dependency), "from": .string(from.rawValue), "to": .string(to.rawValue),
         "mode": .string(mode.rawValue), "reason": .string(reason)]
    }

    public init(json: JSONValue, path: String = "") throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(id: Int64(try fields.integer("id")), at: try fields.number("at"), actor: try fields.string("actor"),
                  service: try fields.string("service"), dependency: try fields.string("dependency"),
                  from: try fields.enumeration("from", as: BreakerState.self),
                  to: try fields.enumeration("to", as: BreakerState.self),
                  mode: try fields.enumeration("mode", as: BreakerOverride.Mode.self), reason: try fields.string("reason"))
    }
}

/// What an operator asks for in `POST …/override`. The reader checks the shape; the board
/// checks the text itself (length, control characters) and fills in a missing actor.
public struct BreakerOverrideRequest: Sendable, Hashable {
    public var mode: BreakerOverride.Mode
    public var reason: String
    /// Who asks; nil lets the board name its default.
    public var actor: String?

    public init(mode: BreakerOverride.Mode, reason: String, actor: String?) {
        self.mode = mode
        self.reason = reason
        self.actor = actor
    }

    /// `{"mode": "force-open"|"force-closed"|"automatic", "reason": "...", "actor"?: "..."}`
    public var json: JSONValue {
        var object: JSONObject = ["mode": .string(mode.rawValue), "reason": .string(reason)]
        if let actor { object["actor"] = .string(actor) }
        return .object(object)
    }

    public init(json: JSONValue) throws(StackProtocolError) {
        guard case .object(let object) = json else {
            throw StackProtocolError("The override body must be a JSON object, got \(json.typeName)")
        }
        let modes = BreakerOverride.Mode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard let modeValue = object["mode"], modeValue != .null else {
            throw StackProtocolError("mode is required: one of \(modes)")
        }
        guard case .string(let modeText) = modeValue else {
            throw StackProtocolError("mode must be a string, got \(modeValue.typeName)")
        }
        guard let mode = BreakerOverride.Mode(rawValue: modeText) else {
            throw StackProtocolError("mode '\(UntrustedText.excerpt(modeText))' is not one of \(modes)")
        }
        guard let reasonValue = object["reason"], reasonValue != .null else {
            throw StackProtocolError("reason is required: say why (it goes to the audit trail)")
        }
        guard case .string(let reason) = reasonValue else {
            throw StackProtocolError("reason must be a string, got \(reasonValue.typeName)")
        }
        var actor: String?
        if let actorValue = object["actor"], actorValue != .null {
            guard case .string(let given) = actorValue else {
                throw StackProtocolError("actor must be a string, got \(actorValue.typeName)")
            }
            actor = given
        }
        self.init(mode: mode, reason: reason, actor: actor)
    }
}

/// The answer to an override, and the `breaker-override` frame: the breaker's entry and the
/// audit entry, both committed.
public struct BreakerOverrideResult: Sendable, Hashable {
    public var entry: BreakerBoardEntry
    public var audit: BreakerAuditEntry

    public init(entry: BreakerBoardEntry, audit: BreakerAuditEntry) {
        self.entry = entry
        self.audit = audit
    }

    /// `{"breaker": entry, "audit": audit}`
    public var json: JSONValue { ["breaker": entry.json, "audit": audit.json] }

    public init(json: JSONValue, path: String = "") throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(entry: try BreakerBoardEntry(json: try fields.require("breaker"), path: fields.fieldPath("breaker")),
                  audit: try BreakerAuditEntry(json: try fields.require("audit"), path: fields.fieldPath("audit")))
    }
}

/// The answer to a service's report: the override it must apply, if one stands.
public struct BreakerReportAnswer: Sendable, Hashable {
    public var override: BreakerOverride?

    public init(override: BreakerOverride?) { self.override = override }

    /// `{"override": override or null}`
    public var json: JSONValue { ["override": override?.json ?? .null] }

    public init(json: JSONValue) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: "")
        do {
            override = try fields.optional("override").map { value throws(BreakerDecodingError) in
                try BreakerOverride(json: value, path: "override")
            }
        } catch {
            throw StackProtocolError(error.description)
        }
    }
}

/// `GET /_signalbox/breakers`: every breaker (or one service's), sorted by service then
/// dependency. Entries are read one by one: an entry a reader cannot use is reported in
/// `unreadable` and the others still show.
public struct BreakerBoardListing: Sendable, Hashable {
    /// An entry left out, by its index in the answer, and why.
    public struct UnreadableEntry: Sendable, Hashable {
        public var index: Int
        public var problem: StackProtocolError
    }

    public var breakers: [BreakerBoardEntry]
    public var unreadable: [UnreadableEntry]

    public init(breakers: [BreakerBoardEntry], unreadable: [UnreadableEntry] = []) {
        self.breakers = breakers
        self.unreadable = unreadable
    }

    /// `{"version": 1, "breakers": [entry…]}`
    public var json: JSONValue {
        ["version": .number(Double(ExtensionPaths.version)), "breakers": .array(breakers.map(\.json))]
    }

    public init(json: JSONValue) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: "")
        var breakers: [BreakerBoardEntry] = []
        var unreadable: [UnreadableEntry] = []
        for (index, entry) in try fields.list("breakers", { item, _ in item }).enumerated() {
            do throws(StackProtocolError) {
                breakers.append(try BreakerBoardEntry(json: entry))
            } catch {
                unreadable.append(UnreadableEntry(index: index, problem: error))
            }
        }
        self.init(breakers: breakers, unreadable: unreadable)
    }
}

/// `GET /_signalbox/breakers/audit`: the audit trail, newest first.
public struct BreakerAuditListing: Sendable, Hashable {
    public var entries: [BreakerAuditEntry]

    public init(entries: [BreakerAuditEntry]) { self.entries = entries }

    /// `{"entries": [audit…]}`
    public var json: JSONValue { ["entries": .array(entries.map(\.json))] }

    public init(json: JSONValue) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: "")
        self.init(entries: try fields.list("entries") { item, path throws(StackProtocolError) in
            try BreakerAuditEntry(json: item, path: path)
        })
    }
}
