import Foundation
import Provider
import Terminal
import TopologyLayout

/// The live map of the system (issue #13): buses, rules' targets, queues and their dead-letter
/// queues, state machines and their tasks, services and the dependencies behind their breakers,
/// drawn left to right with depths, health, breaker states and live rates on it. Every edge
/// comes from an API answer (`MapGraph(snapshot:)`); layout and drawing are `TopologyLayout`'s.
///
/// Keys: j/k and ↓/↑ walk the boxes in reading order, h/l and ←/→ to the nearest box in the
/// column to the left or right (the map pans to keep the selection centred),
/// H/J/K/L pan the window, `0` re-centres on the selection, Enter opens a node's detail (and
/// Enter there the pane that lists the node, filtered to it: `TopologyLink`), `f`
/// shows only the selected node's neighbourhood (`+`/`-` hops), `/` filters by name, space
/// collapses the selected node's group (namespace, or a bus's targets) into one node and back,
/// `r` labels routes with their rules (folded into the edges otherwise).
/// A pane too small for boxes shows the same nodes as a list of edges.
struct TopologyPane: Pane {
    enum RowID: Hashable, Sendable {
        /// A node of the map: its id (an ARN, a service id, `group:namespace:shop.local`).
        case node(String)
    }

    let id = PaneID.topology
    let title = "Topology"
    let defaultKey: Key? = .character("1")
    let onDashboard = true
    let initialViewState = TopologyView()
    /// The map carries queue depths, execution counts, instance health, breakers and live rates.
    let dataSections = Set(DataSection.allCases)

    /// Below this (inside the border) the map is drawn as a list of edges.
    static let minimumMapSize = Size(columns: 44, rows: 9)
    /// Cells H/J/K/L move the window by.
    static let panStep = MapPoint(x: 16, y: 6)

    var actions: [PaneAction<RowID, TopologyView>] {
        [
            // j/k/↓/↑ are the console's own: the next and previous box in reading order (down a
            // column, then on to the next), the same in the map and in its list form.
            Self.walk("map-left", [.character("h"), .left], "Map: select the nearest box to the left", .left),
            Self.walk("map-right", [.character("l"), .right], "Map: select the nearest box to the right", .right),
            Self.pan("map-pan-left", "H", "Map: pan left", MapPoint(x: -Self.panStep.x, y: 0)),
            Self.pan("map-pan-down", "J", "Map: pan down", MapPoint(x: 0, y: Self.panStep.y)),
            Self.pan("map-pan-up", "K", "Map: pan up", MapPoint(x: 0, y: -Self.panStep.y)),
            Self.pan("map-pan-right", "L", "Map: pan right", MapPoint(x: Self.panStep.x, y: 0)),
            .view("map-centre", [.character("0")], "Map: re-centre on the selection") { view, _ in
                view.pan = MapPoint(x: 0, y: 0)
            },
            .move("map-focus", [.character("f")], "Map: only the selected node's neighbourhood (again: all)") { row, view, _ in
                if view.focus != nil {
                    view.focus = nil
                } else if case .node(let id)? = row {
                    view.focus = id
                    view.pan = MapPoint(x: 0, y: 0)
                }
                return row
            },
            .view("map-more-hops", [.character("+"), .character("=")], "Map: one hop more around the focus") { view, _ in
                view.hops = min(TopologyView.maximumHops, view.hops + 1)
            },
            .view("map-fewer-hops", [.character("-")], "Map: one hop less around the focus") { view, _ in
                view.hops = max(1, view.hops - 1)
            },
            .view("map-rules", [.character("r")], "Map: label routes with their rules instead of rates (again: rates)") { view, _ in
                view.showRules.toggle()
            },
            .move("map-collapse", [.character(" ")], "Map: collapse the selected node's group into one node, or expand it") { row, view, context in
                guard case .node(let id)? = row else { return nil }
                if id.hasPrefix(TopologyMap.groupPrefix) {
                    let key = String(id.dropFirst(TopologyMap.groupPrefix.count))
                    let first = TopologyMap.of(context, view: view).members[id]?.first?.id
                    view.collapsed.remove(key)
                    if view.focus == id { view.focus = nil }
                    return first.map { .node($0) }
                }
                let snapshot = context.snapshot
                guard let key = TopologyMap.groups(snapshot, graph: MapGraph(snapshot: snapshot))[id] else { return nil }
                view.collapsed.insert(key)
                if view.focus == id { view.focus = TopologyMap.groupPrefix + key }
                return .node(TopologyMap.groupPrefix + key)
            },
            .system("map-replay", [.character("R")], "Map: replay the bus's archived events of the last 15 minutes") { row, context in
                guard case .node(let id) = row, let bus = context.snapshot.buses.first(where: { $0.arn == id }) else {
                    return .refuse("replay: select an event bus")
                }
                return ReplayOffer.decide(busArn: bus.arn, busName: bus.name, from: nil, context)
            },
            .detailLink("map-open-pane", [.enter], "Map, in a node's detail: its queue, sagas, breaker, instances or events, filtered to it") { row, context in
                guard case .node(let id) = row else { return .refuse("nothing selected") }
                if id.hasPrefix(TopologyMap.groupPrefix) { return .refuse(TopologyLink.groupRefusal) }
                guard let node = MapGraph(snapshot: context.snapshot).node(id) else { return .refuse("the node is no longer on the map") }
                return TopologyLink.decide(node, context.snapshot)
            },
        ]
    }

    static func walk(_ name: String, _ keys: [Key], _ help: String, _ direction: TopologyMap.Direction) -> PaneAction<RowID, TopologyView> {
        .move(name, keys, help) { row, view, context in
            let map = TopologyMap.of(context, view: view)
            guard let first = map.order.first else { return nil }
            view.pan = MapPoint(x: 0, y: 0)
            guard case .node(let id)? = row, let from = map.graph.index(of: id) else { return .node(map.graph.nodes[first].id) }
            return map.neighbour(of: from, direction).map { .node(map.graph.nodes[$0].id) }
        }
    }

    static func pan(_ name: String, _ key: Character, _ help: String, _ step: MapPoint) -> PaneAction<RowID, TopologyView> {
        .view(name, [.character(key)], help) { view, _ in
            view.pan = MapPoint(x: view.pan.x + step.x, y: view.pan.y + step.y)
        }
    }

    func body(_ context: PaneContext, view: TopologyView) -> PaneBody<RowID> {
        let map = TopologyMap.of(context, view: view)
        let targets = map.order.map { index in
            PaneCanvas<RowID>.Target(id: .node(map.graph.nodes[index].id), title: map.graph.nodes[index].name)
        }
        return .canvas(PaneCanvas(targets: targets) { buffer, rect, selected, focused in
            var index: Int?
            if case .node(let id)? = selected { index = map.graph.index(of: id) }
            TopologyDrawing.draw(map, context: context, view: view, into: &buffer, rect: rect,
                                 selected: index, focused: focused)
        })
    }

    func detail(of row: RowID, _ context: PaneContext) -> [DetailLine]? {
        guard case .node(let id) = row else { return nil }
        // The whole map, so a node's every edge is listed whatever the view hides.
        let map = TopologyMap.of(PaneContext(snapshot: context.snapshot, now: context.now, memory: context.memory),
                                 view: TopologyView(collapsed: id.hasPrefix(TopologyMap.groupPrefix)
                                     ? [String(id.dropFirst(TopologyMap.groupPrefix.count))] : []))
        guard let index = map.graph.index(of: id) else { return nil }
        var lines = TopologyDrawing.detail(of: index, map)
        if let hint = TopologyLink.hint(map.graph.nodes[index], context.snapshot) {
            lines.insert(("  " + hint, .info), at: 3)
        }
        if map.graph.nodes[index].kind == .bus { lines += ReplayOffer.busDetail(busArn: id, context.snapshot) }
        return lines
    }
}

extension PaneID {
    public static let topology = PaneID("topology")
}
