import Terminal

/// Columns, boxes and the segments of every route.
///
/// A channel between layer `l` and `l + 1`, from left to right: one cell where edges leave
/// (`◀` for a reversed edge), the label zone, one spacer, the tracks, one spacer, and the cell
/// where edges arrive (`▶`).
extension LayoutBuilder {
    mutating func finish() -> MapLayout {
        let layerCount = order.count
        let labelWidth = options.labelWidth
        var layerWidth = Array(repeating: 1, count: layerCount)
        for node in 0..<nodeCount { layerWidth[layer[node]] = max(layerWidth[layer[node]], boxWidth[node]) }
        var layerX = Array(repeating: 0, count: layerCount)
        for l in 1..<max(1, layerCount) {
            layerX[l] = layerX[l - 1] + layerWidth[l - 1] + labelWidth + trackCount[l - 1] + 4
        }
        func layerRight(_ l: Int) -> Int { layerX[l] + layerWidth[l] }
        func trackX(_ channel: Int, _ track: Int) -> Int { layerRight(channel) + labelWidth + 2 + track }

        var boxes: [MapBox] = []
        boxes.reserveCapacity(nodeCount)
        var height = 0
        for node in 0..<nodeCount {
            let rect = Rect(x: layerX[layer[node]], y: itemY[node], width: boxWidth[node], height: itemHeight[node])
            height = max(height, rect.maxY)
            let outRows = outLinks[node].map { linkSourceRow[$0] } + selfLoops[node].map { selfLoopRow[$0]! }
            boxes.append(MapBox(rect: rect, layer: layer[node], inRow: rect.y + 1,
                                reverseInRow: rect.y + reverseInOffset[node], outRows: outRows))
        }
        for item in nodeCount..<itemLayer.count { height = max(height, itemY[item] + 1) }

        var segments: [MapSegment] = []
        var segmentEdge: [Int32] = []
        var routes: [MapRoute] = []
        routes.reserveCapacity(edgeEnds.count)
        for (edge, ends) in edgeEnds.enumerated() {
            let start = segments.count
            func add(_ segment: MapSegment) {
                segments.append(segment)
                segmentEdge.append(Int32(edge))
            }
            if ends.from == ends.to {
                let box = boxes[ends.from].rect
                let row = selfLoopRow[edge]!
                let right = layerRight(layer[ends.from])
                add(MapSegment(x0: box.maxX, y0: row, x1: right, y1: row))
                routes.append(MapRoute(direction: .selfLoop, segments: start..<segments.count,
                                       arrow: MapPoint(x: box.maxX, y: row), arrowGlyph: "↺",
                                       label: Rect(x: right + 1, y: row, width: labelWidth, height: 1)))
                continue
            }
            var link = firstLink[edge]
            while true {
                let source = linkFrom[link], target = linkTo[link]
                let channel = itemLayer[source]
                let ys = linkSourceRow[link], yt = linkTargetRow[link]
                let sx = source < nodeCount ? boxes[source].rect.maxX : layerRight(channel)
                let ex = target < nodeCount ? boxes[target].rect.x - 1 : layerRight(channel + 1)
                if linkTrack[link] < 0 || ys == yt {
                    if ys == yt && linkTrack[link] < 0 {
                        add(MapSegment(x0: sx, y0: ys, x1: ex, y1: ys))
                    } else {
                        let tx = trackX(channel, linkTrack[link])
                        add(MapSegment(x0: sx, y0: ys, x1: tx, y1: ys))
                        add(MapSegment(x0: tx, y0: yt, x1: ex, y1: yt))
                    }
                } else {
                    let tx = trackX(channel, linkTrack[link])
                    add(MapSegment(x0: sx, y0: ys, x1: tx, y1: ys))
                    add(MapSegment(x0: tx, y0: ys, x1: tx, y1: yt))
                    add(MapSegment(x0: tx, y0: yt, x1: ex, y1: yt))
                }
                if target < nodeCount { break }
                link = outLinks[target][0]
            }
            let first = firstLink[edge]
            let labelRect = Rect(x: layerRight(itemLayer[linkFrom[first]]) + 1, y: linkSourceRow[first],
                                 width: labelWidth, height: 1)
            if reversed[edge] {
                routes.append(MapRoute(direction: .reversed, segments: start..<segments.count,
                                       arrow: MapPoint(x: boxes[ends.to].rect.maxX, y: linkSourceRow[first]),
                                       arrowGlyph: "◀", label: labelRect))
            } else {
                let target = boxes[ends.to]
                routes.append(MapRoute(direction: .forward, segments: start..<segments.count,
                                       arrow: MapPoint(x: target.rect.x - 1, y: target.inRow), arrowGlyph: "▶",
                                       label: labelRect))
            }
        }
        let width = layerCount == 0 ? 0 : layerRight(layerCount - 1) + labelWidth + 2
        return MapLayout(graph: graph, options: options, size: Size(columns: width, rows: height), boxes: boxes,
                         routes: routes, segments: segments, segmentEdge: segmentEdge, layerCount: layerCount)
    }
}
