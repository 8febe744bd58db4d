import CircuitBreaker
import JSON

/// Charges the order through the payment gateway (`payment-charge`) behind the circuit
/// breaker payment → payment-gateway, and refunds it when the saga compensates
/// (`payment-refund`). Error names the saga's Catch sees: `PaymentDeclined` (the gateway
/// failed), `PaymentGatewayTimeout`, `PaymentGatewayUnavailable` (the breaker is open).
struct PaymentService: Sendable {
    let context: ServiceContext
    let breaker: CircuitBreaker
    let gateway: PaymentGateway

    func workers() -> [ActivityWorker] {
        [
            context.worker(service: "payment", activity: DemoNames.Activity.paymentCharge) { input throws(TaskFailure) in
                try await charge(input)
            },
            context.worker(service: "payment", activity: DemoNames.Activity.paymentRefund) { input throws(TaskFailure) in
                await refund(input)
            },
        ]
    }

    func charge(_ order: JSONValue) async throws(TaskFailure) -> JSONValue {
        let orderId = order["orderId"]?.stringValue ?? "?"
        let amount = order["amount"]?.doubleValue ?? 0
        let gateway = self.gateway
        do {
            let paymentId = try await breaker.run { try await gateway.charge(orderId: orderId, amount: amount) }
            context.counters.add(.charged)
            await context.events.publish(source: "shop.payments", detailType: "Payment Charged", order: order,
                                         ["paymentId": .string(paymentId), "amount": .number(amount)])
            return order.adding(["paymentId": .string(paymentId)])
        } catch {
            let failure: TaskFailure
            if let breakerError = error as? CircuitBreakerError {
                if breakerError.isShortCircuit {
                    context.counters.add(.shortCircuited)
                    failure = TaskFailure(error: "PaymentGatewayUnavailable", message: breakerError.description, order: order)
                } else {
                    context.counters.add(.chargeFailed)
                    failure = TaskFailure(error: "PaymentGatewayTimeout", message: breakerError.description, order: order)
                }
            } else {
                context.counters.add(.chargeFailed)
                failure = TaskFailure(error: "PaymentDeclined", message: "\(error)", order: order)
            }
            await context.events.publish(source: "shop.payments", detailType: "Payment Failed", order: order,
                                         ["error": .string(failure.error)])
            throw failure
        }
    }

    func refund(_ input: JSONValue) async -> JSONValue {
        let order = TaskFailure.order(inCompensationInput: input)
        await context.pause(context.chaos.current.latency("payment"))
        context.counters.add(.refunded)
        await context.events.publish(source: "shop.payments", detailType: "Payment Refunded", order: order)
        return order.adding(["refunded": true])
    }
}
