import Foundation
import Provider
import SignalboxTestSupport
import Terminal
import Testing
@testable import TopologyLayout

@Suite struct BadInputTests {
    static let long = String(repeating: "very-long-queue-name-", count: 10)   // 210 characters
    static let japanese = "注文イベントバス"                                  // 8 wide characters
    static let hostile = "evil\u{1b}[2J\u{07}name\u{202e}txt\r\n"

    func snapshot() -> SystemSnapshot {
        let bus = DemoSnapshot.arn("events", "event-bus/" + Self.japanese)
        let queue = DemoSnapshot.arn("sqs", Self.long)
        let evil = DemoSnapshot.arn("sqs", "evil")
        return SystemSnapshot(
            buses: [EventBus(name: Self.japanese, arn: bus)],
            rules: [Rule(name: "r", arn: "r", eventBusName: Self.japanese,
                         targets: [RuleTarget(id: "1", arn: queue), RuleTarget(id: "2", arn: evil), RuleTarget(id: "3", arn: bus)])],
            queues: [Queue(name: Self.long, url: "u1", arn: queue), Queue(name: Self.hostile, url: "u2", arn: evil)])
    }

    @Test func hostileNamesAreDrawnSanitisedAndCut() {
        let layout = MapLayout(graph: MapGraph(snapshot: snapshot()))
        #expect(MapChecks.violations(layout) == [])
        for box in layout.boxes { #expect(box.rect.width <= MapLayoutOptions().maximumBoxWidth) }
        var buffer = CellBuffer(size: Size(columns: max(1, layout.size.columns), rows: max(1, layout.size.rows)))
        MapCanvas.draw(layout, decorations: MapDecorations(plain: layout.graph), into: &buffer, area: buffer.bounds,
                       origin: MapPoint(x: 0, y: 0))
        for cell in buffer.cells {
            for scalar in cell.text.unicodeScalars { #expect(!Sanitizer.isUnsafe(scalar), "raw \(scalar.value) on screen") }
        }
        let text = buffer.textLines().joined(separator: "\n")
        #expect(text.contains("注文イベント"))
        #expect(text.contains("very-long-queue"))
        #expect(text.contains("…"))
        #expect(text.contains("\\x1b"))
        #expect(text.contains("↺"))   // the rule targeting its own bus
        // Every row is exactly as wide as the buffer: each wide grapheme has its continuation
        // cell, and no continuation is left without its grapheme.
        for y in 0..<buffer.size.rows {
            var columns = 0
            for x in 0..<buffer.size.columns where !buffer[x, y].isContinuation {
                let width = DisplayWidth.of(buffer[x, y].text)
                if width == 2 { #expect(x + 1 < buffer.size.columns && buffer[x + 1, y].isContinuation) }
                columns += width
            }
            #expect(columns == buffer.size.columns)
        }
    }

    @Test func drawingAnyWindowNeverCrashes() {
        let layout = MapLayout(graph: SyntheticSystem.graph(nodes: 40, edges: 100, seed: 3))
        var buffer = CellBuffer(size: Size(columns: 30, rows: 10))
        for origin in [MapPoint(x: -50, y: -50), MapPoint(x: 10_000, y: 10_000), MapPoint(x: 5, y: -3),
                       MapPoint(x: layout.size.columns - 3, y: layout.size.rows - 2)] {
            MapCanvas.draw(layout, decorations: MapDecorations(plain: layout.graph), into: &buffer,
                           area: Rect(x: 2, y: 1, width: 25, height: 8), origin: origin)
        }
        // Decorations of another graph (fewer entries) are tolerated, not trusted.
        MapCanvas.draw(layout, decorations: MapDecorations(nodes: [], edges: []), into: &buffer, area: buffer.bounds,
                       origin: MapPoint(x: 0, y: 0))
    }
}
