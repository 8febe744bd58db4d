import Foundation
import Provider
import Terminal
@testable import TopologyLayout

/// The demo's system as a snapshot would show it: what the map is first drawn from.
enum Fixtures {
    static let account = "000000000000"
    static func arn(_ service: String, _ resource: String) -> String { "arn:aws:\(service):us-east-1:\(account):\(resource)" }

    static let sagaDefinition = """
    {"StartAt":"ReserveInventory","States":{
      "ReserveInventory":{"Type":"Task","Resource":"\(arn("states", "activity:inventory-reserve"))","Next":"ChargePayment"},
      "ChargePayment":{"Type":"Task","Resource":"\(arn("states", "activity:payment-charge"))","Next":"CreateShipment"},
      "CreateShipment":{"Type":"Task","Resource":"\(arn("states", "activity:shipping-create"))","End":true}}}
    """

    static func service(_ name: String, healthy: Bool = true, publishes: String? = nil, consumes: String? = nil) -> RegistryService {
        var attributes = ["AWS_INSTANCE_IPV4": "127.0.0.1"]
        if let publishes { attributes[MapAttribute.publishes] = publishes }
        if let consumes { attributes[MapAttribute.consumes] = consumes }
        return RegistryService(name: name, id: "srv-" + name, namespace: "shop.local",
                               instances: [RegistryInstance(id: name + "-1", attributes: attributes,
                                                            health: healthy ? .healthy : .unhealthy)])
    }

    static func demo(now: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> SystemSnapshot {
        let bus = arn("events", "event-bus/shop-bus")
        let saga = arn("states", "stateMachine:order-saga")
        let notification = arn("sqs", "notification"), analytics = arn("sqs", "analytics"), dlq = arn("sqs", "analytics-dlq")
        return SystemSnapshot(
            connection: .connected(since: now), endpoint: EndpointDescription(name: "local"), takenAt: now,
            buses: [EventBus(name: "default", arn: arn("events", "event-bus/default")), EventBus(name: "shop-bus", arn: bus)],
            rules: [
                Rule(name: "order-created", arn: arn("events", "rule/shop-bus/order-created"), eventBusName: "shop-bus",
                     targets: [RuleTarget(id: "saga", arn: saga)]),
                Rule(name: "order-notifications", arn: arn("events", "rule/shop-bus/order-notifications"), eventBusName: "shop-bus",
                     targets: [RuleTarget(id: "q", arn: notification)]),
                Rule(name: "order-analytics", arn: arn("events", "rule/shop-bus/order-analytics"), eventBusName: "shop-bus",
                     targets: [RuleTarget(id: "q", arn: analytics)]),
            ],
            recentEvents: [FlowEvent(id: "e1", time: now, eventBusName: "shop-bus", source: "shop.orders", detailType: "Order Created")],
            queues: [
                Queue(name: "analytics", url: "http://q/analytics", arn: analytics, visibleMessages: 3,
                      deadLetterTargetArn: dlq, maxReceiveCount: 3),
                Queue(name: "analytics-dlq", url: "http://q/analytics-dlq", arn: dlq, deadLetterSourceArns: [analytics]),
                Queue(name: "notification", url: "http://q/notification", arn: notification),
            ],
            breakers: [Breaker(service: "payment", dependency: "payment-gateway"),
                       Breaker(service: "inventory", dependency: "warehouse-db")],
            stateMachines: [StateMachine(name: "order-saga", arn: saga, definition: sagaDefinition)],
            registry: [
                service("order", publishes: "shop-bus"),
                service("inventory", consumes: "inventory-reserve"),
                service("payment", publishes: "shop-bus", consumes: "payment-charge"),
                service("shipping", consumes: "shipping-create"),
                service("notification", consumes: "notification"),
                service("analytics", consumes: "analytics,no-such-queue"),
            ])
    }

    /// Every cell of every box, and every cell a segment or arrow covers, in map coordinates.
    static func violations(_ layout: MapLayout) -> [String] {
        var problems: [String] = []
        var owner: [Int: Int] = [:]
        let width = layout.size.columns + 1
        for (index, box) in layout.boxes.enumerated() {
            for y in box.rect.y..<box.rect.maxY {
                for x in box.rect.x..<box.rect.maxX {
                    if let other = owner.updateValue(index, forKey: y * width + x) {
                        problems.append("boxes \(layout.graph.nodes[other].id) and \(layout.graph.nodes[index].id) overlap at \(x),\(y)")
                        return problems
                    }
                }
            }
        }
        for (index, segment) in layout.segments.enumerated() {
            for y in segment.y0...segment.y1 {
                for x in segment.x0...segment.x1 {
                    if let box = owner[y * width + x] {
                        let edge = layout.graph.edges[Int(layout.segmentEdge[index])]
                        problems.append("edge \(edge.from)→\(edge.to) passes through \(layout.graph.nodes[box].id) at \(x),\(y)")
                        return problems
                    }
                    if x < 0 || y < 0 || x >= layout.size.columns || y >= layout.size.rows {
                        problems.append("segment \(segment) outside the map \(layout.size)")
                        return problems
                    }
                }
            }
        }
        for route in layout.routes where owner[route.arrow.y * width + route.arrow.x] != nil {
            problems.append("an arrowhead sits inside a box at \(route.arrow)")
        }
        return problems
    }

    /// The whole map drawn as text.
    static func picture(_ layout: MapLayout, decorations: MapDecorations? = nil) -> [String] {
        var buffer = CellBuffer(size: Size(columns: max(1, layout.size.columns), rows: max(1, layout.size.rows)))
        MapCanvas.draw(layout, decorations: decorations ?? MapDecorations(plain: layout.graph), into: &buffer,
                       area: buffer.bounds, origin: MapPoint(x: 0, y: 0))
        return buffer.textLines()
    }
}
