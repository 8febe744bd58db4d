import JSON

import CircuitBreaker

/// Reserves stock for an order (`inventory-reserve`) in the warehouse database, behind the
/// breaker inventory → warehouse-db, and releases it when the saga compensates
/// (`inventory-release`). Chaos: `inventory.error` fails reservations with
/// `InventoryUnavailable`; `inventory.latency` slows both; `inventory.down` stops both;
/// `warehouse-db.*` fails or slows the database calls, which the breaker sees.
struct InventoryService: Sendable {
    let context: ServiceContext
    let breaker: CircuitBreaker
    let warehouse: SimulatedDependency

    func workers() -> [ActivityWorker] {
        [
            context.worker(service: "inventory", activity: DemoNames.Activity.inventoryReserve) { input throws(TaskFailure) in
                try await reserve(input)
            },
            context.worker(service: "inventory", activity: DemoNames.Activity.inventoryRelease) { input throws(TaskFailure) in
                await release(input)
            },
        ]
    }

    func reserve(_ order: JSONValue) async throws(TaskFailure) -> JSONValue {
        let spec = context.chaos.current
        await context.pause(spec.latency("inventory"))
        if Dice.roll(spec.errorProbability("inventory")) {
            throw TaskFailure(error: "InventoryUnavailable", message: "no stock for the order (injected fault)", order: order)
        }
        let warehouse = self.warehouse
        do {
            try await breaker.run { try await warehouse.call() }
        } catch {
            throw TaskFailure(error: "InventoryUnavailable", message: DependencyCall.describe(error), order: order)
        }
        context.counters.add(.reserved)
        return order.adding(["reservationId": .string(Dice.identifier("res"))])
    }

    func release(_ input: JSONValue) async -> JSONValue {
        let order = TaskFailure.order(inCompensationInput: input)
        await context.pause(context.chaos.current.latency("inventory"))
        context.counters.add(.released)
        await context.events.publish(source: "shop.inventory", detailType: "Inventory Released", order: order)
        return order.adding(["inventoryReleased": true])
    }
}
