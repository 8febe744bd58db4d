import Terminal

/// The working state of one layout run. Items are the graph's nodes (indices `0..<nodeCount`)
/// followed by placeholder rows for edges that span several layers; links join items of
/// adjacent layers, always left to right.
struct LayoutBuilder {
    let graph: MapGraph
    let options: MapLayoutOptions
    let previous: MapLayout?
    let nodeCount: Int

    /// Per graph edge: its ends as node indices.
    var edgeEnds: [(from: Int, to: Int)] = []
    /// Per graph edge: drawn from `to` to `from` (closes a cycle).
    var reversed: [Bool] = []
    /// Per node: canonical rank (kind, name, id), the tie-breaker everywhere.
    var rank: [Int] = []
    var layer: [Int] = []

    // Items and links.
    var itemLayer: [Int] = []
    var itemEdge: [Int] = []           // -1 for nodes
    var linkFrom: [Int] = []
    var linkTo: [Int] = []
    var linkEdge: [Int] = []
    var outLinks: [[Int]] = []
    var inLinks: [[Int]] = []
    /// Per graph edge: its first link, or -1 for self loops.
    var firstLink: [Int] = []
    var selfLoops: [[Int]] = []        // per node: graph edges from the node to itself

    var order: [[Int]] = []            // items per layer, top to bottom
    var position: [Int] = []           // item → index within its layer

    // Geometry.
    var itemY: [Int] = []
    var itemHeight: [Int] = []
    var boxWidth: [Int] = []
    var linkSourceRow: [Int] = []
    var linkTargetRow: [Int] = []
    var linkTrack: [Int] = []          // -1: straight
    var selfLoopRow: [Int: Int] = [:]  // graph edge → row
    var reverseInOffset: [Int] = []    // per node: row offset where reversed edges arrive
    var trackCount: [Int] = []         // per channel

    init(graph: MapGraph, options: MapLayoutOptions, previous: MapLayout?) {
        self.graph = graph
        self.options = options
        self.previous = previous
        self.nodeCount = graph.nodes.count
    }

    mutating func build() -> MapLayout {
        guard nodeCount > 0 else {
            return MapLayout(graph: graph, options: options, size: Size(columns: 0, rows: 0), boxes: [], routes: [],
                             segments: [], segmentEdge: [], layerCount: 0)
        }
        rankNodes()
        assignLayers()
        buildItems()
        orderLayers()
        assignRows()
        assignTracks()
        return finish()
    }

    // MARK: Canonical rank

    mutating func rankNodes() {
        let nodes = graph.nodes
        let sorted = nodes.indices.sorted { a, b in
            let x = nodes[a], y = nodes[b]
            if x.kind != y.kind { return x.kind < y.kind }
            // States keep their definition's reading order (StartAt first): the order the
            // graph was built in, itself a function of the definition only.
            if x.kind >= .state { return a < b }
            if x.name != y.name { return x.name < y.name }
            return x.id < y.id
        }
        rank = Array(repeating: 0, count: nodeCount)
        for (r, node) in sorted.enumerated() { rank[node] = r }
        edgeEnds = graph.edges.map { (graph.index(of: $0.from)!, graph.index(of: $0.to)!) }
    }

    // MARK: Layers

    /// The column band of a node: the reading order of an event-driven system. A service
    /// that something delivers to is a consumer (right); one that only publishes is a source
    /// (left). Edges from a later band to an earlier one (a consumer publishing back to its
    /// bus) are drawn reversed; edges inside a band (bus → bus hops) get sub-layers.
    func band(_ node: Int, hasIncoming: Bool) -> Int {
        switch graph.nodes[node].kind {
        case .source: 0
        case .service: hasIncoming ? 4 : 0
        case .bus: 1
        case .stateMachine, .queue, .external: 2
        case .task, .deadLetterQueue: 3
        case .dependency: 5
        case .state, .join: 6
        }
    }

    /// Layers by band, and inside a band by longest path over the band's own edges (after a
    /// depth-first search from its sources, in canonical order, reverses the edges that close
    /// cycles). Empty bands take no columns. A node's layer depends only on its kind, on
    /// whether anything delivers to it, and on the chains inside its band: adding a node
    /// elsewhere never moves it.
    func bandedLayers() -> (layer: [Int], band: [Int]) {
        var hasIncoming = Array(repeating: false, count: nodeCount)
        for ends in edgeEnds where ends.from != ends.to { hasIncoming[ends.to] = true }
        let bands = (0..<nodeCount).map { band($0, hasIncoming: hasIncoming[$0]) }
        var successors = Array(repeating: [Int](), count: nodeCount)
        var indegree = Array(repeating: 0, count: nodeCount)
        for ends in edgeEnds where ends.from != ends.to && bands[ends.from] == bands[ends.to] {
            successors[ends.from].append(ends.to)
            indegree[ends.to] += 1
        }
        for node in 0..<nodeCount { successors[node].sort { rank[$0] < rank[$1] } }
        // Depth-first search: edges back to a node on the stack close cycles and are ignored.
        let byRank = (0..<nodeCount).sorted { rank[$0] < rank[$1] }
        let roots = byRank.filter { indegree[$0] == 0 } + byRank.filter { indegree[$0] != 0 }
        var state = Array(repeating: UInt8(0), count: nodeCount)   // 0 new, 1 on stack, 2 done
        var acyclic = Array(repeating: [Int](), count: nodeCount)
        var finished: [Int] = []
        finished.reserveCapacity(nodeCount)
        var stack: [(node: Int, next: Int)] = []
        for root in roots where state[root] == 0 {
            state[root] = 1
            stack.append((root, 0))
            while let top = stack.last {
                let list = successors[top.node]
                if top.next == list.count {
                    state[top.node] = 2
                    finished.append(top.node)
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let next = list[top.next]
                switch state[next] {
                case 0:
                    acyclic[top.node].append(next)
                    state[next] = 1
                    stack.append((next, 0))
                case 2: acyclic[top.node].append(next)
                default: break   // closes a cycle
                }
            }
        }
        // Reverse finishing order is a topological order of the acyclic edges.
        var sublayer = Array(repeating: 0, count: nodeCount)
        for node in finished.reversed() {
            for next in acyclic[node] { sublayer[next] = max(sublayer[next], sublayer[node] + 1) }
        }
        let bandCount = (bands.max() ?? 0) + 1
        var width = Array(repeating: 0, count: bandCount)
        for node in 0..<nodeCount { width[bands[node]] = max(width[bands[node]], sublayer[node] + 1) }
        var offset = Array(repeating: 0, count: bandCount)
        for b in 1..<max(1, bandCount) { offset[b] = offset[b - 1] + width[b - 1] }
        return ((0..<nodeCount).map { offset[bands[$0]] + sublayer[$0] }, bands)
    }

    mutating func assignLayers() {
        let fresh = bandedLayers()
        if let previous, let pinned = pinnedLayers(previous: previous, fresh: fresh) {
            layer = pinned
        } else {
            layer = fresh.layer
        }
        reversed = edgeEnds.map { layer[$0.from] > layer[$0.to] }
    }

    /// Old nodes keep their layers; a new node takes its fresh layer shifted as its band's old
    /// nodes were (a band that grew or shrank moved them). Nil when the old layers cannot hold
    /// the new edges (two old nodes newly joined inside one layer).
    func pinnedLayers(previous: MapLayout, fresh: (layer: [Int], band: [Int])) -> [Int]? {
        var layer = fresh.layer
        var isNew = Array(repeating: true, count: nodeCount)
        var shift: [Int: Int] = [:]
        for node in (0..<nodeCount).sorted(by: { rank[$0] < rank[$1] }) {
            guard let old = previous.graph.index(of: graph.nodes[node].id) else { continue }
            layer[node] = previous.boxes[old].layer
            isNew[node] = false
            if shift[fresh.band[node]] == nil { shift[fresh.band[node]] = layer[node] - fresh.layer[node] }
        }
        for node in 0..<nodeCount where isNew[node] {
            let band = fresh.band[node]
            let nearest = shift.keys.filter { $0 <= band }.max() ?? shift.keys.min()
            layer[node] = max(0, fresh.layer[node] + (nearest.flatMap { shift[$0] } ?? 0))
        }
        // A new node sharing a layer with a neighbour moves right until it does not.
        for _ in 0..<8 {
            var moved = false
            for ends in edgeEnds where ends.from != ends.to && layer[ends.from] == layer[ends.to] {
                if isNew[ends.to] { layer[ends.to] += 1; moved = true }
                else if isNew[ends.from] { layer[ends.from] += 1; moved = true }
            }
            if !moved { break }
        }
        return edgesFit(layer) ? layer : nil
    }

    func edgesFit(_ layer: [Int]) -> Bool {
        !edgeEnds.contains { $0.from != $0.to && layer[$0.from] == layer[$0.to] }
    }

    // MARK: Items

    mutating func buildItems() {
        itemLayer = layer
        itemEdge = Array(repeating: -1, count: nodeCount)
        outLinks = Array(repeating: [], count: nodeCount)
        inLinks = Array(repeating: [], count: nodeCount)
        selfLoops = Array(repeating: [], count: nodeCount)
        firstLink = Array(repeating: -1, count: edgeEnds.count)
        for (edge, ends) in edgeEnds.enumerated() {
            if ends.from == ends.to {
                selfLoops[ends.from].append(edge)
                continue
            }
            let (a, b) = reversed[edge] ? (ends.to, ends.from) : (ends.from, ends.to)
            var previousItem = a
            firstLink[edge] = linkFrom.count
            for l in (layer[a] + 1)..<layer[b] {
                let dummy = itemLayer.count
                itemLayer.append(l)
                itemEdge.append(edge)
                outLinks.append([])
                inLinks.append([])
                addLink(from: previousItem, to: dummy, edge: edge)
                previousItem = dummy
            }
            addLink(from: previousItem, to: b, edge: edge)
        }
    }

    mutating func addLink(from: Int, to: Int, edge: Int) {
        let link = linkFrom.count
        linkFrom.append(from)
        linkTo.append(to)
        linkEdge.append(edge)
        outLinks[from].append(link)
        inLinks[to].append(link)
    }

    var isDummy: (Int) -> Bool { { [nodeCount] in $0 >= nodeCount } }
}
