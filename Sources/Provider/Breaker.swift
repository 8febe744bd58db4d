import Foundation

/// A circuit breaker inside a service, as the stack's breaker board reports it: the state the
/// breaker is in, the rolling-window figures its thresholds see, and the operator's override
/// with who set it and why — what an on-call engineer needs to decide whether to force it.
public struct Breaker: Sendable, Hashable, Identifiable {
    /// The board's five states; the forced ones are set by an operator, not by thresholds.
    public enum State: String, Sendable, Hashable, CaseIterable {
        case closed
        case open
        case halfOpen = "half-open"
        case forcedOpen = "forced-open"
        case forcedClosed = "forced-closed"

        public var isForced: Bool { self == .forcedOpen || self == .forcedClosed }
    }

    /// What an operator may force a breaker to (the board's override `mode`).
    public enum Force: String, Sendable, Hashable, CaseIterable {
        case open = "force-open"
        case closed = "force-closed"
    }

    /// An override in force: the breaker ignores its thresholds until an operator releases it.
    public struct Override: Sendable, Hashable {
        public var force: Force
        public var actor: String
        public var reason: String
        public var at: Date?

        public init(force: Force, actor: String, reason: String = "", at: Date? = nil) {
            self.force = force
            self.actor = actor
            self.reason = reason
            self.at = at
        }
    }

    /// The last change of state and the breaker's own explanation of it.
    public struct Transition: Sendable, Hashable {
        public var from: State
        public var to: State
        public var at: Date
        public var reason: String

        public init(from: State, to: State, at: Date, reason: String) {
            self.from = from
            self.to = to
            self.at = at
            self.reason = reason
        }
    }

    /// The service making the calls (`payment`).
    public var service: String
    /// The dependency it calls through the breaker (`payment-gateway`).
    public var dependency: String
    public var state: State
    public var override: Override?
    /// Failure rate over the rolling window, in percent; nil while below the minimum calls.
    public var failureRate: Double?
    /// The rate at which the breaker opens, in percent.
    public var failureRateThreshold: Double
    /// Slow-call rate over the window, in percent; nil while below the minimum calls.
    public var slowCallRate: Double?
    /// Calls in the rolling window, and how many it needs before rates count.
    public var calls: Int
    public var minimumCalls: Int
    public var failures: Int
    public var slowCalls: Int
    /// Calls rejected without being attempted (open or forced open), in the window.
    public var shortCircuited: Int
    public var p99Latency: Duration?
    public var lastTransition: Transition?
    /// While open: when trial calls will be let through.
    public var retryAt: Date?
    /// When the service last reported this breaker to the board.
    public var reportedAt: Date?
    /// The board has not heard from the service for a while: the figures may be out of date.
    public var stale: Bool
    /// Failure rate (percent, 0 while unknown) at the provider's recent polls, oldest first.
    public var recentFailureRates: [Int]

    public init(service: String, dependency: String, state: State = .closed, override: Override? = nil,
                failureRate: Double? = nil, failureRateThreshold: Double = 50, slowCallRate: Double? = nil,
                calls: Int = 0, minimumCalls: Int = 10, failures: Int = 0, slowCalls: Int = 0, shortCircuited: Int = 0,
                p99Latency: Duration? = nil, lastTransition: Transition? = nil, retryAt: Date? = nil,
                reportedAt: Date? = nil, stale: Bool = false, recentFailureRates: [Int] = []) {
        self.service = service
        self.dependency = dependency
        self.state = state
        self.override = override
        self.failureRate = failureRate
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRate = slowCallRate
        self.calls = calls
        self.minimumCalls = minimumCalls
        self.failures = failures
        self.slowCalls = slowCalls
        self.shortCircuited = shortCircuited
        self.p99Latency = p99Latency
        self.lastTransition = lastTransition
        self.retryAt = retryAt
        self.reportedAt = reportedAt
        self.stale = stale
        self.recentFailureRates = recentFailureRates
    }

    /// `service/dependency`: the board's key, stable across snapshots (row ids, drill-down).
    public var id: String { service + "/" + dependency }

    /// `service → dependency`, as panes and confirmations name a breaker.
    public var displayName: String { service + " → " + dependency }

    /// Anything but closed: what the operator scans the Circuits pane for.
    public var needsAttention: Bool { state != .closed || stale }
}
