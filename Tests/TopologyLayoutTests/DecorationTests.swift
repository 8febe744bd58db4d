import Foundation
import Provider
import SignalboxTestSupport
import Testing
@testable import TopologyLayout

@Suite struct DecorationTests {
    let now = DemoSnapshot.now

    /// Breaker open, DLQ filling, one shipping instance of two unhealthy (`DemoSnapshot.failing`),
    /// and the notification service's only instance down: each shows on its node, and the nodes
    /// upstream name the root.
    func failing() -> SystemSnapshot {
        var snapshot = DemoSnapshot.failing(now: now)
        let notification = snapshot.registry.firstIndex { $0.name == "notification" }!
        snapshot.registry[notification] = DemoSnapshot.service("notification", healthy: [false])
        return snapshot
    }

    func decoration(_ decorations: MapDecorations, _ graph: MapGraph, _ id: String) -> MapNodeDecoration {
        decorations.nodes[graph.index(of: id)!]
    }

    @Test func failuresShowOnTheirNodesAndEdges() {
        let snapshot = failing()
        let graph = MapGraph(snapshot: snapshot)
        let decorations = MapDecorations(snapshot: snapshot, graph: graph, now: now, liveStream: true)
        let gateway = decoration(decorations, graph, "dependency:payment-gateway")
        #expect(gateway.health == .failing)
        #expect(gateway.badge.contains("open"))
        let dlq = decoration(decorations, graph, DemoSnapshot.arn("sqs", "analytics-dlq"))
        #expect(dlq.health == .failing)
        #expect(dlq.badge.hasPrefix("17 msgs"))
        #expect(decoration(decorations, graph, "srv-shipping").health == .degraded)
        #expect(decoration(decorations, graph, "srv-shipping").badge == "1/2 healthy")
        #expect(decoration(decorations, graph, "srv-notification").health == .failing)
        #expect(decoration(decorations, graph, "srv-notification").badge == "0/1 healthy")
        #expect(decoration(decorations, graph, "srv-order").health == .healthy)
        let breakerEdge = graph.edges.firstIndex { $0.kind == .dependency && $0.to == "dependency:payment-gateway" }!
        #expect(decorations.edges[breakerEdge] == MapEdgeDecoration(label: "⚡ OPEN", state: .failing))
        let redrive = graph.edges.firstIndex { $0.kind == .deadLetter }!
        #expect(decorations.edges[redrive].state == .failing)
    }

    @Test("a polled queue's counts past 15 s old say how old; fresh ones and the live stream's do not")
    func staleQueueCounts() {
        var snapshot = DemoSnapshot.demo(now: now)
        let orders = DemoSnapshot.analytics
        let index = snapshot.queues.firstIndex { $0.arn == orders }!
        snapshot.queues[index].visibleMessages = 4
        snapshot.queues[index].oldestMessageAge = nil
        let graph = MapGraph(snapshot: snapshot)
        func badge(readSecondsAgo: TimeInterval, live: Bool) -> String {
            var read = snapshot
            read.queues[index].countsReadAt = now.addingTimeInterval(-readSecondsAgo)
            return decoration(MapDecorations(snapshot: read, graph: graph, now: now, liveStream: live), graph, orders).badge
        }
        #expect(badge(readSecondsAgo: 40, live: false) == "4 msgs · read 40s ago")
        #expect(badge(readSecondsAgo: 150, live: false) == "4 msgs · read 2m ago")
        #expect(badge(readSecondsAgo: 3, live: false) == "4 msgs")
        #expect(badge(readSecondsAgo: 40, live: true) == "4 msgs", "the stream pushes counts as they change")
    }

    @Test func upstreamNodesNameTheRootOfTheCascade() {
        let snapshot = failing()
        let graph = MapGraph(snapshot: snapshot)
        let decorations = MapDecorations(snapshot: snapshot, graph: graph, now: now, liveStream: true)
        #expect(decoration(decorations, graph, "srv-payment").cascadeRoot == "payment-gateway")
        #expect(decoration(decorations, graph, DemoSnapshot.task("payment-charge")).cascadeRoot != nil)
        #expect(decoration(decorations, graph, DemoSnapshot.arn("sqs", "analytics")).cascadeRoot == "analytics-dlq")
        // The roots themselves carry no mark; nothing downstream of a root is marked by it.
        #expect(decoration(decorations, graph, "dependency:payment-gateway").cascadeRoot == nil)
        #expect(decoration(decorations, graph, "dependency:warehouse-db").cascadeRoot == nil)
        // A healthy system has no marks at all.
        let healthy = DemoSnapshot.demo(now: now)
        let plain = MapDecorations(snapshot: healthy, graph: MapGraph(snapshot: healthy), now: now, liveStream: true)
        #expect(plain.nodes.allSatisfy { $0.cascadeRoot == nil })
    }

    @Test func liveLabelsCountTheLastTenSecondsOfDeliveries() {
        var snapshot = DemoSnapshot.demo(now: now)
        let saga = DemoSnapshot.arn("states", "stateMachine:order-saga")
        let events = (0..<30).map { i in
            FlowEvent(id: "e\(i)", time: now.addingTimeInterval(-Double(i)), eventBusName: "shop-bus", source: "shop.orders",
                      detailType: "Order Created", matchedRules: ["order-created"],
                      deliveries: [Delivery(rule: "order-created", targetId: "saga", targetArn: saga,
                                            status: i % 5 == 0 ? .failed : .delivered)])
        }
        snapshot.recentEvents = EventRing(events)
        snapshot.rates = TrafficRates.counting(events, now: now)
        let graph = MapGraph(snapshot: snapshot)
        let decorations = MapDecorations(snapshot: snapshot, graph: graph, now: now, liveStream: true)
        let route = graph.edges.firstIndex { $0.kind == .route && $0.to == saga }!
        // Events less than 10 s old (0…9 s): 10 deliveries, of which 2 failed (0 and 5 s ago).
        #expect(decorations.edges[route] == MapEdgeDecoration(label: "1.0/s ✖2", state: .failing))
        let observed = graph.edges.firstIndex { $0.kind == .observed }!
        #expect(decorations.edges[observed] == MapEdgeDecoration(label: "1.0/s", state: .active))
        let notification = graph.edges.firstIndex { $0.kind == .route && $0.to == DemoSnapshot.arn("sqs", "notification") }!
        #expect(decorations.edges[notification] == MapEdgeDecoration(label: "0/s", state: .idle))
    }

    @Test func withoutTheStreamRatesAreEstimatedFromExecutionsOrNotShown() {
        var snapshot = DemoSnapshot.demo(now: now)
        snapshot.recentEvents = []
        snapshot.executions = (0..<5).map { i in
            Execution(name: "x\(i)", arn: "x\(i)", stateMachineName: "order-saga", status: .succeeded,
                      startDate: now.addingTimeInterval(-Double(i) * 4))
        }
        let graph = MapGraph(snapshot: snapshot)
        let decorations = MapDecorations(snapshot: snapshot, graph: graph, now: now, liveStream: false)
        let saga = graph.edges.firstIndex { $0.kind == .route && $0.to == DemoSnapshot.arn("states", "stateMachine:order-saga") }!
        #expect(decorations.edges[saga] == MapEdgeDecoration(label: "~0.3/s", state: .active))   // 3 started in 10 s
        let queue = graph.edges.firstIndex { $0.kind == .route && $0.to == DemoSnapshot.arn("sqs", "notification") }!
        #expect(decorations.edges[queue] == MapEdgeDecoration(label: "", state: .unknown))
    }
}
