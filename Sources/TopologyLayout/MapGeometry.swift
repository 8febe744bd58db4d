import Terminal

/// A cell of the map (x to the right, y down), in map coordinates: the pane shows a window
/// onto the map, so these are not screen coordinates.
public struct MapPoint: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// One straight run of an edge: horizontal (`y0 == y1`) or vertical (`x0 == x1`), ends
/// inclusive, `x0 <= x1` and `y0 <= y1`.
public struct MapSegment: Sendable, Hashable {
    public var x0: Int
    public var y0: Int
    public var x1: Int
    public var y1: Int

    public init(x0: Int, y0: Int, x1: Int, y1: Int) {
        self.x0 = min(x0, x1)
        self.y0 = min(y0, y1)
        self.x1 = max(x0, x1)
        self.y1 = max(y0, y1)
    }

    public var isHorizontal: Bool { y0 == y1 }
}

/// Where a node's box sits.
public struct MapBox: Sendable, Hashable {
    public var rect: Rect
    /// The column of the map (0 = leftmost) the node was layered into.
    public var layer: Int
    /// Row where edges enter from the left (the arrowhead `▶` sits just outside the box).
    public var inRow: Int
    /// Row where edges drawn backwards (cycles) arrive: apart from `inRow` when the box has
    /// both, so no arrowhead claims an edge it does not end.
    public var reverseInRow: Int
    /// Rows on the right side where this node's outgoing edges (and self loops) leave.
    public var outRows: [Int]
}

/// How one edge runs.
public struct MapRoute: Sendable, Hashable {
    public enum Direction: Sendable, Hashable {
        /// Left to right: the arrowhead `▶` is at the target.
        case forward
        /// The edge closes a cycle (or goes against an existing node's place): it is drawn
        /// from its target rightwards to its source with `◀` at the target.
        case reversed
        /// From a node to itself (a rule targeting its own bus): `↺` beside the box.
        case selfLoop
    }

    public var direction: Direction
    /// Indices into `MapLayout.segments`.
    public var segments: Range<Int>
    /// Where the arrowhead is drawn, and which.
    public var arrow: MapPoint
    public var arrowGlyph: String
    /// The edge's own stretch of row, right of its source, for its live label.
    public var label: Rect
}
