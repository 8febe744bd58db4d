import Foundation
import JSON
import Provider
@testable import Console
import Terminal

/// A small order-fulfilment system as a provider would report it. Test data only: the console
/// itself never invents rows.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_795_000_000) // 2026-11-18 11:06:40 UTC
    static let region = "arn:aws:sqs:us-east-1:000000000000:"

    static func snapshot() -> SystemSnapshot {
        let t = now
        let bus = EventBus(name: "orders", arn: "arn:aws:events:us-east-1:000000000000:event-bus/orders")
        let queues = [
            Queue(name: "inventory-requests", url: "http://127.0.0.1:4566/000000000000/inventory-requests",
                  arn: region + "inventory-requests", visibleMessages: 12, inFlightMessages: 3,
                  oldestMessageAge: .seconds(95), deadLetterTargetArn: region + "inventory-dlq", maxReceiveCount: 5),
            Queue(name: "inventory-dlq", url: "http://127.0.0.1:4566/000000000000/inventory-dlq", arn: region + "inventory-dlq",
                  visibleMessages: 2, deadLetterSourceArns: [region + "inventory-requests"]),
            Queue(name: "在庫-通知", url: "http://127.0.0.1:4566/000000000000/zaiko", arn: region + "在庫-通知"),
        ]
        let rules = [
            Rule(name: "order-placed-to-inventory", arn: "arn:aws:events:us-east-1:000000000000:rule/orders/a",
                 eventBusName: "orders", eventPattern: #"{"detail-type":["OrderPlaced"]}"#,
                 targets: [RuleTarget(id: "1", arn: region + "inventory-requests")]),
            Rule(name: "order-saga", arn: "arn:aws:events:us-east-1:000000000000:rule/orders/b", eventBusName: "orders",
                 targets: [RuleTarget(id: "1", arn: "arn:aws:states:us-east-1:000000000000:stateMachine:order-saga")]),
            Rule(name: "legacy-audit", arn: "arn:aws:events:us-east-1:000000000000:rule/orders/c", eventBusName: "orders",
                 state: .disabled, targets: [RuleTarget(id: "1", arn: region + "在庫-通知")]),
        ]
        let events: [FlowEvent] = (0..<5).map { (i: Int) -> FlowEvent in
            let detail: JSONValue = .object(["orderId": .string("o-\(100 + i)"), "amount": .number(42.5), "items": .array([.string("sku-1")])])
            let source = i == 3 ? "payment\u{1B}[2J" : "com.shop.orders"
            let detailType = i % 2 == 0 ? "OrderPlaced" : "PaymentCharged"
            let matched: [String] = i == 4 ? [] : ["order-placed-to-inventory"]
            let deliveries: [Delivery] = i == 4 ? [] : [
                Delivery(rule: "order-placed-to-inventory", targetId: "1", targetArn: region + "inventory-requests",
                         status: i == 3 ? .deadLettered : .delivered, error: i == 3 ? "ThrottlingException: rate exceeded" : nil),
            ]
            return FlowEvent(id: "evt-\(i)", time: t.addingTimeInterval(Double(i - 5)), eventBusName: "orders",
                             source: source, detailType: detailType, detail: detail, matchedRules: matched, deliveries: deliveries)
        }
        let breakers = [
            Breaker(service: "payment", dependency: "payment-api", state: .open, failureRate: 62, failureRateThreshold: 50,
                    calls: 20, failures: 12, slowCalls: 2, shortCircuited: 41, p99Latency: .milliseconds(4870),
                    lastTransition: Breaker.Transition(from: .closed, to: .open, at: t.addingTimeInterval(-30),
                                                       reason: "failure rate 62% ≥ 50% over 20 calls"),
                    retryAt: t.addingTimeInterval(30), reportedAt: t.addingTimeInterval(-2), recentFailureRates: [0, 0, 10, 25, 62, 62]),
            Breaker(service: "inventory", dependency: "inventory-db", state: .closed, failureRate: 5, calls: 20, failures: 1,
                    p99Latency: .milliseconds(212), reportedAt: t.addingTimeInterval(-1), recentFailureRates: [0, 5, 0, 0, 5, 0]),
            Breaker(service: "shipping", dependency: "shipping-api", state: .halfOpen, calls: 3, reportedAt: t.addingTimeInterval(-4)),
            Breaker(service: "配送", dependency: "配送-api", state: .forcedClosed,
                    override: Breaker.Override(force: .closed, actor: "alice", reason: "incident 123", at: t.addingTimeInterval(-300)),
                    reportedAt: t.addingTimeInterval(-95), stale: true),
        ]
        let machine = StateMachine(name: "order-saga", arn: "arn:aws:states:us-east-1:000000000000:stateMachine:order-saga",
                                   definition: orderSagaDefinition)
        func arn(_ name: String) -> String { "arn:aws:states:us-east-1:000000000000:execution:order-saga:" + name }
        let executions = [
            Execution(name: "order-101", arn: arn("order-101"), stateMachineName: "order-saga", status: .running,
                      startDate: t.addingTimeInterval(-20), currentState: "ChargePayment",
                      timeline: [TimelineEntry(id: 1, type: "ExecutionStarted", timestamp: t.addingTimeInterval(-20)),
                                 TimelineEntry(id: 2, type: "TaskStateEntered", timestamp: t.addingTimeInterval(-19), stateName: "ReserveInventory"),
                                 TimelineEntry(id: 3, type: "TaskSucceeded", timestamp: t.addingTimeInterval(-15), stateName: "ReserveInventory"),
                                 TimelineEntry(id: 4, type: "TaskStateEntered", timestamp: t.addingTimeInterval(-14), stateName: "ChargePayment")]),
            Execution(name: "order-102", arn: arn("order-102"), stateMachineName: "order-saga", status: .running,
                      startDate: t.addingTimeInterval(-40), currentState: "CompensateInventory",
                      timeline: [TimelineEntry(id: 7, type: "TaskFailed", timestamp: t.addingTimeInterval(-10), stateName: "ChargePayment",
                                               detail: "PaymentDeclined")]),
            Execution(name: "order-099", arn: arn("order-099"), stateMachineName: "order-saga", status: .running,
                      startDate: t.addingTimeInterval(-3600), currentState: "ShipOrder",
                      timeline: [TimelineEntry(id: 9, type: "TaskStateEntered", timestamp: t.addingTimeInterval(-3500), stateName: "ShipOrder")]),
            Execution(name: "order-098", arn: arn("order-098"), stateMachineName: "order-saga", status: .succeeded,
                      startDate: t.addingTimeInterval(-7200), stopDate: t.addingTimeInterval(-7190)),
            Execution(name: "order-097", arn: arn("order-097"), stateMachineName: "order-saga", status: .failed,
                      startDate: t.addingTimeInterval(-9000), stopDate: t.addingTimeInterval(-8990), currentState: "ChargePayment"),
        ]
        let registry = [
            RegistryService(name: "payment", id: "srv-pay", namespace: "shop.local", instances: [
                RegistryInstance(id: "payment-1", attributes: ["AWS_INSTANCE_IPV4": "10.0.0.5", "AWS_INSTANCE_PORT": "8080"], health: .healthy),
                RegistryInstance(id: "payment-2", attributes: ["AWS_INSTANCE_IPV4": "10.0.0.6", "AWS_INSTANCE_PORT": "8080"], health: .unhealthy),
            ]),
            RegistryService(name: "在庫サービス", id: "srv-inv", namespace: "shop.local", instances: [
                RegistryInstance(id: "inv-1", attributes: ["AWS_INSTANCE_IPV4": "10.0.0.7"], health: .healthy),
            ]),
        ]
        return SystemSnapshot(connection: .connected(since: t.addingTimeInterval(-600)),
                              endpoint: EndpointDescription(name: "local", url: "http://127.0.0.1:4566"),
                              takenAt: t, buses: [bus], rules: rules, recentEvents: EventRing(events), droppedEvents: 3,
                              queues: queues, breakers: breakers, stateMachines: [machine], executions: executions,
                              registry: registry)
    }

    /// The seed's order saga (Sources/Demo/OrderSaga.swift), as DescribeStateMachine returns it.
    static let orderSagaDefinition = try! String(contentsOf: Bundle.module.url(forResource: "order-saga.asl", withExtension: "json",
                                                                               subdirectory: "Sagas")!, encoding: .utf8)

    static func notConnected() -> SystemSnapshot {
        .notConnected(endpoint: EndpointDescription(name: "local"), reason: "no provider for this endpoint yet")
    }

    static func state(_ snapshot: SystemSnapshot = snapshot(), readOnly: Bool = false) -> ConsoleState {
        ConsoleState(snapshot: snapshot, now: now, readOnly: readOnly, themeName: "default",
                     availableThemes: ["colorblind", "default", "high-contrast", "light", "mono"])
    }
}

extension ConsoleState {
    /// Presses keys in order, returning the effects of the last one.
    @discardableResult
    mutating func press(_ keys: Key...) -> [ConsoleEffect] {
        var effects: [ConsoleEffect] = []
        for key in keys { effects = handle(key) }
        return effects
    }

    @discardableResult
    mutating func type(_ text: String) -> [ConsoleEffect] {
        var effects: [ConsoleEffect] = []
        for c in text { effects = handle(.character(c)) }
        return effects
    }

    func frame(_ columns: Int, _ rows: Int) -> CellBuffer {
        Screen.render(self, size: Size(columns: columns, rows: rows)).buffer
    }
}
