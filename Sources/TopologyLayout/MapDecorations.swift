import Terminal

/// How a node is doing, as the APIs say: what its box's border and badge show.
public enum MapHealth: Int, Sendable, Hashable, Comparable {
    /// Nothing known (no figures for this kind of node, or not fetched).
    case unknown
    case healthy
    /// Working, with something to watch: a half-open breaker, messages waiting long.
    case degraded
    /// Failing: breaker open, DLQ holding messages, instances unhealthy, executions failing.
    case failing

    public static func < (a: MapHealth, b: MapHealth) -> Bool { a.rawValue < b.rawValue }

    /// The mark that tells the states apart without colour (NO_COLOR, mono).
    public var symbol: String {
        switch self {
        case .unknown: "·"
        case .healthy: "✓"
        case .degraded: "▲"
        case .failing: "✖"
        }
    }
}

/// What an edge carries now.
public enum MapEdgeState: Int, Sendable, Hashable, Comparable {
    /// No traffic seen (or the rule is disabled): drawn muted.
    case idle
    /// No figures exist for this kind of edge (who polls an activity): drawn plain.
    case unknown
    case active
    /// Deliveries failing or dead-lettered, or the breaker on it open.
    case failing

    public static func < (a: MapEdgeState, b: MapEdgeState) -> Bool { a.rawValue < b.rawValue }
}

public struct MapNodeDecoration: Sendable, Hashable {
    /// One line: `12 msgs · 4m`, `3 running 1 failed`, `2/3 healthy`.
    public var badge: String
    public var health: MapHealth
    /// The failing node downstream that explains this one's trouble (`⇢ payment-gateway`).
    public var cascadeRoot: String?
    /// Instead of the health's symbol and role, for nodes that say more than health (a saga
    /// state's `✓` `✗` `▶`, in its outcome's theme role).
    public var symbol: String?
    public var role: Role?
    /// A note on the box's bottom border, in `role` (`▶ now` on a saga's current state).
    public var footer: String?

    public init(badge: String = "", health: MapHealth = .unknown, cascadeRoot: String? = nil,
                symbol: String? = nil, role: Role? = nil, footer: String? = nil) {
        self.badge = badge
        self.health = health
        self.cascadeRoot = cascadeRoot
        self.symbol = symbol
        self.role = role
        self.footer = footer
    }
}

public struct MapEdgeDecoration: Sendable, Hashable {
    /// The live label (`3.2/s`, `~1.0/s` when estimated, `⚡OPEN`), cut to the label zone.
    public var label: String
    public var state: MapEdgeState
    /// Drawn in heavy lines (`━` `┃`), over any other edge sharing a cell: a path that reads
    /// without colour (a saga's path taken).
    public var highlighted: Bool
    /// Instead of the state's role (a saga's outcome colours).
    public var role: Role?

    public init(label: String = "", state: MapEdgeState = .idle, highlighted: Bool = false, role: Role? = nil) {
        self.label = label
        self.state = state
        self.highlighted = highlighted
        self.role = role
    }
}

/// Everything about the map that changes without moving a box: badges, health, labels.
/// Indexed like the graph's nodes and edges.
public struct MapDecorations: Sendable, Hashable {
    public var nodes: [MapNodeDecoration]
    public var edges: [MapEdgeDecoration]

    public init(nodes: [MapNodeDecoration], edges: [MapEdgeDecoration]) {
        self.nodes = nodes
        self.edges = edges
    }

    /// Blank decorations for `graph`: names and lines only.
    public init(plain graph: MapGraph) {
        nodes = Array(repeating: MapNodeDecoration(), count: graph.nodes.count)
        edges = Array(repeating: MapEdgeDecoration(), count: graph.edges.count)
    }
}
