import JSON

/// Everything the breaker board shows about one breaker: the value a service reports to
/// `/_signalbox/breakers` and the board stores and serves.
///
/// The JSON form is versioned (`version`, now 1); fields are only ever added within a version,
/// and readers ignore fields they do not know. Timestamps are seconds since 1970 (as in the
/// AWS JSON protocols), durations are milliseconds (`…Ms`), rates are percentages.
///
/// ```json
/// {
///   "version": 1,
///   "service": "payment",
///   "dependency": "payment-gateway",
///   "state": "open",
///   "config": {"slidingWindow": {"kind": "count", "size": 20}, "minimumNumberOfCalls": 10,
///              "failureRateThreshold": 50, "slowCallRateThreshold": 80,
///              "slowCallDurationThresholdMs": 2000, "waitDurationInOpenMs": 30000,
///              "permittedCallsInHalfOpen": 5, "maxWaitDurationInHalfOpenMs": null,
///              "callTimeoutMs": 5000},
///   "window": {"kind": "count", "size": 20, "minimumCalls": 10, "belowMinimumCalls": false,
///              "calls": 20, "successes": 8, "failures": 12, "timeouts": 3, "slowCalls": 2,
///              "failureRate": 60, "slowCallRate": 10, "shortCircuited": 41},
///   "latency": {"samples": 20, "p50Ms": 212.4, "p95Ms": 4870.1, "p99Ms": 5000},
///   "totals": {"calls": 1840, "successes": 1790, "failures": 50, "timeouts": 3,
///              "slowCalls": 9, "ignored": 0, "shortCircuited": 41},
///   "halfOpen": null,
///   "retryAt": 1800000030.5,
///   "lastTransition": {"from": "closed", "to": "open", "at": 1800000000.5,
///                      "reason": "failure rate 60% ≥ 50% over 20 calls"},
///   "override": null,
///   "takenAt": 1800000012.25
/// }
/// ```
///
/// - `state`: `closed`, `open`, `half-open`, `forced-open` or `forced-closed`.
/// - `window`: the rolling counts the thresholds see (`BreakerWindowCounts`).
/// - `totals`: counters since the breaker was created (`BreakerTotals`).
/// - `halfOpen`: the trial's progress while half-open, otherwise null.
/// - `retryAt`: while open, when trial calls will be let through; otherwise null.
/// - `lastTransition`: null until the breaker first changes state.
/// - `override`: the operator's override in force (`force-open`/`force-closed`), otherwise null.
public struct BreakerSnapshot: Sendable, Hashable {
    /// The JSON form's version.
    public static let currentVersion = 1

    public var service: String
    public var dependency: String
    public var state: BreakerState
    public var configuration: BreakerConfiguration
    public var window: BreakerWindowCounts
    public var latency: BreakerLatency
    public var totals: BreakerTotals
    public var halfOpen: HalfOpenTrial?
    public var retryAt: Double?
    public var lastTransition: BreakerTransition?
    public var override: BreakerOverride?
    /// When the snapshot was taken (wall clock, seconds since 1970).
    public var takenAt: Double

    public init(service: String, dependency: String, state: BreakerState, configuration: BreakerConfiguration,
                window: BreakerWindowCounts, latency: BreakerLatency, totals: BreakerTotals,
                halfOpen: HalfOpenTrial?, retryAt: Double?, lastTransition: BreakerTransition?,
                override: BreakerOverride?, takenAt: Double) {
        self.service = service
        self.dependency = dependency
        self.state = state
        self.configuration = configuration
        self.window = window
        self.latency = latency
        self.totals = totals
        self.halfOpen = halfOpen
        self.retryAt = retryAt
        self.lastTransition = lastTransition
        self.override = override
        self.takenAt = takenAt
    }

    public var id: BreakerID { BreakerID(service: service, dependency: dependency) }
}

/// The half-open trial's progress.
public struct HalfOpenTrial: Sendable, Hashable {
    /// Trial calls the decision waits for.
    public var permittedCalls: Int
    /// Trial calls whose outcome is in.
    public var completedCalls: Int
    /// Trial calls let through whose outcome is not in yet.
    public var inFlightCalls: Int

    public init(permittedCalls: Int, completedCalls: Int, inFlightCalls: Int) {
        self.permittedCalls = permittedCalls
        self.completedCalls = completedCalls
        self.inFlightCalls = inFlightCalls
    }
}

extension HalfOpenTrial: BreakerJSONCodable {
    /// `{"permittedCalls": 5, "completedCalls": 2, "inFlightCalls": 3}`
    public var json: JSONValue {
        ["permittedCalls": .number(Double(permittedCalls)), "completedCalls": .number(Double(completedCalls)),
         "inFlightCalls": .number(Double(inFlightCalls))]
    }

    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        self.init(permittedCalls: try fields.count("permittedCalls"),
                  completedCalls: try fields.count("completedCalls"),
                  inFlightCalls: try fields.count("inFlightCalls"))
    }
}

extension BreakerSnapshot: BreakerJSONCodable {
    public var json: JSONValue {
        [
            "version": .number(Double(Self.currentVersion)),
            "service": .string(service),
            "dependency": .string(dependency),
            "state": .string(state.rawValue),
            "config": configuration.json,
            "window": window.json,
            "latency": latency.json,
            "totals": totals.json,
            "halfOpen": halfOpen?.json ?? .null,
            "retryAt": retryAt.json,
            "lastTransition": lastTransition?.json ?? .null,
            "override": override?.json ?? .null,
            "takenAt": .number(takenAt),
        ]
    }

    /// Reads a reported snapshot, checking every documented field: the board stores only
    /// reports it could show.
    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        let version = try fields.count("version")
        guard version == Self.currentVersion else {
            throw fields.error("version", "unsupported breaker snapshot version \(version); this reader knows \(Self.currentVersion)")
        }
        let id = BreakerID(service: try fields.string("service"), dependency: try fields.string("dependency"))
        do {
            try id.validate()
        } catch {
            throw fields.error(error.field, error.message)
        }
        func value<T: BreakerJSONCodable>(_ key: String, _ type: T.Type) throws(BreakerDecodingError) -> T {
            try T(json: try fields.require(key), path: fields.fieldPath(key))
        }
        func optionalValue<T: BreakerJSONCodable>(_ key: String, _ type: T.Type) throws(BreakerDecodingError) -> T? {
            guard let json = fields.optional(key) else { return nil }
            return try T(json: json, path: fields.fieldPath(key))
        }
        self.init(service: id.service, dependency: id.dependency,
                  state: try fields.enumeration("state", as: BreakerState.self),
                  configuration: try value("config", BreakerConfiguration.self),
                  window: try value("window", BreakerWindowCounts.self),
                  latency: try value("latency", BreakerLatency.self),
                  totals: try value("totals", BreakerTotals.self),
                  halfOpen: try optionalValue("halfOpen", HalfOpenTrial.self),
                  retryAt: try fields.optionalDouble("retryAt"),
                  lastTransition: try optionalValue("lastTransition", BreakerTransition.self),
                  override: try optionalValue("override", BreakerOverride.self),
                  takenAt: try fields.double("takenAt"))
    }
}
