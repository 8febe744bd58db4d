import CircuitBreaker
import JSON

/// Creates the shipment (`shipping-create`) with the carrier, behind the breaker shipping →
/// carrier-api: the saga's last step; publishes `Order Shipped`. Chaos: `shipping.error` (or
/// a failing `carrier-api`) fails it with `ShipmentRejected`, which makes the saga refund the
/// payment and release the stock.
struct ShippingService: Sendable {
    let context: ServiceContext
    let breaker: CircuitBreaker
    let carrier: SimulatedDependency

    func workers() -> [ActivityWorker] {
        [
            context.worker(service: "shipping", activity: DemoNames.Activity.shippingCreate) { input throws(TaskFailure) in
                try await ship(input)
            },
        ]
    }

    func ship(_ order: JSONValue) async throws(TaskFailure) -> JSONValue {
        let spec = context.chaos.current
        await context.pause(spec.latency("shipping"))
        if Dice.roll(spec.errorProbability("shipping")) {
            throw TaskFailure(error: "ShipmentRejected", message: "the carrier refused the shipment (injected fault)", order: order)
        }
        let carrier = self.carrier
        do {
            try await breaker.run { try await carrier.call() }
        } catch {
            throw TaskFailure(error: "ShipmentRejected", message: DependencyCall.describe(error), order: order)
        }
        let tracking = Dice.identifier("trk")
        context.counters.add(.shipped)
        await context.events.publish(source: "shop.shipping", detailType: "Order Shipped", order: order,
                                     ["trackingNumber": .string(tracking)])
        return order.adding(["trackingNumber": .string(tracking), "status": "shipped"])
    }
}
