import Foundation

/// A circuit breaker inside a service, as the breaker board reports it (pybreaker semantics:
/// closed → open after `failureThreshold` failures, half-open after `resetTimeout`).
public struct Breaker: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        case closed
        case open
        case halfOpen = "half-open"
    }

    /// An operator override: the breaker stays in `state` until released.
    public enum Override: String, Sendable, Hashable {
        case forcedOpen = "forced-open"
        case forcedClosed = "forced-closed"
    }

    public var name: String
    public var service: String
    public var state: State
    public var override: Override?
    public var failureCount: Int
    public var failureThreshold: Int
    public var resetTimeout: Duration
    public var lastTransition: Date?
    /// Recent failure counts per interval, oldest first (for a sparkline).
    public var recentFailures: [Int]

    public init(name: String, service: String, state: State = .closed, override: Override? = nil,
                failureCount: Int = 0, failureThreshold: Int = 5, resetTimeout: Duration = .seconds(60),
                lastTransition: Date? = nil, recentFailures: [Int] = []) {
        self.name = name
        self.service = service
        self.state = state
        self.override = override
        self.failureCount = failureCount
        self.failureThreshold = failureThreshold
        self.resetTimeout = resetTimeout
        self.lastTransition = lastTransition
        self.recentFailures = recentFailures
    }
}
