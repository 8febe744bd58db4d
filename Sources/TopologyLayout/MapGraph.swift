/// What a node of the map stands for. The order is the canonical left-to-right reading of an
/// event-driven system (sources → services → buses → machines → queues → tasks → dead letters
/// → dependencies); it breaks ties in layering and ordering, so the same input always gives
/// the same picture.
public enum MapNodeKind: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// An event source seen in traffic (`shop.orders`).
    case source
    /// A Cloud Map service.
    case service
    case bus
    case stateMachine
    case queue
    /// A Step Functions activity or Lambda function a state machine's Task states call.
    case task
    case deadLetterQueue
    /// What a service calls through a circuit breaker (`payment-gateway`).
    case dependency
    /// A target the APIs name but list nowhere else (another account's queue, an API destination).
    case external
    /// A state of a Step Functions definition (the saga graph; never on the topology map).
    case state
    /// Where a Parallel state's branches or a Map state's iterations all end: the Parallel or
    /// Map state's own transitions leave from here, so they read as after its branches.
    case join

    public static func < (lhs: MapNodeKind, rhs: MapNodeKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The short word shown in details and the legend.
    public var label: String {
        switch self {
        case .source: "event source"
        case .service: "service"
        case .bus: "event bus"
        case .stateMachine: "state machine"
        case .queue: "queue"
        case .task: "task"
        case .deadLetterQueue: "dead-letter queue"
        case .dependency: "dependency"
        case .external: "external"
        case .state: "state"
        case .join: "end of branches"
        }
    }
}

/// Why an edge exists: each case names the API that says so (never inferred from names).
public enum MapEdgeKind: String, Sendable, Hashable, CaseIterable {
    /// An EventBridge rule's target (`ListTargetsByRule`): queue, state machine, task.
    case route
    /// A rule whose target is another event bus.
    case busHop
    /// A queue's `RedrivePolicy` to its dead-letter queue.
    case deadLetter
    /// A state machine's Task state resource (its definition).
    case task
    /// Events from this source were seen on this bus (live stream or recent events).
    case observed
    /// `signalbox:publishes` on a Cloud Map instance.
    case publishes
    /// `signalbox:consumes` on a Cloud Map instance: drawn from the resource to the service.
    case consumes
    /// A circuit breaker the service reports on the breaker board.
    case dependency
    /// States Language transitions (the saga graph): a state's `Next`, a Choice rule or its
    /// `Default`, a `Catch`, a Parallel state into a branch's (or a Map state into its
    /// processor's) first state, and a branch's last states into the Parallel or Map's `join`.
    case next
    case choice
    case `catch`
    case branch
    case join

    /// Drawn dashed (`┄` `┆`): a Catch is a transition only on error, and reads as one without colour.
    public var isDashed: Bool { self == .catch }
}

public struct MapNode: Sendable, Hashable, Identifiable {
    /// Stable across snapshots (an ARN, a service id, `source:shop.orders`).
    public var id: String
    /// The name as the API gives it: untrusted, sanitised when measured and drawn.
    public var name: String
    public var kind: MapNodeKind

    public init(id: String, name: String, kind: MapNodeKind) {
        self.id = id
        self.name = name
        self.kind = kind
    }
}

public struct MapEdge: Sendable, Hashable {
    public var from: String
    public var to: String
    public var kind: MapEdgeKind
    /// The rule, state or attribute behind the edge (`order-created`, `ChargePayment`).
    public var via: String

    public init(from: String, to: String, kind: MapEdgeKind, via: String = "") {
        self.from = from
        self.to = to
        self.kind = kind
        self.via = via
    }
}

/// The structure the map draws: nodes and the edges the APIs report between them. Only
/// structure: depths, rates and states are decorations, so they never move a box.
public struct MapGraph: Sendable, Hashable {
    public private(set) var nodes: [MapNode]
    public private(set) var edges: [MapEdge]
    private var indexById: [String: Int]
    private var edgeSet: Set<MapEdge>

    public init() {
        nodes = []
        edges = []
        indexById = [:]
        edgeSet = []
    }

    public static func == (lhs: MapGraph, rhs: MapGraph) -> Bool { lhs.nodes == rhs.nodes && lhs.edges == rhs.edges }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(nodes)
        hasher.combine(edges)
    }

    /// A graph of `nodes` and those `edges` whose ends are both nodes; duplicates dropped.
    public init(nodes: [MapNode], edges: [MapEdge]) {
        self.init()
        for node in nodes { add(node) }
        for edge in edges { connect(edge) }
    }

    /// Adds a node unless one with its id exists. Returns whether it was added.
    @discardableResult
    public mutating func add(_ node: MapNode) -> Bool {
        guard indexById[node.id] == nil else { return false }
        indexById[node.id] = nodes.count
        nodes.append(node)
        return true
    }

    /// Adds an edge when both ends exist and the same edge is not there yet.
    @discardableResult
    public mutating func connect(_ edge: MapEdge) -> Bool {
        guard indexById[edge.from] != nil, indexById[edge.to] != nil else { return false }
        guard edgeSet.insert(edge).inserted else { return false }
        edges.append(edge)
        return true
    }

    public func index(of id: String) -> Int? { indexById[id] }
    public func node(_ id: String) -> MapNode? { indexById[id].map { nodes[$0] } }
    public var isEmpty: Bool { nodes.isEmpty }

    /// The subgraph of the nodes within `hops` edges of `id` (either direction).
    public func neighbourhood(of id: String, hops: Int) -> MapGraph {
        guard indexById[id] != nil else { return MapGraph() }
        var adjacency: [String: [String]] = [:]
        for edge in edges {
            adjacency[edge.from, default: []].append(edge.to)
            adjacency[edge.to, default: []].append(edge.from)
        }
        var seen: Set<String> = [id]
        var frontier = [id]
        for _ in 0..<max(0, hops) {
            var next: [String] = []
            for current in frontier {
                for neighbour in adjacency[current] ?? [] where seen.insert(neighbour).inserted {
                    next.append(neighbour)
                }
            }
            frontier = next
        }
        return filtered { seen.contains($0.id) }
    }

    /// The subgraph of the nodes `keep` accepts, with the edges between them.
    public func filtered(_ keep: (MapNode) -> Bool) -> MapGraph {
        let kept = nodes.filter(keep)
        let ids = Set(kept.map(\.id))
        return MapGraph(nodes: kept, edges: edges.filter { ids.contains($0.from) && ids.contains($0.to) })
    }
}
