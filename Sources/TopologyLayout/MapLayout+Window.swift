import Terminal

/// A window onto a laid-out map: where it starts to follow a selected box, which box is
/// nearest sideways, and how many boxes lie beyond it. Shared by every view that pans a map.
extension MapLayout {
    public enum Direction: Sendable { case left, right }

    /// Where the window onto the map starts: the selected box centred (so the map moves under
    /// the selection), moved by `pan`, never past the map's edges.
    public func origin(window: Size, selected: Int?, pan: MapPoint) -> MapPoint {
        func axis(_ centre: Int, _ length: Int, _ mapLength: Int) -> Int {
            max(0, min(centre - length / 2, mapLength - length))
        }
        var centre = MapPoint(x: window.columns / 2, y: window.rows / 2)
        if let selected {
            let rect = boxes[selected].rect
            centre = MapPoint(x: rect.x + rect.width / 2, y: rect.y + rect.height / 2)
        }
        return MapPoint(x: axis(centre.x + pan.x, window.columns, size.columns),
                        y: axis(centre.y + pan.y, window.rows, size.rows))
    }

    /// The node nearest `from` in `direction`, or nil when there is none that way: across by
    /// the boxes' left edges (a column's boxes share one, whatever their widths, so none of
    /// them is "to the left" of another), down by their centres, the cross distance weighing double.
    public func neighbour(of from: Int, _ direction: Direction) -> Int? {
        let origin = boxes[from].rect
        let oy = origin.y + origin.height / 2
        var best: (score: Int, index: Int)?
        for index in boxes.indices where index != from {
            let rect = boxes[index].rect
            let dx = rect.x - origin.x, dy = rect.y + rect.height / 2 - oy
            let along: Int, across: Int
            switch direction {
            case .left: (along, across) = (-dx, abs(dy))
            case .right: (along, across) = (dx, abs(dy))
            }
            guard along > 0 else { continue }
            let score = along + 2 * across
            if best == nil || score < best!.score { best = (score, index) }
        }
        return best?.index
    }

    /// Boxes wholly outside `window`, by side: the "n more →" hints.
    public func beyond(_ window: Rect) -> (left: Int, right: Int, up: Int, down: Int) {
        var counts = (left: 0, right: 0, up: 0, down: 0)
        for box in boxes {
            let rect = box.rect
            if rect.maxX <= window.x { counts.left += 1 } else if rect.x >= window.maxX { counts.right += 1 }
            else if rect.maxY <= window.y { counts.up += 1 } else if rect.y >= window.maxY { counts.down += 1 }
        }
        return counts
    }

    /// Node indices in reading order: layer by layer, top to bottom.
    public var readingOrder: [Int] {
        boxes.indices.sorted { a, b in
            let x = boxes[a], y = boxes[b]
            return (x.layer, x.rect.y, x.rect.x) < (y.layer, y.rect.y, y.rect.x)
        }
    }
}
