import Terminal

/// The map's geometry: a layered left-to-right drawing of a `MapGraph` (Sugiyama's method).
///
/// 1. Layers: each kind of node has its band of columns (sources and publishers → buses →
///    queues and machines → tasks and dead-letter queues → consumers → dependencies); inside
///    a band, chains (bus → bus) take one column per hop. An edge running right to left (a
///    consumer publishing to its bus, a cycle) is drawn reversed.
/// 2. Order: barycentre sweeps, down and up, reduce crossings; an edge spanning several
///    layers runs through one placeholder row per layer it crosses.
/// 3. Rows: each box lines up with the edges coming into it, never overlapping its layer.
/// 4. Channels: between two layers every edge has its own row at its source and turns on a
///    track column of the channel; edges into the same box share a track and merge.
///
/// Invariants the tests check: boxes never overlap; no segment enters a box; the same graph
/// and options always give the same layout; with `previous`, every node that was laid out
/// before keeps its layer and its order among the old nodes of its layer.
public struct MapLayout: Sendable {
    public let graph: MapGraph
    public let options: MapLayoutOptions
    /// The whole map, in cells.
    public let size: Size
    /// One per `graph.nodes`, same order.
    public let boxes: [MapBox]
    /// One per `graph.edges`, same order.
    public let routes: [MapRoute]
    public let segments: [MapSegment]
    /// For each segment, the edge (index into `graph.edges`) it belongs to.
    public let segmentEdge: [Int32]
    public let layerCount: Int
    /// Spatial index: boxes and horizontal segments by bands of rows, vertical segments by
    /// bands of columns (a tall track is in one column band, not in hundreds of row bands), so
    /// drawing a window visits only what lies near it.
    static let bucketSize = 32
    let boxBuckets: [[Int32]]
    let horizontalBuckets: [[Int32]]
    let verticalBuckets: [[Int32]]

    /// Lays out `graph`. With `previous`, a layout of the same graph and options is returned
    /// as it is (a change of rates or depths re-lays nothing), and otherwise the nodes
    /// `previous` placed keep their layer and relative order.
    public init(graph: MapGraph, options: MapLayoutOptions = MapLayoutOptions(), previous: MapLayout? = nil) {
        if let previous, previous.options == options, previous.graph == graph {
            self = previous
            return
        }
        var builder = LayoutBuilder(graph: graph, options: options, previous: previous)
        self = builder.build()
    }

    init(graph: MapGraph, options: MapLayoutOptions, size: Size, boxes: [MapBox], routes: [MapRoute],
         segments: [MapSegment], segmentEdge: [Int32], layerCount: Int) {
        self.graph = graph
        self.options = options
        self.size = size
        self.boxes = boxes
        self.routes = routes
        self.segments = segments
        self.segmentEdge = segmentEdge
        self.layerCount = layerCount
        let rowBands = max(1, (size.rows + Self.bucketSize - 1) / Self.bucketSize)
        let columnBands = max(1, (size.columns + Self.bucketSize - 1) / Self.bucketSize)
        var boxBuckets = Array(repeating: [Int32](), count: rowBands)
        for (index, box) in boxes.enumerated() {
            for bucket in Self.buckets(from: box.rect.y, to: box.rect.maxY - 1, count: rowBands) {
                boxBuckets[bucket].append(Int32(index))
            }
        }
        var horizontalBuckets = Array(repeating: [Int32](), count: rowBands)
        var verticalBuckets = Array(repeating: [Int32](), count: columnBands)
        for (index, segment) in segments.enumerated() {
            if segment.isHorizontal {
                horizontalBuckets[Self.buckets(from: segment.y0, to: segment.y0, count: rowBands).lowerBound].append(Int32(index))
            } else {
                verticalBuckets[Self.buckets(from: segment.x0, to: segment.x0, count: columnBands).lowerBound].append(Int32(index))
            }
        }
        self.boxBuckets = boxBuckets
        self.horizontalBuckets = horizontalBuckets
        self.verticalBuckets = verticalBuckets
    }

    static func buckets(from first: Int, to last: Int, count: Int) -> ClosedRange<Int> {
        let low = min(count - 1, max(0, first / bucketSize))
        let high = min(count - 1, max(low, last / bucketSize))
        return low...high
    }

    /// The box of the node with `id`.
    public func box(of id: String) -> MapBox? { graph.index(of: id).map { boxes[$0] } }

    /// The node whose box contains the map cell, if any.
    public func node(at point: MapPoint) -> Int? {
        guard point.y >= 0, point.y < size.rows, !boxBuckets.isEmpty else { return nil }
        let bucket = min(boxBuckets.count - 1, point.y / Self.bucketSize)
        for index in boxBuckets[bucket] where boxes[Int(index)].rect.contains(x: point.x, y: point.y) {
            return Int(index)
        }
        return nil
    }

    /// Indices of the boxes and segments that may touch `window` (a superset), each once.
    func visible(in window: Rect) -> (boxes: [Int32], segments: [Int32]) {
        guard !window.isEmpty, window.y < size.rows, window.maxY > 0, window.x < size.columns, window.maxX > 0
        else { return ([], []) }
        let rows = Self.buckets(from: window.y, to: window.maxY - 1, count: boxBuckets.count)
        let columns = Self.buckets(from: window.x, to: window.maxX - 1, count: verticalBuckets.count)
        var boxes: [Int32] = []
        var segments: [Int32] = []
        for bucket in rows {
            // A box spanning several row bands is listed in each: keep it once, in its first.
            for index in boxBuckets[bucket] where bucket == rows.lowerBound
                || self.boxes[Int(index)].rect.y / Self.bucketSize == bucket {
                boxes.append(index)
            }
            segments.append(contentsOf: horizontalBuckets[bucket])
        }
        for bucket in columns {
            for index in verticalBuckets[bucket] {
                let segment = self.segments[Int(index)]
                if segment.y1 >= window.y && segment.y0 < window.maxY { segments.append(index) }
            }
        }
        return (boxes, segments)
    }

    /// The layer of each node id: what `previous` pins.
    public var layers: [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(graph.nodes.map(\.id), boxes.map(\.layer)))
    }
}
