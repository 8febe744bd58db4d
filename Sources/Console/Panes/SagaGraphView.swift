import Foundation
import SagaTimeline
import StatesLanguage
import Terminal

/// The definition drawn as a flow, the way the Step Functions console's graph reads: one box
/// per state from StartAt down (Next first, then the states only a Catch reaches), Parallel
/// branches and Map processors indented under their state. The path this execution took is
/// coloured by outcome, the state it is in is marked, and Catch edges are drawn dashed.
enum SagaGraphView {
    struct Node {
        var name: String
        var depth: Int
        var state: State
    }

    /// The states in drawing order.
    static func nodes(_ definition: StateMachineDefinition) -> [Node] {
        var out: [Node] = []
        var seen: Set<String> = []
        func walk(_ body: StateMachineBody, depth: Int) {
            var stack = [body.startAt]
            var order: [String] = []
            while let name = stack.popLast() {
                guard body.stateNames.contains(name), seen.insert(name).inserted, let state = definition.states[name] else { continue }
                order.append(name)
                // Pushed in reverse so Next is drawn first, then choices, then catch targets.
                stack += SagaDefinition.successors(of: state).reversed()
            }
            order += body.stateNames.filter { !seen.contains($0) }.sorted()  // unreachable: still shown
            for name in order {
                seen.insert(name)
                guard let state = definition.states[name] else { continue }
                out.append(Node(name: name, depth: depth, state: state))
                switch state.kind {
                case .parallel(let branches): for branch in branches { walk(branch, depth: depth + 1) }
                case .map(let spec): walk(spec.processor, depth: depth + 1)
                default: break
                }
            }
        }
        walk(definition.body, depth: 0)
        return out
    }

    static func draw(_ saga: SagaAnalysis, cursor: Int, into buffer: inout CellBuffer, rect: Rect) {
        guard let text = saga.definitionText, case .success(let parsed) = SagaDefinition.parse(text) else {
            buffer.put("No graph: " + (saga.definitionProblem ?? "no definition"), x: rect.x, y: rect.y, role: .warn, maxWidth: rect.width)
            buffer.put("The timeline (g) still shows the history.", x: rect.x, y: rect.y + 1, role: .muted, maxWidth: rect.width)
            return
        }
        let nodes = nodes(parsed.definition)
        var taken: [String: StateSpan] = [:]
        for span in saga.spans.spans { taken[span.name] = span }
        let current = saga.status.isRunning ? saga.currentState : nil
        var lines: [(text: String, role: Role, edges: [(String, Role)])] = []
        let boxWidth = min(max(12, nodes.map { DisplayWidth.of($0.name) }.max() ?? 12) + 4, max(12, rect.width / 2))
        for (index, node) in nodes.enumerated() {
            let pad = String(repeating: "    ", count: node.depth)
            let span = taken[node.name]
            let role: Role = span.map { SagaTimelineView.barRole($0, saga: saga) } ?? .muted
            let inner = boxWidth - 4
            let name = node.name.count > inner ? String(node.name.prefix(inner - 1)) + "…" : node.name
            let fill = String(repeating: " ", count: max(0, inner - DisplayWidth.of(name)))
            var mark = span.map { " " + SagaTimelineView.mark($0) } ?? ""
            if node.name == current { mark += " ◀ now" }
            var edges: [(String, Role)] = []
            if let next = node.state.next { edges.append(("─▶ " + next, taken[next] != nil && span != nil ? role : .muted)) }
            if case .choice(let choices, let defaultNext) = node.state.kind {
                for next in choices.map(\.next) + (defaultNext.map { [$0] } ?? []) {
                    edges.append(("─▶ " + next + " (choice)", taken[next] != nil ? .text : .muted))
                }
            }
            for catcher in node.state.catchers {
                let followed = span?.outcome == .failed && taken[catcher.next] != nil
                edges.append(("┄catch┄▶ " + catcher.next + (followed ? " (taken)" : ""), followed ? .sagaCompensating : .muted))
            }
            lines.append((pad + "┌" + String(repeating: "─", count: boxWidth - 2) + "┐", role, []))
            lines.append((pad + "│ " + name + fill + " │" + mark + " " + node.state.typeName, role, []))
            lines.append((pad + "└" + String(repeating: "─", count: boxWidth - 2) + "┘", role, edges))
            let flowsOn = index + 1 < nodes.count && node.state.next == nodes[index + 1].name
            lines.append((flowsOn ? pad + String(repeating: " ", count: boxWidth / 2) + "▼" : "", role, []))
        }
        let scroll = min(cursor, max(0, lines.count - rect.height))
        for (i, line) in lines.dropFirst(scroll).prefix(rect.height).enumerated() {
            var x = rect.x + buffer.put(line.text, x: rect.x, y: rect.y + i, role: line.role, maxWidth: rect.width)
            for (text, role) in line.edges where x < rect.maxX {
                x += buffer.put("  " + text, x: x, y: rect.y + i, role: role, maxWidth: rect.maxX - x)
            }
        }
    }
}
