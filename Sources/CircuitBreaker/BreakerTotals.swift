import JSON

/// Counters since the breaker was created. They only grow (like Prometheus counters), so a
/// reader gets rates over any period by taking the difference of two snapshots.
public struct BreakerTotals: Sendable, Hashable {
    /// Calls whose outcome was recorded (successes + failures; ignored errors excluded).
    public var calls = 0
    public var successes = 0
    /// Failed calls, timeouts included.
    public var failures = 0
    public var timeouts = 0
    public var slowCalls = 0
    /// Calls that threw an error the classifier ignores.
    public var ignored = 0
    /// Calls rejected without being attempted (open, half-open full, forced open).
    public var shortCircuited = 0

    public init(calls: Int = 0, successes: Int = 0, failures: Int = 0, timeouts: Int = 0,
                slowCalls: Int = 0, ignored: Int = 0, shortCircuited: Int = 0) {
        self.calls = calls
        self.successes = successes
        self.failures = failures
        self.timeouts = timeouts
        self.slowCalls = slowCalls
        self.ignored = ignored
        self.shortCircuited = shortCircuited
    }
}

extension BreakerTotals: BreakerJSONCodable {
    /// `{"calls": 1200, "successes": 1100, "failures": 100, "timeouts": 7, "slowCalls": 12,
    ///   "ignored": 3, "shortCircuited": 240}`
    public var json: JSONValue {
        [
            "calls": .number(Double(calls)), "successes": .number(Double(successes)),
            "failures": .number(Double(failures)), "timeouts": .number(Double(timeouts)),
            "slowCalls": .number(Double(slowCalls)), "ignored": .number(Double(ignored)),
            "shortCircuited": .number(Double(shortCircuited)),
        ]
    }

    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        self.init(calls: try fields.count("calls"), successes: try fields.count("successes"),
                  failures: try fields.count("failures"), timeouts: try fields.count("timeouts"),
                  slowCalls: try fields.count("slowCalls"), ignored: try fields.count("ignored"),
                  shortCircuited: try fields.count("shortCircuited"))
    }
}
