/// The simulated payment gateway the payment service charges through its breaker. Besides
/// the gateway's own faults (`payment-gateway.error|latency|down`), `payment.error` and
/// `payment.latency` fail and slow charges here, as they always have, so a payment fault is
/// what the payment breaker sees.
struct PaymentGateway: Sendable {
    let dependency: SimulatedDependency

    func charge(orderId: String, amount: Double) async throws -> String {
        try await dependency.call()
        return Dice.identifier("pay")
    }
}
