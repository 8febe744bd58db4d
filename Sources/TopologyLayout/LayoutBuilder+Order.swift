/// Crossing reduction: the barycentre heuristic, sweeping down the layers (each item moves
/// to the mean position of its predecessors) and back up (of its successors). Ties keep the
/// current order, so the result depends on nothing but the input.
extension LayoutBuilder {
    mutating func orderLayers() {
        let layerCount = (itemLayer.max() ?? 0) + 1
        order = Array(repeating: [], count: layerCount)
        // Nodes in canonical order (or their old order), then placeholders in edge order.
        let nodes = (0..<nodeCount).sorted { rank[$0] < rank[$1] }
        for node in nodes { order[itemLayer[node]].append(node) }
        for item in nodeCount..<itemLayer.count { order[itemLayer[item]].append(item) }
        position = Array(repeating: 0, count: itemLayer.count)
        let pinned = pinnedOrder()
        for l in 0..<layerCount { restorePinned(layer: l, pinned: pinned); renumber(layer: l) }

        guard layerCount > 1 else { return }
        for _ in 0..<options.sweeps {
            for l in 1..<layerCount { sort(layer: l, byNeighbours: true, pinned: pinned) }
            for l in stride(from: layerCount - 2, through: 0, by: -1) { sort(layer: l, byNeighbours: false, pinned: pinned) }
        }
    }

    /// Per node placed by the previous layout: its old position among old nodes of its layer.
    func pinnedOrder() -> [Int?] {
        guard let previous else { return Array(repeating: nil, count: nodeCount) }
        var oldRank: [Int?] = Array(repeating: nil, count: nodeCount)
        for (index, node) in graph.nodes.enumerated() {
            if let old = previous.graph.index(of: node.id) {
                let box = previous.boxes[old]
                // Top edge first, then x: a unique order within one old layer.
                oldRank[index] = box.rect.y
            }
        }
        return oldRank
    }

    mutating func renumber(layer l: Int) {
        for (index, item) in order[l].enumerated() { position[item] = index }
    }

    /// Puts the old nodes of layer `l` back in their old relative order, in the slots old
    /// nodes occupy now: new nodes and placeholders keep the places the sweep gave them.
    mutating func restorePinned(layer l: Int, pinned: [Int?]) {
        guard previous != nil else { return }
        var slots: [Int] = []
        var items: [Int] = []
        for (slot, item) in order[l].enumerated() where item < nodeCount && pinned[item] != nil {
            slots.append(slot)
            items.append(item)
        }
        guard items.count > 1 else { return }
        items.sort { (pinned[$0]!, rank[$0]) < (pinned[$1]!, rank[$1]) }
        for (slot, item) in zip(slots, items) { order[l][slot] = item }
    }

    mutating func sort(layer l: Int, byNeighbours down: Bool, pinned: [Int?]) {
        var keyed: [(key: Double, item: Int)] = []
        keyed.reserveCapacity(order[l].count)
        for item in order[l] {
            let links = down ? inLinks[item] : outLinks[item]
            if links.isEmpty {
                keyed.append((Double(position[item]), item))
                continue
            }
            var sum = 0
            for link in links { sum += position[down ? linkFrom[link] : linkTo[link]] }
            keyed.append((Double(sum) / Double(links.count), item))
        }
        keyed.sort { ($0.key, position[$0.item]) < ($1.key, position[$1.item]) }
        order[l] = keyed.map(\.item)
        restorePinned(layer: l, pinned: pinned)
        renumber(layer: l)
    }
}
