import JSON
import Timekeeping

/// A breaker's thresholds and timings: resilience4j's settings, with its defaults.
///
/// The rates are percentages (0–100]. A threshold is reached when the rate is *greater than
/// or equal to* it, and only once the window holds `minimumNumberOfCalls` calls (for a
/// count-based window, at most its size): a single failed call must not trip a breaker that
/// has seen nothing else.
public struct BreakerConfiguration: Sendable, Hashable {
    /// The calls the rates are computed over while closed.
    public var slidingWindow: SlidingWindow
    /// Calls the window must hold before the rates may trip the breaker.
    public var minimumNumberOfCalls: Int
    /// Failure rate, in percent, at or above which the breaker opens.
    public var failureRateThreshold: Double
    /// Slow-call rate, in percent, at or above which the breaker opens.
    public var slowCallRateThreshold: Double
    /// A call that takes longer than this (strictly) is slow, whether it succeeded or failed.
    public var slowCallDurationThreshold: Duration
    /// How long the breaker stays open before it lets trial calls through.
    public var waitDurationInOpen: Duration
    /// Trial calls in half-open; their rates decide between closed and open.
    public var permittedCallsInHalfOpen: Int
    /// When set, a breaker left half-open this long without a decision opens again
    /// (trial calls that never report back must not wedge it). Nil: wait indefinitely.
    public var maxWaitDurationInHalfOpen: Duration?
    /// The timeout `CircuitBreaker.run` applies when the caller gives none. Nil: no timeout.
    public var callTimeout: Duration?

    public init(
        slidingWindow: SlidingWindow = .count(size: 100),
        minimumNumberOfCalls: Int = 100,
        failureRateThreshold: Double = 50,
        slowCallRateThreshold: Double = 100,
        slowCallDurationThreshold: Duration = .seconds(60),
        waitDurationInOpen: Duration = .seconds(60),
        permittedCallsInHalfOpen: Int = 10,
        maxWaitDurationInHalfOpen: Duration? = nil,
        callTimeout: Duration? = nil
    ) {
        self.slidingWindow = slidingWindow
        self.minimumNumberOfCalls = minimumNumberOfCalls
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDurationThreshold = slowCallDurationThreshold
        self.waitDurationInOpen = waitDurationInOpen
        self.permittedCallsInHalfOpen = permittedCallsInHalfOpen
        self.maxWaitDurationInHalfOpen = maxWaitDurationInHalfOpen
        self.callTimeout = callTimeout
    }

    /// pybreaker's breaker: opens after `failMax` consecutive failures, tries one call after
    /// `resetTimeout`, and closes on its success. (A count window of `failMax` calls that
    /// must all have failed is exactly "`failMax` failures in a row".)
    public static func pybreaker(failMax: Int = 5, resetTimeout: Duration = .seconds(60)) -> BreakerConfiguration {
        BreakerConfiguration(
            slidingWindow: .count(size: failMax), minimumNumberOfCalls: failMax,
            failureRateThreshold: 100, slowCallRateThreshold: 100,
            slowCallDurationThreshold: .seconds(3600), waitDurationInOpen: resetTimeout,
            permittedCallsInHalfOpen: 1)
    }

    /// The calls the window must hold before the rates count: `minimumNumberOfCalls`, but
    /// never more than a count-based window can hold.
    public var effectiveMinimumNumberOfCalls: Int {
        switch slidingWindow {
        case .count(let size): min(minimumNumberOfCalls, size)
        case .time: minimumNumberOfCalls
        }
    }

    /// Checks every setting, naming the first one that cannot work.
    public func validate() throws(BreakerConfigurationError) {
        switch slidingWindow {
        case .count(let size) where !(1...SlidingWindow.maximumCount).contains(size):
            throw BreakerConfigurationError(
                field: "slidingWindow.size",
                message: "must be between 1 and \(SlidingWindow.maximumCount) calls, got \(size)")
        case .time(let seconds) where !(1...SlidingWindow.maximumSeconds).contains(seconds):
            throw BreakerConfigurationError(
                field: "slidingWindow.size",
                message: "must be between 1 and \(SlidingWindow.maximumSeconds) seconds, got \(seconds)")
        default: break
        }
        if minimumNumberOfCalls < 1 {
            throw BreakerConfigurationError(
                field: "minimumNumberOfCalls", message: "must be at least 1, got \(minimumNumberOfCalls)")
        }
        for (field, rate) in [("failureRateThreshold", failureRateThreshold),
                              ("slowCallRateThreshold", slowCallRateThreshold)]
            where !(rate > 0 && rate <= 100)
        {
            throw BreakerConfigurationError(
                field: field, message: "must be a percentage above 0 and at most 100, got \(Text.number(rate))")
        }
        if slowCallDurationThreshold <= .zero {
            throw BreakerConfigurationError(
                field: "slowCallDurationThresholdMs",
                message: "must be positive, got \(Text.duration(slowCallDurationThreshold))")
        }
        if waitDurationInOpen < .zero {
            throw BreakerConfigurationError(
                field: "waitDurationInOpenMs", message: "must not be negative, got \(Text.duration(waitDurationInOpen))")
        }
        if permittedCallsInHalfOpen < 1 || permittedCallsInHalfOpen > SlidingWindow.maximumCount {
            throw BreakerConfigurationError(
                field: "permittedCallsInHalfOpen",
                message: "must be between 1 and \(SlidingWindow.maximumCount), got \(permittedCallsInHalfOpen)")
        }
        if let wait = maxWaitDurationInHalfOpen, wait <= .zero {
            throw BreakerConfigurationError(
                field: "maxWaitDurationInHalfOpenMs", message: "must be positive when set, got \(Text.duration(wait))")
        }
        if let timeout = callTimeout, timeout <= .zero {
            throw BreakerConfigurationError(
                field: "callTimeoutMs", message: "must be positive when set, got \(Text.duration(timeout))")
        }
    }
}

extension BreakerConfiguration: BreakerJSONCodable {
    /// ```json
    /// {"slidingWindow": {"kind": "count", "size": 100}, "minimumNumberOfCalls": 100,
    ///  "failureRateThreshold": 50, "slowCallRateThreshold": 100,
    ///  "slowCallDurationThresholdMs": 60000, "waitDurationInOpenMs": 60000,
    ///  "permittedCallsInHalfOpen": 10, "maxWaitDurationInHalfOpenMs": null, "callTimeoutMs": null}
    /// ```
    /// Durations are milliseconds; rates are percentages.
    public var json: JSONValue {
        [
            "slidingWindow": slidingWindow.json,
            "minimumNumberOfCalls": .number(Double(minimumNumberOfCalls)),
            "failureRateThreshold": .number(failureRateThreshold),
            "slowCallRateThreshold": .number(slowCallRateThreshold),
            "slowCallDurationThresholdMs": .number(slowCallDurationThreshold.milliseconds),
            "waitDurationInOpenMs": .number(waitDurationInOpen.milliseconds),
            "permittedCallsInHalfOpen": .number(Double(permittedCallsInHalfOpen)),
            "maxWaitDurationInHalfOpenMs": maxWaitDurationInHalfOpen.map { .number($0.milliseconds) } ?? .null,
            "callTimeoutMs": callTimeout.map { .number($0.milliseconds) } ?? .null,
        ]
    }

    /// Reads the JSON form and validates it: a configuration that cannot work is an error
    /// naming the field, not a breaker that silently never trips.
    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        func duration(_ key: String) throws(BreakerDecodingError) -> Duration? {
            guard let ms = try fields.optionalDouble(key) else { return nil }
            guard let duration = Duration.milliseconds(exactly: ms) else {
                throw fields.error(key, "is out of range: \(Text.number(ms)) ms")
            }
            return duration
        }
        func requiredDuration(_ key: String) throws(BreakerDecodingError) -> Duration {
            _ = try fields.require(key)
            return try duration(key)!
        }
        self.init(
            slidingWindow: try SlidingWindow(json: try fields.require("slidingWindow"),
                                             path: fields.fieldPath("slidingWindow")),
            minimumNumberOfCalls: try fields.count("minimumNumberOfCalls"),
            failureRateThreshold: try fields.double("failureRateThreshold"),
            slowCallRateThreshold: try fields.double("slowCallRateThreshold"),
            slowCallDurationThreshold: try requiredDuration("slowCallDurationThresholdMs"),
            waitDurationInOpen: try requiredDuration("waitDurationInOpenMs"),
            permittedCallsInHalfOpen: try fields.count("permittedCallsInHalfOpen"),
            maxWaitDurationInHalfOpen: try duration("maxWaitDurationInHalfOpenMs"),
            callTimeout: try duration("callTimeoutMs"))
        do {
            try validate()
        } catch {
            throw BreakerDecodingError(path: fields.fieldPath(error.field), message: error.message)
        }
    }
}
