import Timekeeping

/// The simulated payment gateway the payment service calls: a few milliseconds per charge,
/// plus `payment.latency`, failing with probability `payment.error`. It is the dependency the
/// payment service's circuit breaker protects.
struct PaymentGateway: Sendable {
    struct Declined: Error, CustomStringConvertible {
        var orderId: String
        var description: String { "payment gateway declined order \(orderId) (injected fault)" }
    }

    let chaos: ChaosControl
    let clock: any TimeSource

    func charge(orderId: String, amount: Double) async throws -> String {
        let spec = chaos.current
        try await clock.sleep(for: .milliseconds(Int.random(in: 5...25)) + spec.latency("payment"))
        if Dice.roll(spec.errorProbability("payment")) { throw Declined(orderId: orderId) }
        return Dice.identifier("pay")
    }
}
