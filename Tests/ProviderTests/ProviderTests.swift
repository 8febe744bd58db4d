import Foundation
import Testing
@testable import Provider

@Suite struct SnapshotTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func emptySnapshotIsHonest() {
        let snapshot = SystemSnapshot.notConnected(endpoint: EndpointDescription(name: "local"), reason: "no provider")
        #expect(snapshot.isEmpty)
        #expect(snapshot.connection.label == "not connected")
        #expect(snapshot.connection.detail == "no provider")
        #expect(!snapshot.connection.isLive)
        #expect(snapshot.topology.nodes.isEmpty)
    }

    @Test func topologyFollowsRulesAndDeadLetterPolicies() {
        let q = "arn:aws:sqs:us-east-1:000000000000:"
        let snapshot = SystemSnapshot(
            connection: .connected(since: now),
            buses: [EventBus(name: "orders", arn: "arn:aws:events:us-east-1:000000000000:event-bus/orders")],
            rules: [Rule(name: "to-inventory", arn: "r1", eventBusName: "orders", targets: [RuleTarget(id: "1", arn: q + "inventory")]),
                    Rule(name: "off", arn: "r2", eventBusName: "orders", state: .disabled,
                         targets: [RuleTarget(id: "1", arn: "arn:aws:lambda:us-east-1:000000000000:function:audit")])],
            queues: [Queue(name: "inventory", url: "u", arn: q + "inventory", deadLetterTargetArn: q + "inventory-dlq", maxReceiveCount: 3)])
        let topology = snapshot.topology
        #expect(topology.edges.count == 3)
        #expect(topology.edges.contains(Topology.Edge(from: "arn:aws:events:us-east-1:000000000000:event-bus/orders", to: q + "inventory",
                                                      via: "to-inventory", enabled: true)))
        #expect(topology.edges.contains { $0.via == "off" && !$0.enabled })
        #expect(topology.edges.contains { $0.via == "dead-letter" && $0.to == q + "inventory-dlq" })
        #expect(topology.node(q + "inventory-dlq")?.kind == .queue)
        #expect(topology.node("arn:aws:lambda:us-east-1:000000000000:function:audit")?.name == "audit")
    }

    @Test func sagaStates() {
        func execution(_ status: Execution.Status, state: String? = nil, lastEvent: TimeInterval = -5) -> Execution {
            Execution(name: "e", arn: "a", stateMachineName: "m", status: status, startDate: now.addingTimeInterval(-600),
                      currentState: state, timeline: [TimelineEntry(id: 1, type: "TaskStateEntered", timestamp: now.addingTimeInterval(lastEvent))])
        }
        #expect(execution(.running, state: "ChargePayment").sagaState(now: now) == .running)
        #expect(execution(.running, state: "CompensatePayment").sagaState(now: now) == .compensating)
        #expect(execution(.running, lastEvent: -301).sagaState(now: now) == .stuck)
        #expect(execution(.succeeded).sagaState(now: now) == .succeeded)
        #expect(execution(.timedOut).sagaState(now: now) == .failed)
    }

    @Test func disconnectedProviderYieldsOneSnapshotAndRefusesActions() async {
        let provider = DisconnectedProvider(endpoint: EndpointDescription(name: "local"), reason: "nothing attached")
        var received: [SystemSnapshot] = []
        for await snapshot in provider.snapshots() { received.append(snapshot) }
        #expect(received.count == 1)
        #expect(received.first?.connection == .notConnected(reason: "nothing attached"))
        await #expect(throws: ProviderError.self) { try await provider.perform(.releaseBreaker(service: "x", dependency: "y", reason: "z")) }
    }

    @Test func registryAddress() {
        #expect(RegistryInstance(id: "i", attributes: ["AWS_INSTANCE_IPV4": "10.0.0.1", "AWS_INSTANCE_PORT": "80"]).address == "10.0.0.1:80")
        #expect(RegistryInstance(id: "i").address == nil)
        #expect(Topology.shortName(ofArn: "arn:aws:states:us-east-1:1:stateMachine:order-saga") == "order-saga")
        #expect(Topology.shortName(ofArn: "arn:aws:events:us-east-1:1:event-bus/orders") == "orders")
    }
}
