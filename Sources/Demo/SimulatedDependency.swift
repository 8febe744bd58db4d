import Chaos
import Timekeeping

/// A downstream system a demo service calls through its circuit breaker (warehouse-db,
/// payment-gateway, carrier-api, mail-provider): a few milliseconds per call, slowed by
/// `<dependency>.latency`, failing with probability `<dependency>.error`, refusing every call
/// under `<dependency>.down`. The caller's own `error`/`latency` faults may land on the call
/// too (`payment.error` has always failed charges at the gateway, so the payment breaker opens).
struct SimulatedDependency: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var dependency: String
        var reason: String
        var description: String { "\(dependency): \(reason) (injected fault)" }
    }

    let name: String
    let chaos: ChaosControl
    let clock: any TimeSource
    /// The service whose own faults also apply to the call, when they do.
    var callerFaults: String?

    func call() async throws {
        let spec = chaos.current
        if spec.isDown(name) {
            throw Failure(dependency: name, reason: "connection refused")
        }
        var delay = Duration.milliseconds(Int.random(in: 2...12)) + spec.latency(name)
        if let callerFaults { delay += spec.latency(callerFaults) }
        try await clock.sleep(for: delay)
        if Dice.roll(spec.errorProbability(name)) {
            throw Failure(dependency: name, reason: "the call failed")
        }
        if let callerFaults, Dice.roll(spec.errorProbability(callerFaults)) {
            throw Failure(dependency: name, reason: "the call for \(callerFaults) failed")
        }
    }
}
