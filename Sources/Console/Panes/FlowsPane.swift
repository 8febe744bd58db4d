import Foundation
import Provider
import Terminal

/// The most recent events on the buses, newest first, with the rules they matched.
struct FlowsPane: Pane {
    /// The event id.
    typealias RowID = String

    let id = PaneID.flows
    let title = "Flows"
    let defaultKey: Key? = .character("2")
    let onDashboard = true
    let dataSections: Set<DataSection> = [.flows]

    func body(_ context: PaneContext, view: NoViewState) -> PaneBody<String> {
        let s = context.snapshot
        let rows = s.recentEvents.reversed().map { event in
            PaneRow(id: event.id,
                    cells: [Format.clock(event.time), event.eventBusName, event.source, event.detailType,
                            (event.hasFailedDelivery ? "✗ " : "")
                                + (event.matchedRules.isEmpty ? "unmatched" : event.matchedRules.joined(separator: ","))],
                    roles: [.muted, .muted, .accent, .text, event.hasFailedDelivery ? .error : (event.matchedRules.isEmpty ? .warn : .text)])
        }
        var summary = "\(s.recentEvents.count) recent events"
        if s.droppedEvents > 0 { summary += " · \(s.droppedEvents) dropped (viewer fell behind)" }
        return .table(PaneTable(columns: [Column("TIME", width: 8, priority: 1), Column("BUS", width: 8, flex: 1, priority: 4),
                                          Column("SOURCE", width: 10, flex: 2, priority: 2), Column("DETAIL-TYPE", width: 12, flex: 3, priority: 0),
                                          Column("RULES", width: 8, flex: 2, priority: 3)],
                                rows: Array(rows), emptyMessage: "No events yet. Waiting for traffic…",
                                summary: s.recentEvents.isEmpty && s.droppedEvents == 0 ? nil : summary))
    }

    func detail(of row: String, _ context: PaneContext) -> [DetailLine]? {
        guard let e = context.snapshot.recentEvents.first(where: { $0.id == row }) else { return nil }
        var lines: [DetailLine] = [
            ("id           " + e.id, .text), ("time         " + Format.clock(e.time) + " UTC", .text),
            ("bus          " + e.eventBusName, .text), ("source       " + e.source, .accent),
            ("detail-type  " + e.detailType, .text),
            ("rules        " + (e.matchedRules.isEmpty ? "none matched" : e.matchedRules.joined(separator: ", ")), .text),
        ]
        if !e.resources.isEmpty { lines.append(("resources    " + e.resources.joined(separator: ", "), .text)) }
        for d in e.deliveries {
            let role: Role = switch d.status {
            case .delivered: .ok
            case .retrying: .warn
            case .deadLettered, .failed: .error
            }
            lines.append(("delivery     \(d.rule) → \(Topology.shortName(ofArn: d.targetArn)): \(d.status.rawValue)"
                          + (d.error.map { " (" + $0 + ")" } ?? ""), role))
        }
        lines.append(("", .text))
        lines.append(("detail", .title))
        lines += Format.prettyJSON(e.detail).map { ($0, Role.text) }
        return lines
    }
}

extension PaneID {
    public static let flows = PaneID("flows")
}
