import Terminal

/// Box sizes, port rows, and the rows of every item.
extension LayoutBuilder {
    mutating func assignRows() {
        let items = itemLayer.count
        itemHeight = Array(repeating: 1, count: items)
        itemY = Array(repeating: 0, count: items)
        boxWidth = Array(repeating: 1, count: nodeCount)
        var outOffset = Array(repeating: 0, count: linkFrom.count)
        var reverseInOffset = Array(repeating: 1, count: nodeCount)
        for node in 0..<nodeCount {
            // Outgoing edges leave in the order of their targets, so they do not cross here.
            outLinks[node].sort { (position[linkTo[$0]], linkEdge[$0]) < (position[linkTo[$1]], linkEdge[$1]) }
            for (index, link) in outLinks[node].enumerated() { outOffset[link] = 1 + index }
            let ports = outLinks[node].count + selfLoops[node].count
            let forwardIn = inLinks[node].contains { !reversed[linkEdge[$0]] }
            let reverseIn = inLinks[node].contains { reversed[linkEdge[$0]] }
            var height = max(3, ports + 2)
            if forwardIn && reverseIn {
                height = max(height, 4)
                reverseInOffset[node] = height - 2
            }
            itemHeight[node] = height
            let name = Sanitizer.sanitize(graph.nodes[node].name, limit: 256)
            boxWidth[node] = min(options.maximumBoxWidth, max(options.minimumBoxWidth, DisplayWidth.of(name) + 8))
        }

        // Top to bottom within each layer, left to right across layers: each item as near as
        // its layer allows to the median row of the edges coming in.
        for l in 0..<order.count {
            var cursor = 0
            for item in order[l] {
                let offset = item < nodeCount ? 1 : 0
                var rows: [Int] = []
                for link in inLinks[item] {
                    let source = linkFrom[link]
                    rows.append(itemY[source] + (source < nodeCount ? outOffset[link] : 0))
                }
                var top = cursor
                if !rows.isEmpty {
                    rows.sort()
                    top = max(cursor, rows[(rows.count - 1) / 2] - offset)
                }
                itemY[item] = top
                cursor = top + itemHeight[item] + options.rowGap
            }
        }

        linkSourceRow = Array(repeating: 0, count: linkFrom.count)
        linkTargetRow = Array(repeating: 0, count: linkFrom.count)
        for link in 0..<linkFrom.count {
            let source = linkFrom[link], target = linkTo[link]
            linkSourceRow[link] = itemY[source] + (source < nodeCount ? outOffset[link] : 0)
            if target < nodeCount {
                linkTargetRow[link] = itemY[target] + (reversed[linkEdge[link]] ? reverseInOffset[target] : 1)
            } else {
                linkTargetRow[link] = itemY[target]
            }
        }
        for node in 0..<nodeCount {
            for (index, edge) in selfLoops[node].enumerated() {
                selfLoopRow[edge] = itemY[node] + 1 + outLinks[node].count + index
            }
        }
        self.reverseInOffset = reverseInOffset
    }
}
