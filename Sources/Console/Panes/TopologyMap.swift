import Foundation
import Provider
import Terminal
import TopologyLayout

/// How the operator looks at the map: the Topology pane's view state.
struct TopologyView: Sendable, Hashable {
    /// Cells H/J/K/L moved the window by, on top of following the selection; `0` clears it.
    var pan = MapPoint(x: 0, y: 0)
    /// `f`: only the nodes within `hops` edges of this one.
    var focus: String?
    var hops = 1
    /// Groups collapsed into one node (`space`), by key (`namespace:shop.local`, `bus:shop-bus`).
    var collapsed: Set<String> = []
    /// `r`: route edges are labelled with their rule instead of their rate.
    var showRules = false

    static let maximumHops = 9
}

/// What the Topology pane keeps between frames (`PaneMemory`).
struct TopologyMemory: Sendable {
    /// The last layout of the whole graph, and of the view's subgraph when it differs.
    var full: MapLayout?
    var shown: MapLayout?
    /// Whether the map was laid out anew after the first listing was whole
    /// (`SystemSnapshot.discovered`).
    var laidOutWhole = false
    /// The last map built, and what it was built from: the console asks a pane for its body
    /// several times per key and frame.
    var map: (key: TopologyMap.Key, map: TopologyMap)?
    /// The last whole graph, and what it was built from: the nodes and edges stay the same
    /// from one snapshot to the next while their counts and rates move.
    var graph: (inputs: MapGraph.Inputs, graph: MapGraph)?
}

/// The map as the pane shows it: the snapshot's graph with the view applied (groups collapsed,
/// the `f` neighbourhood, the `/` filter), laid out and decorated.
struct TopologyMap: Sendable {
    let graph: MapGraph
    let layout: MapLayout
    let decorations: MapDecorations
    /// Node indices in reading order (layer by layer, top to bottom): what j/k and Enter walk.
    let order: [Int]
    /// The whole graph's size before the view's filters.
    let totalNodes: Int
    /// The focused node's name, when `f` is on and it is still there.
    let focusName: String?
    let liveStream: Bool
    /// Members of each collapsed group's node, by the node's id.
    let members: [String: [MapNode]]

    /// A node's group, by kind: a service's namespace; the queues and machines a bus's rules
    /// target (and their dead-letter queues), the bus's. Other nodes are in no group.
    static func groups(_ snapshot: SystemSnapshot, graph: MapGraph) -> [String: String] {
        var group: [String: String] = [:]
        for service in snapshot.registry where !service.namespace.isEmpty {
            group[service.id] = "namespace:" + service.namespace
        }
        for edge in graph.edges where edge.kind == .route {
            guard group[edge.to] == nil, let bus = graph.node(edge.from) else { continue }
            group[edge.to] = "bus:" + bus.name
        }
        for edge in graph.edges where edge.kind == .deadLetter {
            if group[edge.to] == nil, let source = group[edge.from] { group[edge.to] = source }
        }
        return group
    }

    /// The group name shown on a collapsed node.
    static func groupTitle(_ key: String, count: Int) -> String {
        if key.hasPrefix("namespace:") { return String(key.dropFirst("namespace:".count)) + " ×\(count)" }
        if key.hasPrefix("bus:") { return String(key.dropFirst("bus:".count)) + " targets ×\(count)" }
        return key + " ×\(count)"
    }

    static let groupPrefix = "group:"
    /// Boxes wide enough for most badges (`✓ 2 run · 0 failed`) whatever the name's length;
    /// labels wide enough for `⚡ OPEN` (the bolt is two cells) and `17 dead`.
    static let options = MapLayoutOptions(minimumBoxWidth: 18, maximumBoxWidth: 26, labelWidth: 9)

    struct Key: Sendable, Hashable {
        var snapshot: SystemSnapshot
        var now: Date
        var filter: String
        var view: TopologyView
    }

    /// The map for `context` and `view`: the one built last when they are the same.
    static func of(_ context: PaneContext, view: TopologyView) -> TopologyMap {
        let key = Key(snapshot: context.snapshot, now: context.now, filter: context.filter, view: view)
        if let last = context.memory?.value(for: .topology, as: TopologyMemory.self)?.map, last.key == key { return last.map }
        let map = TopologyMap(context, view: view)
        if let memory = context.memory {
            var kept = memory.value(for: .topology, as: TopologyMemory.self) ?? TopologyMemory()
            kept.map = (key, map)
            memory.set(kept, for: .topology)
        }
        return map
    }

    init(_ context: PaneContext, view: TopologyView) {
        let snapshot = context.snapshot
        var memory = context.memory?.value(for: .topology, as: TopologyMemory.self) ?? TopologyMemory()
        let inputs = MapGraph.Inputs(snapshot: snapshot)
        let full = memory.graph.flatMap { $0.inputs == inputs ? $0.graph : nil } ?? MapGraph(snapshot: snapshot)
        memory.graph = (inputs, full)
        let fullDecorations = MapDecorations(snapshot: snapshot, graph: full, now: context.now, liveStream: snapshot.liveStream)
        var nodeDecoration: [String: MapNodeDecoration] = [:]
        for (node, decoration) in zip(full.nodes, fullDecorations.nodes) { nodeDecoration[node.id] = decoration }
        var edgeDecoration: [MapEdge: MapEdgeDecoration] = [:]
        for (edge, decoration) in zip(full.edges, fullDecorations.edges) { edgeDecoration[edge] = decoration }

        // Collapse groups: each member becomes its group's node; edges inside a group vanish,
        // edges between the same two nodes merge (their labels are not added up: a merged
        // edge shows how many it stands for and the worst state among them).
        var graph = full
        var members: [String: [MapNode]] = [:]
        if !view.collapsed.isEmpty {
            let groups = Self.groups(snapshot, graph: full)
            var replacement: [String: String] = [:]
            for node in full.nodes {
                guard let key = groups[node.id], view.collapsed.contains(key) else { continue }
                replacement[node.id] = Self.groupPrefix + key
                members[Self.groupPrefix + key, default: []].append(node)
            }
            var collapsed = MapGraph()
            for node in full.nodes {
                guard let id = replacement[node.id] else { collapsed.add(node); continue }
                let group = members[id] ?? []
                let key = String(id.dropFirst(Self.groupPrefix.count))
                collapsed.add(MapNode(id: id, name: Self.groupTitle(key, count: group.count), kind: group.map(\.kind).min() ?? node.kind))
            }
            var merged: [MapEdge: [MapEdgeDecoration]] = [:]
            for edge in full.edges {
                let from = replacement[edge.from] ?? edge.from, to = replacement[edge.to] ?? edge.to
                guard from != to || replacement[edge.from] == nil else { continue }
                let grouped = replacement[edge.from] != nil || replacement[edge.to] != nil
                let mapped = MapEdge(from: from, to: to, kind: edge.kind, via: grouped ? "" : edge.via)
                collapsed.connect(mapped)
                merged[mapped, default: []].append(edgeDecoration[edge] ?? MapEdgeDecoration())
            }
            for (edge, decorations) in merged where decorations.count > 1 {
                let worst = decorations.map(\.state).max() ?? .idle
                edgeDecoration[edge] = MapEdgeDecoration(label: "×\(decorations.count)", state: worst)
            }
            for (edge, decorations) in merged where decorations.count == 1 { edgeDecoration[edge] = decorations[0] }
            for (id, group) in members {
                let decorations = group.map { nodeDecoration[$0.id] ?? MapNodeDecoration() }
                let worst = decorations.max { $0.health < $1.health }
                let failing = decorations.filter { $0.health == .failing }.count
                nodeDecoration[id] = MapNodeDecoration(
                    badge: "\(group.count) nodes" + (failing > 0 ? " · \(failing) failing" : ""),
                    health: worst?.health ?? .unknown,
                    cascadeRoot: decorations.compactMap(\.cascadeRoot).first)
            }
            graph = collapsed
        }

        var focusName: String?
        if let focus = view.focus, let node = graph.node(focus) {
            graph = graph.neighbourhood(of: focus, hops: view.hops)
            focusName = node.name
        }
        let filter = context.filter.lowercased()
        if !filter.isEmpty {
            graph = graph.filtered { $0.name.lowercased().contains(filter) }
        }

        // The last layout keeps every node it placed where it was (a new node does not
        // reshuffle the map); an equal graph reuses it outright. A view's subgraph (focus,
        // filter, groups) is pinned to the whole map's layout, so its nodes stay in order.
        var options = Self.options
        if view.showRules {
            // Labels as wide as the longest rule name (within the box limits), so names show whole.
            let longest = graph.edges.filter { $0.kind == .route || $0.kind == .busHop }.map { DisplayWidth.of($0.via) }.max() ?? 0
            options.labelWidth = max(options.labelWidth, min(options.maximumBoxWidth, longest + 2))
            for edge in graph.edges where edge.kind == .route || edge.kind == .busHop {
                edgeDecoration[edge]?.label = edge.via
            }
        }
        // Keeping every node where it was is right once the map is whole; while the first
        // listing is still arriving it leaves late nodes at the edges. Lay it out anew once.
        if snapshot.discovered && !memory.laidOutWhole {
            memory.full = nil
            memory.shown = nil
            memory.laidOutWhole = true
        }
        let layout: MapLayout
        if graph == full && !view.showRules {
            layout = MapLayout(graph: graph, options: options, previous: memory.full)
            memory.full = layout
        } else {
            let reuse = memory.shown.flatMap { $0.graph == graph && $0.options == options ? $0 : nil }
            layout = MapLayout(graph: graph, options: options, previous: reuse ?? memory.full)
            memory.shown = layout
        }
        context.memory?.set(memory, for: .topology)

        self.graph = graph
        self.layout = layout
        self.decorations = MapDecorations(nodes: graph.nodes.map { nodeDecoration[$0.id] ?? MapNodeDecoration() },
                                          edges: graph.edges.map { edgeDecoration[$0] ?? MapEdgeDecoration() })
        self.order = layout.readingOrder
        self.totalNodes = full.nodes.count
        self.focusName = focusName
        self.liveStream = snapshot.liveStream
        self.members = members
    }

    /// The node nearest `from` in `direction`, or nil when there is none that way.
    func neighbour(of from: Int, _ direction: Direction) -> Int? { layout.neighbour(of: from, direction) }

    typealias Direction = MapLayout.Direction

    /// Where the window onto the map starts (see `MapLayout.origin`).
    func origin(window: Size, selected: Int?, pan: MapPoint) -> MapPoint {
        layout.origin(window: window, selected: selected, pan: pan)
    }

    /// Boxes wholly outside `window`, by side: the "n more →" hints.
    func beyond(_ window: Rect) -> (left: Int, right: Int, up: Int, down: Int) { layout.beyond(window) }
}
