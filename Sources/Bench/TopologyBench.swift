import Foundation
import Terminal
import TopologyLayout

/// `signalbox-bench topology`: the live map's goals — layout of 500 nodes / 2,000 edges
/// (< 50 ms) and 5,000 / 20,000 (< 1 s); re-layout after a rate change, reusing the layout
/// (< 1 ms); a 200×60 frame of the map drawn in < 2 ms.
enum TopologyBench {
    static func run() async throws {
        for (nodes, edges, rounds) in [(500, 2_000, 15), (5_000, 20_000, 5)] {
            let graph = SyntheticSystem.graph(nodes: nodes, edges: edges, seed: 42)
            var layout = MapLayout(graph: graph)
            let full = measure(rounds) { layout = MapLayout(graph: graph) }
            print(String(format: "layout %d nodes / %d edges: median %.1f ms, max %.1f ms (%d runs; map %@, %d layers, %d segments)",
                         graph.nodes.count, graph.edges.count, full.median, full.max, rounds,
                         layout.size.description, layout.layerCount, layout.segments.count))

            // A rate change: the snapshot's graph is rebuilt (equal structure), the layout reused.
            let rebuilt = MapGraph(nodes: graph.nodes, edges: graph.edges)
            let previous = layout
            let reuse = measure(200) { layout = MapLayout(graph: rebuilt, previous: previous) }
            print(String(format: "  re-layout after a rate change (layout reused): median %.3f ms, max %.3f ms (200 runs)",
                         reuse.median, reuse.max))

            // One node added: old nodes keep their layers and order.
            var grown = graph
            grown.add(MapNode(id: "bench-new", name: "bench-new", kind: .queue))
            grown.connect(MapEdge(from: graph.nodes.first { $0.kind == .bus }!.id, to: "bench-new", kind: .route))
            let incremental = measure(rounds) { _ = MapLayout(graph: grown, previous: previous) }
            print(String(format: "  layout after one node is added (pinned to the old one): median %.1f ms", incremental.median))

            // Frames: a 200×60 window at several places of the map.
            let decorations = busyDecorations(graph)
            var buffer = CellBuffer(size: Size(columns: 200, rows: 60))
            let origins = (0..<8).map { i in
                MapPoint(x: (layout.size.columns - 200) * i / 8, y: (layout.size.rows - 60) * ((i * 3) % 8) / 8)
            }
            var frame = 0
            let frames = measure(400) {
                MapCanvas.draw(layout, decorations: decorations, into: &buffer, area: buffer.bounds,
                               origin: origins[frame % origins.count], selected: frame % 50)
                frame += 1
            }
            print(String(format: "  200x60 frame of the map: median %.3f ms, p95 %.3f ms, max %.3f ms (400 frames, %@ build)",
                         frames.median, frames.p95, frames.max, ConsoleBench.buildKind))
        }
    }

    /// Labels and badges on everything, so a frame draws as much text as it ever will.
    static func busyDecorations(_ graph: MapGraph) -> MapDecorations {
        MapDecorations(
            nodes: graph.nodes.enumerated().map { index, _ in
                MapNodeDecoration(badge: "\(index % 97) msgs · \(index % 13)m", health: index % 11 == 0 ? .failing : .healthy,
                                  cascadeRoot: index % 17 == 0 ? "payment-gateway" : nil)
            },
            edges: graph.edges.indices.map { MapEdgeDecoration(label: "\(Double($0 % 40) / 4)/s", state: $0 % 9 == 0 ? .failing : .active) })
    }

    struct Figures {
        var median: Double
        var p95: Double
        var max: Double
    }

    static func measure(_ rounds: Int, _ body: () -> Void) -> Figures {
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<rounds {
            let elapsed = clock.measure(body)
            samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        samples.sort()
        return Figures(median: samples[samples.count / 2], p95: samples[min(samples.count - 1, samples.count * 95 / 100)],
                       max: samples.last!)
    }
}
