import JSON

/// The rolling counts the thresholds see right now: the calls in the current sliding window.
///
/// While half-open the window is the trial (`kind` "count", `size` = permitted trial calls).
/// The window starts afresh on every transition except into open, so an open breaker still
/// shows the figures that tripped it.
public struct BreakerWindowCounts: Sendable, Hashable {
    public var window: SlidingWindow
    /// Calls the window must hold before its rates count (already capped at a count window's size).
    public var minimumCalls: Int
    public var calls: Int
    public var successes: Int
    /// Failed calls, timeouts included.
    public var failures: Int
    public var timeouts: Int
    public var slowCalls: Int
    /// Failure rate in percent; nil while the window is empty.
    public var failureRate: Double?
    /// Slow-call rate in percent; nil while the window is empty.
    public var slowCallRate: Double?
    /// Calls rejected without being attempted since the window last started afresh.
    public var shortCircuited: Int

    public init(window: SlidingWindow, minimumCalls: Int, calls: Int, successes: Int, failures: Int,
                timeouts: Int, slowCalls: Int, failureRate: Double?, slowCallRate: Double?,
                shortCircuited: Int) {
        self.window = window
        self.minimumCalls = minimumCalls
        self.calls = calls
        self.successes = successes
        self.failures = failures
        self.timeouts = timeouts
        self.slowCalls = slowCalls
        self.failureRate = failureRate
        self.slowCallRate = slowCallRate
        self.shortCircuited = shortCircuited
    }

    /// The window kind's wire name: "count" or "time".
    public var kind: String { window.kind }
    /// Calls (count window) or seconds (time window).
    public var size: Int { window.size }

    /// Whether the window holds too few calls for its rates to move the breaker.
    public var belowMinimumCalls: Bool { calls < minimumCalls }
}

extension BreakerWindowCounts: BreakerJSONCodable {
    /// ```json
    /// {"kind": "count", "size": 20, "minimumCalls": 10, "belowMinimumCalls": false,
    ///  "calls": 20, "successes": 8, "failures": 12, "timeouts": 2, "slowCalls": 1,
    ///  "failureRate": 60, "slowCallRate": 5, "shortCircuited": 0}
    /// ```
    /// `size` is calls for a count window and seconds for a time window; the rates are
    /// percentages, null while the window is empty. `belowMinimumCalls` is derived (ignored
    /// when read).
    public var json: JSONValue {
        [
            "kind": .string(window.kind), "size": .number(Double(window.size)),
            "minimumCalls": .number(Double(minimumCalls)), "belowMinimumCalls": .bool(belowMinimumCalls),
            "calls": .number(Double(calls)), "successes": .number(Double(successes)),
            "failures": .number(Double(failures)), "timeouts": .number(Double(timeouts)),
            "slowCalls": .number(Double(slowCalls)),
            "failureRate": failureRate.json, "slowCallRate": slowCallRate.json,
            "shortCircuited": .number(Double(shortCircuited)),
        ]
    }

    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        self.init(window: try SlidingWindow(json: json, path: path),
                  minimumCalls: try fields.count("minimumCalls"),
                  calls: try fields.count("calls"), successes: try fields.count("successes"),
                  failures: try fields.count("failures"), timeouts: try fields.count("timeouts"),
                  slowCalls: try fields.count("slowCalls"),
                  failureRate: try fields.optionalDouble("failureRate"),
                  slowCallRate: try fields.optionalDouble("slowCallRate"),
                  shortCircuited: try fields.count("shortCircuited"))
    }
}
