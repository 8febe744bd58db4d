import Foundation
import Provider
import Terminal
import TopologyLayout

/// How the Topology pane draws its map: the boxes (or, in a pane too small for them, a list
/// of edges), "n more" hints at the window's sides, and a status line that says what the
/// rates are measured from. Pure: everything comes from the map, the view and the rectangle.
enum TopologyDrawing {
    static func draw(_ map: TopologyMap, context: PaneContext, view: TopologyView, into buffer: inout CellBuffer,
                     rect: Rect, selected: Int?, focused: Bool) {
        guard !rect.isEmpty else { return }
        if map.graph.isEmpty {
            drawEmpty(map, context: context, view: view, into: &buffer, rect: rect)
            return
        }
        let (area, status) = rect.height > 2 ? rect.splitBottom(1) : (rect, Rect(x: rect.x, y: rect.maxY, width: 0, height: 0))
        if area.width < TopologyPane.minimumMapSize.columns || area.height < TopologyPane.minimumMapSize.rows {
            drawList(map, into: &buffer, area: area, selected: selected, focused: focused)
        } else {
            drawMap(map, view: view, into: &buffer, area: area, selected: selected, focused: focused)
        }
        drawStatus(map, view: view, into: &buffer, rect: status)
    }

    static func drawMap(_ map: TopologyMap, view: TopologyView, into buffer: inout CellBuffer, area: Rect,
                        selected: Int?, focused: Bool) {
        let origin = map.origin(window: Size(columns: area.width, rows: area.height), selected: selected, pan: view.pan)
        MapCanvas.draw(map.layout, decorations: map.decorations, into: &buffer, area: area, origin: origin,
                       selected: focused ? selected : nil)
        drawBeyond(map.beyond(Rect(x: origin.x, y: origin.y, width: area.width, height: area.height)), into: &buffer, area: area)
    }

    /// "n more →" (and ←, ↑, ↓) at the sides of a map's window.
    static func drawBeyond(_ beyond: (left: Int, right: Int, up: Int, down: Int), into buffer: inout CellBuffer, area: Rect) {
        let middle = area.y + area.height / 2
        if beyond.right > 0 {
            let hint = " \(beyond.right) more → "
            buffer.put(hint, x: area.maxX - DisplayWidth.of(hint), y: middle, role: .info)
        }
        if beyond.left > 0 { buffer.put(" ← \(beyond.left) more ", x: area.x, y: middle, role: .info) }
        if beyond.up > 0 {
            let hint = " ↑ \(beyond.up) more "
            buffer.put(hint, x: area.x + (area.width - DisplayWidth.of(hint)) / 2, y: area.y, role: .info)
        }
        if beyond.down > 0 {
            let hint = " ↓ \(beyond.down) more "
            buffer.put(hint, x: area.x + (area.width - DisplayWidth.of(hint)) / 2, y: area.maxY - 1, role: .info)
        }
    }

    /// The narrow form: each node (health mark, name, badge) and the edges out of it, in the
    /// map's reading order; the selected node's line is highlighted and kept in view.
    static func drawList(_ map: TopologyMap, into buffer: inout CellBuffer, area: Rect, selected: Int?, focused: Bool) {
        var lines: [(text: String, role: Role, node: Int?)] = []
        var outgoing = Array(repeating: [Int](), count: map.graph.nodes.count)
        var routed = Set<Int>()
        for (index, edge) in map.graph.edges.enumerated() {
            guard let from = map.graph.index(of: edge.from), let to = map.graph.index(of: edge.to) else { continue }
            outgoing[from].append(index)
            routed.formUnion([from, to])
        }
        var selectedLine = 0
        for node in map.order {
            let decoration = map.decorations.nodes[node]
            if node == selected { selectedLine = lines.count }
            let name = map.graph.nodes[node].name
            lines.append((decoration.health.symbol + " " + name + "  " + (decoration.badge.isEmpty ? map.graph.nodes[node].kind.label : decoration.badge)
                          + (routed.contains(node) ? "" : "  (no routes)"),
                          MapCanvas.healthRole(decoration.health), node))
            for edge in outgoing[node] {
                let target = map.graph.node(map.graph.edges[edge].to)?.name ?? ""
                let label = map.decorations.edges[edge].label
                lines.append(("   ─▶ " + target + (label.isEmpty ? "" : "  " + label),
                              MapCanvas.lineRole(UInt8(map.decorations.edges[edge].state.rawValue) + 1), nil))
            }
        }
        let offset = max(0, min(selectedLine - area.height / 3, lines.count - area.height))
        for (row, line) in lines.dropFirst(offset).prefix(area.height).enumerated() {
            let isSelected = focused && line.node != nil && line.node == selected
            if isSelected { buffer.fill(Rect(x: area.x - 1, y: area.y + row, width: area.width + 2, height: 1), role: .selection) }
            buffer.put(line.text, x: area.x, y: area.y + row, role: isSelected ? .selection : line.role, maxWidth: area.width)
        }
    }

    static func drawStatus(_ map: TopologyMap, view: TopologyView, into buffer: inout CellBuffer, rect: Rect) {
        guard !rect.isEmpty else { return }
        let rates = map.liveStream ? "rates: live stream, last 10 s" : "rates estimated from counters"
        var parts: [String] = []
        let shown = map.graph.nodes.count
        parts.append(shown == map.totalNodes ? "\(shown) nodes, \(map.graph.edges.count) edges" : "\(shown) of \(map.totalNodes) nodes")
        if let name = map.focusName { parts.append("f: \(view.hops) hop\(view.hops == 1 ? "" : "s") around \(name) (+/-)") }
        if !view.collapsed.isEmpty { parts.append("\(view.collapsed.count) collapsed (space)") }
        if view.showRules { parts.append("rules on routes (r)") }
        let ratesWidth = DisplayWidth.of(rates)
        buffer.put(rates, x: rect.maxX - ratesWidth, y: rect.y, role: map.liveStream ? .muted : .warn)
        buffer.put(parts.joined(separator: " · "), x: rect.x, y: rect.y, role: .muted, maxWidth: rect.width - ratesWidth - 2)
    }

    static func drawEmpty(_ map: TopologyMap, context: PaneContext, view: TopologyView, into buffer: inout CellBuffer, rect: Rect) {
        let snapshot = context.snapshot
        var lines: [(String, Role)]
        if map.totalNodes > 0 {
            lines = [("No node matches /\(context.filter)", .warn), ("Esc clears the filter.", .muted)]
        } else if !snapshot.connection.isLive {
            lines = [(snapshot.connection.label, .warn)]
            if let detail = snapshot.connection.detail { lines.append((detail, .muted)) }
            lines.append(("endpoint: " + snapshot.endpoint.name, .muted))
        } else {
            lines = [("No buses, queues, state machines or services on this endpoint.", .muted)]
        }
        let top = rect.y + max(0, (rect.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < rect.maxY {
            let width = min(DisplayWidth.of(line.0), rect.width)
            buffer.put(line.0, x: rect.x + (rect.width - width) / 2, y: top + i, role: line.1, maxWidth: rect.width)
        }
    }

    // MARK: detail

    /// What Enter on a node shows: what it is, its badge and health, the failure downstream
    /// that explains it, its group's members, and every edge in and out with the API behind it.
    static func detail(of index: Int, _ map: TopologyMap) -> [DetailLine] {
        let node = map.graph.nodes[index]
        let decoration = map.decorations.nodes[index]
        var lines: [DetailLine] = [
            (MapCanvas.kindMark(node.kind) + node.name, .title),
            ("  " + node.kind.label + " · " + node.id, .muted),
            ("  " + decoration.health.symbol + " " + (decoration.badge.isEmpty ? "no figures for this kind of node" : decoration.badge),
             MapCanvas.healthRole(decoration.health)),
        ]
        if let root = decoration.cascadeRoot { lines.append(("  ⇢ failing downstream: " + root, .warn)) }
        if let members = map.members[node.id] {
            lines.append(("Members", .title))
            for member in members { lines.append(("  " + MapCanvas.kindMark(member.kind) + member.name, .text)) }
        }
        let edges = map.graph.edges.enumerated()
        let incoming = edges.filter { $0.element.to == node.id }, outgoing = edges.filter { $0.element.from == node.id }
        for (title, list, arrow, other) in [("Into it", incoming, "◀ ", \MapEdge.from), ("Out of it", outgoing, "▶ ", \MapEdge.to)] {
            guard !list.isEmpty else { continue }
            lines.append((title, .title))
            for (edgeIndex, edge) in list {
                let label = map.decorations.edges[edgeIndex].label
                let name = map.graph.node(edge[keyPath: other])?.name ?? edge[keyPath: other]
                lines.append(("  " + arrow + name + "  " + because(edge) + (label.isEmpty ? "" : "  " + label),
                              MapCanvas.lineRole(UInt8(map.decorations.edges[edgeIndex].state.rawValue) + 1)))
            }
        }
        if incoming.isEmpty && outgoing.isEmpty { lines.append(("No routes in or out.", .muted)) }
        lines.append((map.liveStream ? "Rates: per second over the last 10 s, from the live stream."
                                     : "Rates estimated from counters: this endpoint has no live stream.", .muted))
        return lines
    }

    /// The API answer behind an edge, in words.
    static func because(_ edge: MapEdge) -> String {
        switch edge.kind {
        case .route, .busHop: edge.via.isEmpty ? "rules" : "rule " + edge.via
        case .deadLetter: "redrive policy"
        case .task: edge.via.isEmpty ? "task states" : "task state " + edge.via
        case .observed: "events seen"
        case .publishes: MapAttribute.publishes
        case .consumes: MapAttribute.consumes
        case .dependency: "circuit breaker"
        case .next, .choice, .catch, .branch, .join: "definition"
        }
    }
}
