import Foundation
import Provider

/// The demo's order-fulfilment system (`signalbox serve --demo`) as the provider reports it:
/// what the Topology pane's goldens draw. Test data only.
enum TopologyFixtures {
    static let account = "000000000000"
    static func arn(_ service: String, _ resource: String) -> String { "arn:aws:\(service):us-east-1:\(account):\(resource)" }
    static let bus = arn("events", "event-bus/shop-bus")
    static let saga = arn("states", "stateMachine:order-saga")
    static let notification = arn("sqs", "notification"), analytics = arn("sqs", "analytics"), dlq = arn("sqs", "analytics-dlq")

    static let sagaDefinition = """
    {"StartAt":"ReserveInventory","States":{
      "ReserveInventory":{"Type":"Task","Resource":"\(arn("states", "activity:inventory-reserve"))","Next":"ChargePayment"},
      "ChargePayment":{"Type":"Task","Resource":"\(arn("states", "activity:payment-charge"))","Next":"CreateShipment",
                       "Catch":[{"ErrorEquals":["States.ALL"],"Next":"ReleaseInventory"}]},
      "CreateShipment":{"Type":"Task","Resource":"\(arn("states", "activity:shipping-create"))","End":true,
                        "Catch":[{"ErrorEquals":["States.ALL"],"Next":"RefundPayment"}]},
      "RefundPayment":{"Type":"Task","Resource":"\(arn("states", "activity:payment-refund"))","Next":"ReleaseInventory"},
      "ReleaseInventory":{"Type":"Task","Resource":"\(arn("states", "activity:inventory-release"))","Next":"Failed"},
      "Failed":{"Type":"Fail","Error":"OrderFailed"}}}
    """

    static func service(_ name: String, healthy: [Bool] = [true], publishes: String? = nil, consumes: String? = nil) -> RegistryService {
        var attributes = ["AWS_INSTANCE_IPV4": "127.0.0.1"]
        if let publishes { attributes["signalbox:publishes"] = publishes }
        if let consumes { attributes["signalbox:consumes"] = consumes }
        return RegistryService(name: name, id: "srv-" + name, namespace: "shop.local",
                               instances: healthy.enumerated().map { index, up in
                                   RegistryInstance(id: "\(name)-\(index + 1)", attributes: attributes, health: up ? .healthy : .unhealthy)
                               })
    }

    /// The demo running well: orders flowing, every breaker closed, the live stream up.
    static func demo(now: Date = Fixtures.now) -> SystemSnapshot {
        var events: [FlowEvent] = []
        for i in 0..<24 {
            let time = now.addingTimeInterval(-Double(i) * 0.4)
            events.append(FlowEvent(id: "e\(i)", time: time, eventBusName: "shop-bus", source: "shop.orders", detailType: "Order Created",
                                    matchedRules: ["order-created", "order-notifications", "order-analytics"],
                                    deliveries: [Delivery(rule: "order-created", targetId: "saga", targetArn: saga, status: .delivered),
                                                 Delivery(rule: "order-notifications", targetId: "q", targetArn: notification, status: .delivered),
                                                 Delivery(rule: "order-analytics", targetId: "q", targetArn: analytics, status: .delivered)]))
        }
        let executions = (0..<6).map { i in
            Execution(name: "order-\(i)", arn: arn("states", "execution:order-saga:order-\(i)"), stateMachineName: "order-saga",
                      status: i < 2 ? .running : .succeeded, startDate: now.addingTimeInterval(-Double(i) * 2),
                      stopDate: i < 2 ? nil : now.addingTimeInterval(-Double(i)))
        }
        let breakers = [("inventory", "warehouse-db"), ("payment", "payment-gateway"), ("shipping", "carrier-api"),
                        ("notification", "mail-provider")].map { service, dependency in
            Breaker(service: service, dependency: dependency, state: .closed, failureRate: 0, calls: 40, reportedAt: now)
        }
        return SystemSnapshot(
            connection: .connected(since: now.addingTimeInterval(-60)), endpoint: EndpointDescription(name: "local", url: "http://127.0.0.1:4566"),
            takenAt: now,
            buses: [EventBus(name: "default", arn: arn("events", "event-bus/default")), EventBus(name: "shop-bus", arn: bus)],
            rules: [
                Rule(name: "order-created", arn: arn("events", "rule/shop-bus/order-created"), eventBusName: "shop-bus",
                     targets: [RuleTarget(id: "saga", arn: saga)]),
                Rule(name: "order-notifications", arn: arn("events", "rule/shop-bus/order-notifications"), eventBusName: "shop-bus",
                     targets: [RuleTarget(id: "q", arn: notification)]),
                Rule(name: "order-analytics", arn: arn("events", "rule/shop-bus/order-analytics"), eventBusName: "shop-bus",
                     targets: [RuleTarget(id: "q", arn: analytics)]),
            ],
            recentEvents: events.reversed(),
            queues: [
                Queue(name: "analytics", url: "http://q/analytics", arn: analytics, visibleMessages: 2, deadLetterTargetArn: dlq, maxReceiveCount: 3),
                Queue(name: "analytics-dlq", url: "http://q/analytics-dlq", arn: dlq, deadLetterSourceArns: [analytics]),
                Queue(name: "notification", url: "http://q/notification", arn: notification, visibleMessages: 1),
            ],
            breakers: breakers,
            stateMachines: [StateMachine(name: "order-saga", arn: saga, definition: sagaDefinition)],
            executions: executions,
            registry: [
                service("order", publishes: "shop-bus"),
                service("inventory", publishes: "shop-bus", consumes: "inventory-reserve,inventory-release"),
                service("payment", healthy: [true, true], publishes: "shop-bus", consumes: "payment-charge,payment-refund"),
                service("shipping", publishes: "shop-bus", consumes: "shipping-create"),
                service("notification", consumes: "notification"),
                service("analytics", consumes: "analytics"),
            ],
            liveStream: true)
    }

    /// The demo in trouble: payment's breaker open, the analytics dead-letter queue filling,
    /// one shipping instance of two unhealthy, executions failing.
    static func failing(now: Date = Fixtures.now) -> SystemSnapshot {
        var snapshot = demo(now: now)
        if let index = snapshot.breakers.firstIndex(where: { $0.dependency == "payment-gateway" }) {
            snapshot.breakers[index].state = .open
            snapshot.breakers[index].failureRate = 64
        }
        if let index = snapshot.queues.firstIndex(where: { $0.name == "analytics-dlq" }) {
            snapshot.queues[index].visibleMessages = 17
            snapshot.queues[index].oldestMessageAge = .seconds(240)
        }
        if let index = snapshot.registry.firstIndex(where: { $0.name == "shipping" }) {
            snapshot.registry[index] = service("shipping", healthy: [true, false], publishes: "shop-bus", consumes: "shipping-create")
        }
        for index in snapshot.executions.indices where index % 2 == 0 && snapshot.executions[index].status == .succeeded {
            snapshot.executions[index].status = .failed
        }
        return snapshot
    }
}
