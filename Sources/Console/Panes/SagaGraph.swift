import Foundation
import SagaTimeline
import StatesLanguage
import Terminal
import TopologyLayout

/// A saga's definition as a graph for the topology map's layered layout: one node per state,
/// one per Parallel or Map state's end of branches (`join`), and an edge per transition —
/// Next, each Choice rule and Default, Catch, into each branch (or a Map's processor) and out
/// of its last states. Decorated from the execution's history: the path taken in heavy lines,
/// each state's outcome, duration and type, compensation states, the current state.
struct SagaGraph {
    let graph: MapGraph
    let layout: MapLayout
    let decorations: MapDecorations
    /// Node indices in reading order (column by column, top to bottom): what j/k walk.
    let order: [Int]
    /// Per node: the state's name (a join: its Parallel or Map state's), its definition, and
    /// the last span the history holds of it.
    let states: [(name: String, state: State, span: StateSpan?)]

    /// Boxes wide enough for a badge (`✓ Parallel · 12.345s`) whatever the name's length;
    /// labels for `branch 1`, `default`, `catch`.
    static let options = MapLayoutOptions(minimumBoxWidth: 22, maximumBoxWidth: 30, labelWidth: 10)

    static func stateID(_ name: String) -> String { "state:" + name }
    static func joinID(_ name: String) -> String { "join:" + name }

    /// Nil when the execution's definition is not known or does not parse (the view says why).
    init?(_ saga: SagaAnalysis, now: Date) {
        guard let text = saga.definitionText, case .success(let parsed) = SagaDefinition.parse(text) else { return nil }
        let definition = parsed.definition
        var graph = MapGraph()
        var states: [(name: String, state: State, span: StateSpan?)] = []
        var lastSpan: [String: StateSpan] = [:]
        var entries: [String: Int] = [:]
        for span in saga.spans.spans {
            if (lastSpan[span.name]?.enteredEventId ?? -1) < span.enteredEventId { lastSpan[span.name] = span }
            entries[span.name, default: 0] += 1
        }

        // Nodes, in reading order: a body from its StartAt (Next first, then Choice targets,
        // then Catch targets), then what nothing reaches; a Parallel or Map's branches right
        // after it, then its join.
        var placed: Set<String> = []
        func walk(_ body: StateMachineBody) {
            var stack = [body.startAt]
            var order: [String] = []
            while let name = stack.popLast() {
                guard body.stateNames.contains(name), !placed.contains(name), definition.states[name] != nil else { continue }
                placed.insert(name)
                order.append(name)
                stack += SagaDefinition.successors(of: definition.states[name]!).reversed()
            }
            let unreachable = body.stateNames.filter { !placed.contains($0) }.sorted()
            placed.formUnion(unreachable)
            for name in order + unreachable {
                guard let state = definition.states[name] else { continue }
                graph.add(MapNode(id: Self.stateID(name), name: name, kind: .state))
                states.append((name, state, lastSpan[name]))
                let bodies: [StateMachineBody]
                switch state.kind {
                case .parallel(let branches): bodies = branches
                case .map(let spec): bodies = [spec.processor]
                default: continue
                }
                for body in bodies { walk(body) }
                graph.add(MapNode(id: Self.joinID(name), name: name, kind: .join))
                states.append((name, state, lastSpan[name]))
            }
        }
        walk(definition.body)

        // Edges. A Parallel or Map state's own transitions leave from its join.
        var edges: [MapEdge] = []
        func exit(_ name: String, _ state: State) -> String {
            switch state.kind {
            case .parallel, .map: Self.joinID(name)
            default: Self.stateID(name)
            }
        }
        func terminals(_ body: StateMachineBody) -> [String] {
            body.stateNames.filter { name in
                guard let state = definition.states[name] else { return false }
                switch state.kind {
                case .fail, .choice: return false
                default: return state.next == nil
                }
            }
        }
        for (index, node) in graph.nodes.enumerated() where node.kind == .state {
            let name = node.name, state = states[index].state
            if let next = state.next { edges.append(MapEdge(from: exit(name, state), to: Self.stateID(next), kind: .next)) }
            if case .choice(let choices, let defaultNext) = state.kind {
                for (rule, choice) in choices.enumerated() {
                    edges.append(MapEdge(from: node.id, to: Self.stateID(choice.next), kind: .choice, via: "#\(rule + 1)"))
                }
                if let defaultNext { edges.append(MapEdge(from: node.id, to: Self.stateID(defaultNext), kind: .choice, via: "default")) }
            }
            for catcher in state.catchers {
                edges.append(MapEdge(from: node.id, to: Self.stateID(catcher.next), kind: .catch, via: "catch"))
            }
            let bodies: [(StateMachineBody, String)]
            switch state.kind {
            case .parallel(let branches): bodies = branches.enumerated().map { ($1, "branch \($0 + 1)") }
            case .map(let spec): bodies = [(spec.processor, "each item")]
            default: bodies = []
            }
            for (body, label) in bodies {
                edges.append(MapEdge(from: node.id, to: Self.stateID(body.startAt), kind: .branch, via: label))
                for last in terminals(body) { edges.append(MapEdge(from: Self.stateID(last), to: Self.joinID(name), kind: .join)) }
            }
        }
        for edge in edges { graph.connect(edge) }

        self.graph = graph
        self.states = states
        self.layout = MapLayout(graph: graph, options: Self.options)
        self.order = layout.readingOrder
        self.decorations = Self.decorate(graph, states: states, saga: saga, entries: entries, now: now)
    }

    static let lookBehind = 64

    /// Which transitions the history shows taken: a state entered after one it can follow
    /// (the nearest before it to have exited, among the states of the same branch or iteration); a
    /// branch entered under its Parallel or Map; a branch's last state that ended well.
    static func taken(_ graph: MapGraph, saga: SagaAnalysis) -> Set<MapEdge> {
        let spans = saga.spans.spans
        var into: [String: [MapEdge]] = [:]
        for edge in graph.edges { into[edge.to, default: []].append(edge) }
        let joins = Set(graph.edges.filter { $0.kind == .join })
        var taken: Set<MapEdge> = []
        var siblings: [String: [Int]] = [:]   // "parent/iteration" → spans in entered order
        for (index, span) in spans.enumerated() {
            siblings["\(span.parent ?? -1)/\(span.iteration ?? -1)", default: []].append(index)
        }
        for group in siblings.values {
            let sorted = group.sorted { spans[$0].enteredEventId < spans[$1].enteredEventId }
            for (position, index) in sorted.enumerated() {
                let span = spans[index]
                let incoming = into[stateID(span.name)] ?? []
                if let parent = span.parent, let edge = incoming.first(where: {
                    $0.kind == .branch && $0.from == stateID(spans[parent].name)
                }) {
                    taken.insert(edge)
                }
                // The nearest earlier sibling that had exited when this one was entered, with an
                // edge here. Siblings run one after another except in a Parallel's interleaved
                // branches, so the search stops after `lookBehind` of them (a 10,000-pass loop
                // must not cost 10,000² per frame).
                for earlier in sorted[max(0, position - lookBehind)..<position].reversed() {
                    let before = spans[earlier]
                    guard let exited = before.exitedEventId, exited <= span.enteredEventId else { continue }
                    let failed = before.outcome == .failed
                    let edges = incoming.filter { edge in
                        guard edge.from == stateID(before.name) || edge.from == joinID(before.name) else { return false }
                        switch edge.kind {
                        case .catch: return failed
                        case .next, .choice: return !failed
                        default: return false
                        }
                    }
                    if !edges.isEmpty {
                        taken.formUnion(edges)
                        break
                    }
                }
                if span.outcome == .succeeded, let parent = span.parent {
                    let edge = MapEdge(from: stateID(span.name), to: joinID(spans[parent].name), kind: .join)
                    if joins.contains(edge) { taken.insert(edge) }
                }
            }
        }
        return taken
    }

    static func decorate(_ graph: MapGraph, states: [(name: String, state: State, span: StateSpan?)], saga: SagaAnalysis,
                         entries: [String: Int], now: Date) -> MapDecorations {
        let current = saga.status.isRunning ? saga.currentState : nil
        let nodes = graph.nodes.enumerated().map { index, node -> MapNodeDecoration in
            let (name, state, span) = states[index]
            let compensation = saga.compensation.contains(name)
            if node.kind == .join {
                let done = span.map { $0.exited != nil && $0.outcome == .succeeded } ?? false
                let what = if case .map = state.kind { "all iterations" } else { "all branches" }
                return MapNodeDecoration(badge: what + (done ? " done" : ""), symbol: done ? "✓" : "·",
                                         role: done ? (compensation ? .sagaCompensating : .sagaSucceeded) : .muted)
            }
            var badge = state.typeName
            if let span { badge += " · " + SagaDuration.text(span.duration(now: now)) }
            if let count = entries[name], count > 1 { badge += " ×\(count)" }
            // On the bottom border: the current state, and compensation as the timeline says it.
            let footer = [name == current ? "◀ now" : nil, compensation ? "comp" : nil].compactMap { $0 }.joined(separator: " · ")
            guard let span else {
                return MapNodeDecoration(badge: badge, symbol: "·", role: compensation ? .sagaCompensating : .muted,
                                         footer: footer.isEmpty ? nil : footer)
            }
            return MapNodeDecoration(badge: badge, health: span.outcome == .failed ? .failing : .unknown,
                                     symbol: SagaTimelineView.mark(span), role: SagaTimelineView.barRole(span, saga: saga),
                                     footer: footer.isEmpty ? nil : footer)
        }
        let taken = taken(graph, saga: saga)
        let edges = graph.edges.map { edge -> MapEdgeDecoration in
            let label = edge.kind == .next || edge.kind == .join ? "" : edge.via
            guard taken.contains(edge) else { return MapEdgeDecoration(label: label) }
            let target = graph.node(edge.to)?.name ?? ""
            let role: Role = edge.kind == .catch || saga.compensation.contains(target) ? .sagaCompensating : .sagaSucceeded
            return MapEdgeDecoration(label: label, state: .active, highlighted: true, role: role)
        }
        return MapDecorations(nodes: nodes, edges: edges)
    }
}
