/// The system as a graph of resources joined by routing, derived from a snapshot.
public struct Topology: Sendable, Hashable {
    public enum NodeKind: String, Sendable, Hashable {
        case bus, queue, stateMachine = "state machine", service, external
    }

    public struct Node: Sendable, Hashable, Identifiable {
        /// The resource ARN (or service id): stable across snapshots.
        public var id: String
        public var name: String
        public var kind: NodeKind
    }

    /// A route: `from` delivers to `to` through `via` (a rule, or a dead-letter policy).
    public struct Edge: Sendable, Hashable {
        public var from: String
        public var to: String
        public var via: String
        public var enabled: Bool
    }

    public var nodes: [Node]
    public var edges: [Edge]

    public init(nodes: [Node], edges: [Edge]) {
        self.nodes = nodes
        self.edges = edges
    }

    init(snapshot: SystemSnapshot) {
        var nodes: [Node] = []
        var known = Set<String>()
        func add(_ node: Node) {
            if known.insert(node.id).inserted { nodes.append(node) }
        }
        var busArnByName: [String: String] = [:]
        for bus in snapshot.buses {
            add(Node(id: bus.arn, name: bus.name, kind: .bus))
            busArnByName[bus.name] = bus.arn
        }
        for queue in snapshot.queues { add(Node(id: queue.arn, name: queue.name, kind: .queue)) }
        for machine in snapshot.stateMachines { add(Node(id: machine.arn, name: machine.name, kind: .stateMachine)) }
        for service in snapshot.registry { add(Node(id: service.id, name: service.name, kind: .service)) }

        var edges: [Edge] = []
        for rule in snapshot.rules {
            let from = busArnByName[rule.eventBusName] ?? "bus:" + rule.eventBusName
            if !known.contains(from) { add(Node(id: from, name: rule.eventBusName, kind: .bus)) }
            for target in rule.targets {
                if !known.contains(target.arn) {
                    add(Node(id: target.arn, name: Topology.shortName(ofArn: target.arn), kind: .external))
                }
                edges.append(Edge(from: from, to: target.arn, via: rule.name, enabled: rule.state != .disabled))
            }
        }
        for queue in snapshot.queues {
            if let dlq = queue.deadLetterTargetArn {
                if !known.contains(dlq) { add(Node(id: dlq, name: Topology.shortName(ofArn: dlq), kind: .queue)) }
                edges.append(Edge(from: queue.arn, to: dlq, via: "dead-letter", enabled: true))
            }
        }
        self.nodes = nodes
        self.edges = edges
    }

    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }

    /// The resource name at the end of an ARN (`arn:aws:sqs:…:orders` → `orders`).
    public static func shortName(ofArn arn: String) -> String {
        let last = arn.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? arn
        return last.split(separator: "/").last.map(String.init) ?? last
    }
}
