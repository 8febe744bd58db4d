import Foundation
import Provider
import SignalboxTestSupport
import Terminal
import Testing
@testable import TopologyLayout

@Suite struct LayoutTests {
    @Test func demoMapHasNoOverlapsAndNoEdgeThroughABox() {
        let layout = MapLayout(graph: MapGraph(snapshot: DemoSnapshot.demo()))
        #expect(MapChecks.violations(layout) == [])
        #expect(layout.routes.count == layout.graph.edges.count)
    }

    @Test func layersReadLeftToRight() {
        let graph = MapGraph(snapshot: DemoSnapshot.demo())
        let layers = MapLayout(graph: graph).layers
        let bus = DemoSnapshot.arn("events", "event-bus/shop-bus")
        let saga = DemoSnapshot.arn("states", "stateMachine:order-saga")
        let charge = DemoSnapshot.task("payment-charge")
        #expect(layers["srv-order"]! < layers[bus]!)
        #expect(layers["source:shop.orders"]! < layers[bus]!)
        #expect(layers[bus]! < layers[saga]!)
        #expect(layers[saga]! < layers[charge]!)
        #expect(layers[charge]! < layers["srv-payment"]!)
        #expect(layers["srv-payment"]! < layers["dependency:payment-gateway"]!)
        #expect(layers[DemoSnapshot.arn("sqs", "analytics")]! < layers[DemoSnapshot.arn("sqs", "analytics-dlq")]!)
    }

    @Test func largeSyntheticSystemsKeepTheInvariants() {
        for seed in UInt64(1)...3 {
            let layout = MapLayout(graph: SyntheticSystem.graph(nodes: 150, edges: 600, seed: seed))
            #expect(MapChecks.violations(layout) == [], "seed \(seed)")
        }
    }

    @Test func sameInputGivesTheSamePicture() {
        let graph = SyntheticSystem.graph(nodes: 80, edges: 240, seed: 7)
        let first = MapLayout(graph: graph), second = MapLayout(graph: graph)
        #expect(first.boxes == second.boxes)
        #expect(first.segments == second.segments)
        #expect(MapChecks.picture(first) == MapChecks.picture(second))
        // The same graph built in another order draws the same map: order comes from names and kinds.
        let shuffled = MapGraph(nodes: graph.nodes.reversed(), edges: graph.edges)
        let third = MapLayout(graph: shuffled)
        for node in graph.nodes { #expect(third.box(of: node.id)?.rect == first.box(of: node.id)?.rect) }
    }

    @Test func aRateChangeReusesTheLayout() {
        let snapshot = DemoSnapshot.demo()
        let layout = MapLayout(graph: MapGraph(snapshot: snapshot))
        var busier = snapshot
        busier.queues[0].visibleMessages = 9_999
        busier.recentEvents.append(FlowEvent(id: "e2", time: Date(), eventBusName: "shop-bus", source: "shop.orders",
                                             detailType: "Order Created"))
        let again = MapLayout(graph: MapGraph(snapshot: busier), previous: layout)
        #expect(again.boxes == layout.boxes)
        #expect(again.segments == layout.segments)
    }

    @Test func addingANodeMovesNoOtherNodesLayerOrOrder() {
        for seed in UInt64(1)...4 {
            let base = SyntheticSystem.graph(nodes: 60, edges: 150, seed: seed)
            let before = MapLayout(graph: base)
            var grown = base
            // A new queue behind an existing bus, consumed by an existing service.
            let bus = base.nodes.first { $0.kind == .bus }!.id
            let service = base.nodes.first { $0.kind == .service }!.id
            grown.add(MapNode(id: "new-queue", name: "new-queue", kind: .queue))
            grown.connect(MapEdge(from: bus, to: "new-queue", kind: .route, via: "new-rule"))
            grown.connect(MapEdge(from: "new-queue", to: service, kind: .consumes))
            let after = MapLayout(graph: grown, previous: before)
            #expect(MapChecks.violations(after) == [])
            for node in base.nodes {
                #expect(after.box(of: node.id)!.layer == before.box(of: node.id)!.layer, "seed \(seed): \(node.id) changed layer")
            }
            // Old nodes keep their top-to-bottom order within each layer.
            for layer in 0..<before.layerCount {
                let oldOrder = base.nodes.filter { before.box(of: $0.id)!.layer == layer }
                    .sorted { before.box(of: $0.id)!.rect.y < before.box(of: $1.id)!.rect.y }.map(\.id)
                let newOrder = base.nodes.filter { after.box(of: $0.id)!.layer == layer }
                    .sorted { after.box(of: $0.id)!.rect.y < after.box(of: $1.id)!.rect.y }.map(\.id)
                #expect(oldOrder == newOrder, "seed \(seed) layer \(layer)")
            }
        }
    }

    @Test func cyclesAndSelfLoopsAreDrawn() {
        var graph = MapGraph()
        for name in ["a-bus", "b-bus", "c-bus"] { graph.add(MapNode(id: name, name: name, kind: .bus)) }
        graph.connect(MapEdge(from: "a-bus", to: "b-bus", kind: .busHop, via: "ab"))
        graph.connect(MapEdge(from: "b-bus", to: "c-bus", kind: .busHop, via: "bc"))
        graph.connect(MapEdge(from: "c-bus", to: "a-bus", kind: .busHop, via: "ca"))
        graph.connect(MapEdge(from: "b-bus", to: "b-bus", kind: .busHop, via: "self"))
        let layout = MapLayout(graph: graph)
        #expect(MapChecks.violations(layout) == [])
        #expect(layout.routes.map(\.direction).filter { $0 == .reversed }.count == 1)
        #expect(layout.routes[3].direction == .selfLoop)
        let text = MapChecks.picture(layout).joined(separator: "\n")
        #expect(text.contains("↺"))
        #expect(text.contains("◀"))
        #expect(text.contains("▶"))
    }

    @Test func emptyGraphLaysOutToNothing() {
        let layout = MapLayout(graph: MapGraph(snapshot: SystemSnapshot()))
        #expect(layout.boxes.isEmpty)
        #expect(layout.size == Size(columns: 0, rows: 0))
        var buffer = CellBuffer(size: Size(columns: 20, rows: 5))
        MapCanvas.draw(layout, decorations: MapDecorations(plain: layout.graph), into: &buffer, area: buffer.bounds,
                       origin: MapPoint(x: 0, y: 0))
        #expect(buffer.textLines().allSatisfy { $0.isEmpty })
    }
}
