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

    /// `MapGraph.Inputs` stands in for the snapshot when the console decides whether to build
    /// the graph again, so it must change whenever the graph would, and stay equal through what
    /// moves every second. Each case here is one field; a new field `init(snapshot:)` reads
    /// without `Inputs` holding it shows up as a changed graph under equal inputs.
    @Test func inputsChangeExactlyWhenTheGraphWould() {
        let base = DemoSnapshot.demo()
        let breakerIndex = base.breakers.indices.first!
        let instanceService = base.registry.firstIndex { !$0.instances.isEmpty }!
        let live: [(String, (inout SystemSnapshot) -> Void)] = [
            ("queue depth", { $0.queues[0].visibleMessages += 7; $0.queues[0].inFlightMessages += 3 }),
            ("counts' age", { $0.queues[0].countsReadAt = Date(timeIntervalSince1970: 1); $0.queues[0].oldestMessageAge = .seconds(9) }),
            ("instance health", { $0.registry[instanceService].instances[0].health = .unhealthy }),
            ("an address attribute", { $0.registry[instanceService].instances[0].attributes["AWS_INSTANCE_PORT"] = "9999" }),
            ("breaker state", { $0.breakers[breakerIndex].state = .open; $0.breakers[breakerIndex].calls += 50 }),
            ("executions", { $0.executions.removeAll() }),
        ]
        let shape: [(String, (inout SystemSnapshot) -> Void)] = [
            ("a bus", { $0.buses.append(EventBus(name: "audit", arn: DemoSnapshot.arn("events", "event-bus/audit"))) }),
            ("a rule's target", { $0.rules[0].targets.append(RuleTarget(id: "x", arn: DemoSnapshot.arn("sqs", "extra"))) }),
            ("a redrive policy", { $0.queues[0].deadLetterTargetArn = DemoSnapshot.arn("sqs", "elsewhere-dlq") }),
            ("a definition", { $0.stateMachines[0].definition = "{not json" }),
            ("a service's attribute", { $0.registry[instanceService].instances[0].attributes[MapAttribute.publishes] = "analytics" }),
            ("a breaker", { $0.breakers[breakerIndex].dependency = "another-gateway" }),
        ]
        let graph = MapGraph(snapshot: base), inputs = MapGraph.Inputs(snapshot: base)
        for (name, change) in live {
            var changed = base
            change(&changed)
            #expect(MapGraph.Inputs(snapshot: changed) == inputs, "\(name) changed the inputs")
            #expect(MapGraph(snapshot: changed) == graph, "\(name) changed the graph under equal inputs")
        }
        for (name, change) in shape {
            var changed = base
            change(&changed)
            #expect(MapGraph(snapshot: changed) != graph, "\(name) did not change the graph")
            #expect(MapGraph.Inputs(snapshot: changed) != inputs, "\(name) changed the graph but not the inputs")
        }
    }
}
