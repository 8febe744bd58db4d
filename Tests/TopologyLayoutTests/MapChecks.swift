import Foundation
import Provider
import Terminal
@testable import TopologyLayout

/// What every layout must satisfy, and the whole map as text: the layout tests' checks. The
/// demo they lay out is `DemoSnapshot` (SignalboxTestSupport), shared with the pane's goldens.
enum MapChecks {
    /// Every cell of every box, and every cell a segment or arrow covers, in map coordinates.
    static func violations(_ layout: MapLayout) -> [String] {
        var problems: [String] = []
        var owner: [Int: Int] = [:]
        let width = layout.size.columns + 1
        for (index, box) in layout.boxes.enumerated() {
            for y in box.rect.y..<box.rect.maxY {
                for x in box.rect.x..<box.rect.maxX {
                    if let other = owner.updateValue(index, forKey: y * width + x) {
                        problems.append("boxes \(layout.graph.nodes[other].id) and \(layout.graph.nodes[index].id) overlap at \(x),\(y)")
                        return problems
                    }
                }
            }
        }
        for (index, segment) in layout.segments.enumerated() {
            for y in segment.y0...segment.y1 {
                for x in segment.x0...segment.x1 {
                    if let box = owner[y * width + x] {
                        let edge = layout.graph.edges[Int(layout.segmentEdge[index])]
                        problems.append("edge \(edge.from)→\(edge.to) passes through \(layout.graph.nodes[box].id) at \(x),\(y)")
                        return problems
                    }
                    if x < 0 || y < 0 || x >= layout.size.columns || y >= layout.size.rows {
                        problems.append("segment \(segment) outside the map \(layout.size)")
                        return problems
                    }
                }
            }
        }
        for route in layout.routes where owner[route.arrow.y * width + route.arrow.x] != nil {
            problems.append("an arrowhead sits inside a box at \(route.arrow)")
        }
        return problems
    }

    /// The whole map drawn as text.
    static func picture(_ layout: MapLayout, decorations: MapDecorations? = nil) -> [String] {
        var buffer = CellBuffer(size: Size(columns: max(1, layout.size.columns), rows: max(1, layout.size.rows)))
        MapCanvas.draw(layout, decorations: decorations ?? MapDecorations(plain: layout.graph), into: &buffer,
                       area: buffer.bounds, origin: MapPoint(x: 0, y: 0))
        return buffer.textLines()
    }
}
