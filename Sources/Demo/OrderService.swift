import Foundation
import JSON
import StackClient
import Timekeeping

/// Places orders at a steady rate: each is an `Order Created` event (source `shop.orders`) on
/// `shop-bus`, whose rule starts the order saga. Every order carries a fresh correlation id
/// that the saga's input, the queue messages and the domain events all repeat.
struct OrderService: Sendable {
    let context: ServiceContext
    let rate: OrderRate

    static let catalog: [(sku: String, price: Double)] = [
        ("SKU-KETTLE", 39.5), ("SKU-MUG", 12), ("SKU-TEAPOT", 54), ("SKU-FILTER", 6.25), ("SKU-GRINDER", 89),
    ]

    /// Orders in flight at once: placing one is a PutEvents round trip, so a slow endpoint
    /// would otherwise cap the rate at one order per round trip.
    static let maximumInFlight = 32

    func run() async {
        let clock = context.clock
        let interval = rate.interval
        var next = clock.now
        await withTaskGroup(of: Void.self) { group in
            var unreaped = 0
            while !Task.isCancelled {
                next += interval
                // Fallen more than a second behind (a slow endpoint): resume the steady pace
                // from now rather than bursting to catch up.
                if clock.now - next > .seconds(1) { next = clock.now }
                try? await clock.sleep(until: next)
                if Task.isCancelled { break }
                let spec = context.chaos.current
                if spec.isDown("order") { continue }
                if unreaped >= Self.maximumInFlight {
                    await group.next()
                    unreaped -= 1
                }
                unreaped += 1
                group.addTask {
                    await context.pause(spec.latency("order"))
                    if Dice.roll(spec.errorProbability("order")) {
                        context.counters.add(.ordersRejected)
                        return
                    }
                    await place(Self.makeOrder())
                }
            }
            group.cancelAll()
        }
    }

    static func makeOrder() -> JSONValue {
        let lines = (0..<Int.random(in: 1...3)).map { _ -> (String, Int, Double) in
            let item = catalog.randomElement()!
            return (item.sku, Int.random(in: 1...3), item.price)
        }
        let amount = (lines.reduce(0) { $0 + Double($1.1) * $1.2 } * 100).rounded() / 100
        return [
            "orderId": .string(Dice.identifier("ord")),
            "correlationId": .string(UUID().uuidString.lowercased()),
            "customerId": .string("cust-\(Int.random(in: 100...999))"),
            "items": .array(lines.map { line -> JSONValue in
                ["sku": .string(line.0), "quantity": .number(Double(line.1)), "price": .number(line.2)]
            }),
            "amount": .number(amount),
            "currency": "USD",
            "status": "pending",
        ]
    }

    func place(_ order: JSONValue) async {
        let client = context.client
        do {
            let answer = try await client.call(.eventBridge, "PutEvents", ["Entries": [[
                "Source": .string(DemoNames.orderSource), "DetailType": .string(DemoNames.orderCreated),
                "Detail": .string(order.serialized), "EventBusName": .string(DemoNames.bus),
            ]]])
            guard (answer["FailedEntryCount"]?.intValue ?? 0) == 0 else {
                context.counters.callFailed("PutEvents Order Created: \(answer["Entries"]?[0]?["ErrorMessage"]?.stringValue ?? "refused")")
                return
            }
            if context.resources.sagaTrigger == .direct {
                _ = try await client.call(.stepFunctions, "StartExecution", [
                    "stateMachineArn": .string(context.resources.stateMachineArn),
                    "name": .string(order["orderId"]?.stringValue ?? Dice.identifier("ord")),
                    "input": .string(order.serialized),
                ])
            }
            context.counters.add(.ordersPlaced)
        } catch {
            context.counters.callFailed("placing an order: \(error)")
        }
    }
}
