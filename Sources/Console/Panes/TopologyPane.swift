import Foundation
import Provider
import Terminal

/// Buses, queues and state machines, and the routes between them (rules, DLQ redrives).
struct TopologyPane: Pane {
    enum RowID: Hashable, Sendable {
        /// A route; `via` is the rule (or `dead-letter`).
        case edge(from: String, to: String, via: String)
        /// A resource with no route in or out.
        case node(String)
    }

    let id = PaneID.topology
    let title = "Topology"
    let defaultKey: Key? = .character("1")
    let onDashboard = true

    func body(_ context: PaneContext, view: NoViewState) -> PaneBody<RowID> {
        let topology = context.snapshot.topology
        var rows: [PaneRow<RowID>] = []
        for edge in topology.edges {
            let from = topology.node(edge.from)?.name ?? edge.from
            let to = topology.node(edge.to)
            let role: Role = edge.enabled ? .text : .muted
            rows.append(PaneRow(id: .edge(from: edge.from, to: edge.to, via: edge.via),
                                cells: [from, "─▶", to?.name ?? edge.to, to?.kind.rawValue ?? "", edge.via + (edge.enabled ? "" : " (disabled)")],
                                roles: [.accent, .muted, role, .muted, role],
                                searchText: edge.from + "→" + edge.to + "/" + edge.via))
        }
        let routed = Set(topology.edges.flatMap { [$0.from, $0.to] })
        for node in topology.nodes where !routed.contains(node.id) {
            rows.append(PaneRow(id: .node(node.id), cells: [node.name, "", "", node.kind.rawValue, "no routes"],
                                roles: [.text, .muted, .muted, .muted, .muted], searchText: node.id))
        }
        return .table(PaneTable(columns: [Column("FROM", width: 12, flex: 2, priority: 0), Column("", width: 2, priority: 0),
                                          Column("TO", width: 12, flex: 2, priority: 0), Column("KIND", width: 13, priority: 4),
                                          Column("VIA", width: 10, flex: 1, priority: 3)],
                                rows: rows, emptyMessage: "No buses, queues or state machines on this endpoint.",
                                summary: topology.nodes.isEmpty ? nil : "\(topology.nodes.count) resources, \(topology.edges.count) routes"))
    }

    func detail(of row: RowID, _ context: PaneContext) -> [DetailLine]? {
        let topology = context.snapshot.topology
        let related: [Topology.Edge]
        var lines: [DetailLine] = []
        switch row {
        case .edge(let from, let to, _):
            // Every route between the two ends (several rules may join them).
            related = topology.edges.filter { $0.from == from && $0.to == to }
        case .node(let id):
            related = topology.edges.filter { $0.from == id || $0.to == id }
        }
        for edge in related {
            lines.append(("\(topology.node(edge.from)?.name ?? edge.from) ─▶ \(topology.node(edge.to)?.name ?? edge.to)", .text))
            lines.append(("  via \(edge.via)\(edge.enabled ? "" : " (disabled)")", .muted))
            lines.append(("  from \(edge.from)", .muted))
            lines.append(("  to   \(edge.to)", .muted))
        }
        if case .node(let id) = row, let node = topology.node(id) {
            lines.append((node.name + " (" + node.kind.rawValue + ")", .text))
            lines.append(("  " + node.id, .muted))
        }
        return lines.isEmpty ? nil : lines
    }
}

extension PaneID {
    public static let topology = PaneID("topology")
}
