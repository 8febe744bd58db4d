import Chaos
import Demo
import Foundation
import Provider

/// The demo's order-fulfilment system (`signalbox serve --demo`) as a provider reports it, for
/// the topology map's layout tests and the Topology pane's goldens (one copy: two that drifted
/// apart drew two different demos). The names, the saga's definition, the breakers and what each
/// service says it publishes and consumes are the demo's own (`DemoNames`, `OrderSaga`,
/// `ChaosSpec.dependencies`); the figures (depths, rates, executions) are made up. Test data only.
public enum DemoSnapshot {
    /// 2026-11-18 11:06:40 UTC, the console tests' clock.
    public static let now = Date(timeIntervalSince1970: 1_795_000_000)
    public static let account = "000000000000"
    public static func arn(_ service: String, _ resource: String) -> String { "arn:aws:\(service):us-east-1:\(account):\(resource)" }
    public static let bus = arn("events", "event-bus/" + DemoNames.bus)
    public static let saga = arn("states", "stateMachine:" + DemoNames.stateMachine)
    public static let notification = arn("sqs", DemoNames.notificationQueue)
    public static let analytics = arn("sqs", DemoNames.analyticsQueue)
    public static let deadLetterQueue = arn("sqs", DemoNames.analyticsDeadLetterQueue)

    /// A Task state's resource as `OrderSaga.definition` names it (a Lambda function the stack
    /// dispatches as the activity of that name): the id of its node on the map.
    public static func task(_ name: String) -> String { "arn:aws:lambda:ap-northeast-1:123456789012:function:" + name }

    /// A service of the demo's namespace, one instance per entry of `healthy`, with the demo's
    /// `signalbox:publishes` / `signalbox:consumes` attributes for `name` unless others are given.
    public static func service(_ name: String, healthy: [Bool] = [true], publishes: String? = nil, consumes: String? = nil) -> RegistryService {
        var attributes = ["AWS_INSTANCE_IPV4": "127.0.0.1"]
        if let publishes = publishes ?? DemoNames.publishes[name] { attributes["signalbox:publishes"] = publishes }
        if let consumes = consumes ?? DemoNames.consumes[name] { attributes["signalbox:consumes"] = consumes }
        return RegistryService(name: name, id: "srv-" + name, namespace: DemoNames.namespace,
                               instances: healthy.enumerated().map { index, up in
                                   RegistryInstance(id: "\(name)-\(index + 1)", attributes: attributes, health: up ? .healthy : .unhealthy)
                               })
    }

    /// The demo running well: orders flowing (24 in the last 10 s, each delivered to the saga
    /// and both queues), every breaker closed, two executions running, the live stream up.
    public static func demo(now: Date = now) -> SystemSnapshot {
        let routes = [(DemoNames.sagaRule, "saga", saga), (DemoNames.notificationRule, "q", notification),
                      (DemoNames.analyticsRule, "q", analytics)]
        var events: [FlowEvent] = []
        for i in 0..<24 {
            events.append(FlowEvent(id: "e\(i)", time: now.addingTimeInterval(-Double(i) * 0.4), eventBusName: DemoNames.bus,
                                    source: DemoNames.orderSource, detailType: DemoNames.orderCreated,
                                    matchedRules: routes.map(\.0),
                                    deliveries: routes.map { Delivery(rule: $0.0, targetId: $0.1, targetArn: $0.2, status: .delivered) }))
        }
        let executions = (0..<6).map { i in
            Execution(name: "order-\(i)", arn: arn("states", "execution:\(DemoNames.stateMachine):order-\(i)"),
                      stateMachineName: DemoNames.stateMachine,
                      status: i < 2 ? .running : .succeeded, startDate: now.addingTimeInterval(-Double(i) * 2),
                      stopDate: i < 2 ? nil : now.addingTimeInterval(-Double(i)))
        }
        let breakers = ChaosSpec.dependencies.map { dependency in
            Breaker(service: dependency.caller, dependency: dependency.name, state: .closed, failureRate: 0, calls: 40, reportedAt: now)
        }
        var snapshot = SystemSnapshot(
            connection: .connected(since: now.addingTimeInterval(-60)), endpoint: EndpointDescription(name: "local", url: "http://127.0.0.1:4566"),
            takenAt: now,
            buses: [EventBus(name: "default", arn: arn("events", "event-bus/default")), EventBus(name: DemoNames.bus, arn: bus)],
            rules: routes.map { rule, id, target in
                Rule(name: rule, arn: arn("events", "rule/\(DemoNames.bus)/\(rule)"), eventBusName: DemoNames.bus,
                     targets: [RuleTarget(id: id, arn: target)])
            },
            recentEvents: EventRing(events.reversed()),
            queues: [
                Queue(name: DemoNames.analyticsQueue, url: "http://q/analytics", arn: analytics, visibleMessages: 2,
                      deadLetterTargetArn: deadLetterQueue, maxReceiveCount: DemoNames.analyticsMaxReceiveCount),
                Queue(name: DemoNames.analyticsDeadLetterQueue, url: "http://q/analytics-dlq", arn: deadLetterQueue,
                      deadLetterSourceArns: [analytics]),
                Queue(name: DemoNames.notificationQueue, url: "http://q/notification", arn: notification, visibleMessages: 1),
            ],
            breakers: breakers,
            stateMachines: [StateMachine(name: DemoNames.stateMachine, arn: saga, definition: OrderSaga.definition)],
            executions: executions,
            registry: DemoNames.services.map { service($0, healthy: $0 == "payment" ? [true, true] : [true]) },
            liveStream: true)
        snapshot.rates = TrafficRates.counting(events, now: now)
        return snapshot
    }

    /// The demo in trouble: payment's breaker open, the analytics dead-letter queue filling,
    /// one shipping instance of two unhealthy, executions failing.
    public static func failing(now: Date = now) -> SystemSnapshot {
        var snapshot = demo(now: now)
        if let index = snapshot.breakers.firstIndex(where: { $0.dependency == "payment-gateway" }) {
            snapshot.breakers[index].state = .open
            snapshot.breakers[index].failureRate = 64
        }
        if let index = snapshot.queues.firstIndex(where: { $0.arn == deadLetterQueue }) {
            snapshot.queues[index].visibleMessages = 17
            snapshot.queues[index].oldestMessageAge = .seconds(240)
        }
        if let index = snapshot.registry.firstIndex(where: { $0.name == "shipping" }) {
            snapshot.registry[index] = service("shipping", healthy: [true, false])
        }
        for index in snapshot.executions.indices where index % 2 == 0 && snapshot.executions[index].status == .succeeded {
            snapshot.executions[index].status = .failed
        }
        return snapshot
    }
}
