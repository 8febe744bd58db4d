import Foundation
import Provider
import SignalboxTestSupport
import Testing
@testable import TopologyLayout

@Suite struct SnapshotGraphTests {
    func has(_ graph: MapGraph, _ from: String, _ to: String, _ kind: MapEdgeKind) -> Bool {
        graph.edges.contains { $0.from == from && $0.to == to && $0.kind == kind }
    }

    @Test func edgesComeFromWhatTheAPIsSay() {
        var snapshot = DemoSnapshot.demo()
        let analytics = snapshot.registry.firstIndex { $0.name == "analytics" }!
        snapshot.registry[analytics].instances[0].attributes[MapAttribute.consumes] = "analytics,no-such-queue"
        let graph = MapGraph(snapshot: snapshot)
        let bus = DemoSnapshot.arn("events", "event-bus/shop-bus")
        let saga = DemoSnapshot.arn("states", "stateMachine:order-saga")
        let charge = DemoSnapshot.task("payment-charge")
        #expect(has(graph, "srv-order", bus, .publishes))
        #expect(has(graph, "source:shop.orders", bus, .observed))
        #expect(has(graph, bus, saga, .route))
        #expect(has(graph, saga, charge, .task))
        #expect(has(graph, charge, "srv-payment", .consumes))
        #expect(has(graph, "srv-payment", "dependency:payment-gateway", .dependency))
        #expect(has(graph, DemoSnapshot.arn("sqs", "analytics"), DemoSnapshot.arn("sqs", "analytics-dlq"), .deadLetter))
        #expect(graph.node(DemoSnapshot.arn("sqs", "analytics-dlq"))?.kind == .deadLetterQueue)
        // An attribute naming nothing the APIs list draws no edge and no node.
        #expect(!graph.nodes.contains { $0.name == "no-such-queue" })
        // The default bus has no rules and no traffic: a lone node, no invented edge.
        #expect(!graph.edges.contains { $0.from.hasSuffix("event-bus/default") || $0.to.hasSuffix("event-bus/default") })
    }

    @Test func aDefinitionThatDoesNotParseDrawsNoTaskEdges() {
        var snapshot = DemoSnapshot.demo()
        snapshot.stateMachines[0].definition = "{not json"
        let graph = MapGraph(snapshot: snapshot)
        #expect(!graph.edges.contains { $0.kind == .task })
    }

    @Test func ruleTargetsUnknownElsewhereBecomeNodesOfTheirKind() {
        let snapshot = SystemSnapshot(rules: [
            Rule(name: "hop", arn: "r1", eventBusName: "a", targets: [
                RuleTarget(id: "1", arn: DemoSnapshot.arn("events", "event-bus/b")),
                RuleTarget(id: "2", arn: DemoSnapshot.arn("events", "event-bus/a")),
                RuleTarget(id: "3", arn: DemoSnapshot.arn("lambda", "function:resize")),
                RuleTarget(id: "4", arn: "arn:aws:execute-api:us-east-1:1:abc/prod/POST/x"),
            ]),
        ])
        let graph = MapGraph(snapshot: snapshot)
        #expect(graph.nodes.map(\.kind).sorted() == [.bus, .bus, .task, .external])
        #expect(graph.edges.filter { $0.kind == .busHop }.count == 2)
        #expect(graph.edges.contains { $0.from == $0.to })
    }

    @Test func neighbourhoodKeepsNodesWithinHops() {
        let graph = MapGraph(snapshot: DemoSnapshot.demo())
        let one = graph.neighbourhood(of: "srv-payment", hops: 1)
        #expect(Set(one.nodes.map(\.name)) == ["payment", "shop-bus", "payment-charge", "payment-refund", "payment-gateway"])
        #expect(graph.neighbourhood(of: "srv-payment", hops: 2).nodes.count > one.nodes.count)
    }
}
