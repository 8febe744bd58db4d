import Terminal
import Testing
@testable import TopologyLayout

/// Edge styles that read without colour: dashed Catch edges, heavy highlighted edges; and
/// state nodes, which keep their definition's order and lay out by their transitions.
@Suite struct EdgeStyleTests {
    static func state(_ name: String) -> MapNode { MapNode(id: name, name: name, kind: .state) }

    /// Start → Work (next) and Work ┄catch┄▶ Undo, Work → Done (next), Undo → Start (a loop).
    static let graph = MapGraph(nodes: [state("Start"), state("Work"), state("Undo"), state("Done")], edges: [
        MapEdge(from: "Start", to: "Work", kind: .next),
        MapEdge(from: "Work", to: "Done", kind: .next),
        MapEdge(from: "Work", to: "Undo", kind: .catch, via: "catch"),
        MapEdge(from: "Undo", to: "Start", kind: .next),
    ])

    static func draw(_ decorations: MapDecorations) -> (layout: MapLayout, text: String) {
        let layout = MapLayout(graph: graph, options: MapLayoutOptions(minimumBoxWidth: 20))
        var buffer = CellBuffer(size: Size(columns: layout.size.columns, rows: layout.size.rows))
        MapCanvas.draw(layout, decorations: decorations, into: &buffer, area: buffer.bounds, origin: MapPoint(x: 0, y: 0))
        return (layout, buffer.textLines().joined(separator: "\n"))
    }

    @Test func statesAreLaidOutByTheirTransitionsInTheirOwnOrder() {
        let layout = Self.draw(MapDecorations(plain: Self.graph)).layout
        #expect(MapChecks.violations(layout) == [])
        let layer = layout.layers
        // The loop back to Start is drawn reversed; Start stays first though "Done" sorts first by name.
        #expect(layer["Start"] == 0)
        #expect(layer["Work"] == 1)
        #expect(layer["Done"] == 2 && layer["Undo"] == 2)
    }

    @Test func catchEdgesAreDashedAndHighlightedEdgesHeavy() {
        let plain = Self.draw(MapDecorations(plain: Self.graph)).text
        #expect(plain.contains("┄"), "the catch edge is dashed:\n\(plain)")
        #expect(plain.contains("─"))
        #expect(!plain.contains("━"))
        var decorations = MapDecorations(plain: Self.graph)
        decorations.edges[0].highlighted = true   // Start → Work
        decorations.edges[2].highlighted = true   // the catch
        let taken = Self.draw(decorations).text
        #expect(taken.contains("━"), "the path taken is heavy:\n\(taken)")
        #expect(taken.contains("┅"), "a catch taken is heavy and dashed:\n\(taken)")
    }

    @Test func aNodeSaysItsOwnSymbolAndFooter() {
        var decorations = MapDecorations(plain: Self.graph)
        decorations.nodes[1] = MapNodeDecoration(badge: "Task · 1.2s", symbol: "▶", role: .accent, footer: "◀ now")
        let text = Self.draw(decorations).text
        #expect(text.contains("▶ Task · 1.2s"))
        #expect(text.contains("◀ now"))
    }
}
