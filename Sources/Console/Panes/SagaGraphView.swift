import Foundation
import SagaTimeline
import StatesLanguage
import Terminal
import TopologyLayout

/// The definition drawn as a graph, the way the Step Functions console's reads, laid out by the
/// topology map's layered engine (left to right): the path this execution took in heavy lines
/// and its outcome's colours, Catch edges dashed and labelled `catch`, Parallel branches and a
/// Map's processor side by side between their state and its join, the current state marked
/// `◀ now`. j/k walk the states in reading order, h/l go to the nearest box left or right, the
/// window follows the selection; Enter (or e) shows the selected state's step detail.
enum SagaGraphView {
    static let hint = "j/k state · h/l left/right · Enter step detail · g timeline"

    static func draw(_ graph: SagaGraph?, saga: SagaAnalysis, view: SagasPane.ViewState, now: Date, cursor: Int,
                     into buffer: inout CellBuffer, rect: Rect) {
        guard rect.height > 3, rect.width > 4 else { return }
        guard let graph, !graph.order.isEmpty else {
            buffer.put("No graph: " + (saga.definitionProblem ?? "no definition"), x: rect.x, y: rect.y, role: .warn, maxWidth: rect.width)
            buffer.put("The timeline (g) still shows the history.", x: rect.x, y: rect.y + 1, role: .muted, maxWidth: rect.width)
            return
        }
        let selected = graph.order[min(cursor, graph.order.count - 1)]
        let bottom = rect.maxY - 1
        buffer.put(hint, x: rect.x, y: bottom, role: .muted, maxWidth: rect.width)
        if view.stepOnly {
            SagaTimelineView.drawLines(stepLines(graph, node: selected, saga: saga, now: now), cursor: 0, into: &buffer,
                                       rect: Rect(x: rect.x, y: rect.y, width: rect.width, height: bottom - rect.y))
            return
        }
        let legend = "━ path taken · ┄ catch · ◀ now · comp compensation · ⊣ end of branches"
        buffer.put(saga.execution.stateMachineName + " · " + legend, x: rect.x, y: rect.y, role: .muted, maxWidth: rect.width)
        let summary = stepLines(graph, node: selected, saga: saga, now: now)[0]
        buffer.put(summary.text, x: rect.x, y: bottom - 1, role: summary.role, maxWidth: rect.width)
        let area = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: max(0, bottom - 1 - rect.y - 1))
        let origin = graph.layout.origin(window: Size(columns: area.width, rows: area.height), selected: selected,
                                         pan: MapPoint(x: 0, y: 0))
        MapCanvas.draw(graph.layout, decorations: graph.decorations, into: &buffer, area: area, origin: origin, selected: selected)
        TopologyDrawing.drawBeyond(graph.layout.beyond(Rect(x: origin.x, y: origin.y, width: area.width, height: area.height)),
                                   into: &buffer, area: area)
    }

    /// The selected node's step detail: the timeline's for a state the history entered, else
    /// what the definition says of it.
    static func stepLines(_ graph: SagaGraph, node: Int, saga: SagaAnalysis, now: Date) -> [DetailLine] {
        let (name, state, span) = graph.states[node]
        if graph.graph.nodes[node].kind == .join {
            let done = span.map { $0.exited != nil && $0.outcome == .succeeded } ?? false
            return [(name + " · end of its " + (state.typeName == "Map" ? "iterations" : "branches") + (done ? " · all done" : ""),
                     done ? .sagaSucceeded : .muted)]
        }
        if let span { return SagaTimelineView.stepLines(span, saga: saga, now: now, full: true) }
        var lines: [DetailLine] = [(name + " · " + state.typeName + " · not entered in this execution"
                                    + (saga.compensation.contains(name) ? " · compensation" : ""), .muted)]
        let id = graph.graph.nodes[node].id
        for edge in graph.graph.edges where edge.from == id {
            let target = graph.graph.node(edge.to).map { $0.kind == .join ? "end of " + $0.name : $0.name } ?? edge.to
            let how = switch edge.kind {
            case .catch: "on error"
            case .choice: "choice " + edge.via
            case .branch: edge.via
            default: "next"
            }
            lines.append(("  " + (edge.kind == .catch ? "┄▶ " : "─▶ ") + target + "  (" + how + ")", .muted))
        }
        return lines
    }
}
