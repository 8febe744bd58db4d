import Chaos
import CircuitBreaker
import Timekeeping

/// The demo's circuit breakers, one per service and outbound dependency, each reported to the
/// breaker board: inventory → warehouse-db, payment → payment-gateway, shipping → carrier-api,
/// notification → mail-provider (the pairs `ChaosSpec.dependencies` names).
public struct DemoBreakers: Sendable {
    /// Trips after half of the last 20 calls failed (10 at least), or 80% took over a second;
    /// tries again after 5 seconds with 3 trial calls.
    public static let configuration = BreakerConfiguration(
        slidingWindow: .count(size: 20), minimumNumberOfCalls: 10, failureRateThreshold: 50,
        slowCallRateThreshold: 80, slowCallDurationThreshold: .seconds(1), waitDurationInOpen: .seconds(5),
        permittedCallsInHalfOpen: 3, maxWaitDurationInHalfOpen: .seconds(30), callTimeout: .seconds(3))

    public let all: [CircuitBreaker]

    init(clock: any TimeSource) {
        // The configuration is a constant known to be valid: a failure here is a programming error.
        all = ChaosSpec.dependencies.map { dependency in
            try! CircuitBreaker(id: BreakerID(service: dependency.caller, dependency: dependency.name),
                                configuration: Self.configuration, clock: clock)
        }
    }

    /// The breaker `service` calls its dependency through.
    public func of(_ service: String) -> CircuitBreaker {
        all.first { $0.id.service == service }!
    }

    /// The simulated dependency behind `service`'s breaker.
    static func dependency(of service: String, chaos: ChaosControl, clock: any TimeSource,
                           callerFaults: Bool = false) -> SimulatedDependency {
        let name = ChaosSpec.dependencies.first { $0.caller == service }!.name
        return SimulatedDependency(name: name, chaos: chaos, clock: clock, callerFaults: callerFaults ? service : nil)
    }
}
