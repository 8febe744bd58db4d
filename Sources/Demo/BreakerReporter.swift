import CircuitBreaker
import StackClient
import StackProtocol
import Timekeeping

/// Reports a circuit breaker to the stack's breaker board and applies the operator's
/// override the board answers with.
///
/// Every `interval` it sends `PUT /_signalbox/breakers/{service}/{dependency}` with the
/// breaker's snapshot; the reply `{"override": <override>|null}` is applied when it differs
/// from the override in force (a `null` while the breaker is forced returns it to automatic).
/// An endpoint without the board (AWS, moto: 404) ends the reporting quietly; a passing
/// failure is retried on the next tick.
public struct BreakerReporter: Sendable {
    public let client: ExtensionClient
    public let breaker: CircuitBreaker
    public var interval: Duration
    public var clock: any TimeSource

    public init(client: ExtensionClient, breaker: CircuitBreaker, interval: Duration = .milliseconds(500),
                clock: any TimeSource = SystemClock()) {
        self.client = client
        self.breaker = breaker
        self.interval = interval
        self.clock = clock
    }

    /// Why reporting ended.
    public enum End: Sendable, Equatable {
        case cancelled
        /// The endpoint has no breaker board.
        case noBoard
    }

    public var path: String {
        ExtensionPaths.breaker(service: breaker.id.service, dependency: breaker.id.dependency)
    }

    public func run() async -> End {
        while !Task.isCancelled {
            switch await reportOnce() {
            case .noBoard: return .noBoard
            case .reported, .failed: break
            }
            try? await clock.sleep(for: interval)
        }
        return .cancelled
    }

    public enum Report: Sendable, Equatable {
        /// The board took the snapshot; `applied` is the override newly put in force, if any.
        case reported(applied: BreakerOverride?)
        case failed(String)
        case noBoard
    }

    /// One round trip: report the snapshot, apply the answer.
    public func reportOnce() async -> Report {
        let snapshot = breaker.snapshot()
        let answer: BreakerReportAnswer
        do throws(StackClientError) {
            answer = try await client.report(snapshot)
        } catch {
            if case .noExtension = error { return .noBoard }
            return .failed(error.description)
        }
        let wanted: BreakerOverride
        if let standing = answer.override {
            guard standing != snapshot.override else { return .reported(applied: nil) }
            wanted = standing
        } else {
            // No override on the board: a breaker still forced goes back to automatic.
            guard let inForce = snapshot.override, inForce.mode != .automatic else { return .reported(applied: nil) }
            wanted = .automatic(by: inForce.actor, reason: "override cleared on the breaker board")
        }
        return .reported(applied: breaker.apply(wanted) ? wanted : nil)
    }
}
