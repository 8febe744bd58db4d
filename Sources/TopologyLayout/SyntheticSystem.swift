import Timekeeping

/// A made-up event-driven system of a given size, for the benchmark and the layout tests:
/// buses fed by sources and services, rules to queues, machines and other buses, redrive to
/// dead-letter queues, machines calling tasks, services consuming and calling dependencies;
/// bus-to-bus hops go from regional buses to a few central ones.
/// Deterministic for a seed (a `SplitMix64`), so a figure or a failure can be reproduced.
public enum SyntheticSystem {
    public static func graph(nodes nodeCount: Int, edges edgeCount: Int, seed: UInt64 = 1) -> MapGraph {
        var random = SplitMix64(seed: seed)
        let shares: [(MapNodeKind, Int)] = [
            (.source, 5), (.service, 20), (.bus, 5), (.stateMachine, 5), (.queue, 35), (.task, 10),
            (.deadLetterQueue, 10), (.dependency, 10),
        ]
        var byKind: [MapNodeKind: [String]] = [:]
        var graph = MapGraph()
        var made = 0
        for (kind, share) in shares {
            let count = max(1, nodeCount * share / 100)
            for i in 0..<count where made < nodeCount {
                let id = "\(kind)-\(i)"
                graph.add(MapNode(id: id, name: String(kind.label.map { $0 == " " ? "-" : $0 }) + "-\(i)", kind: kind))
                byKind[kind, default: []].append(id)
                made += 1
            }
        }
        let patterns: [(MapNodeKind, MapNodeKind, MapEdgeKind, Int)] = [
            (.source, .bus, .observed, 6), (.service, .bus, .publishes, 10), (.bus, .queue, .route, 30),
            (.bus, .stateMachine, .route, 8), (.bus, .bus, .busHop, 2), (.queue, .deadLetterQueue, .deadLetter, 8),
            (.stateMachine, .task, .task, 10), (.task, .service, .consumes, 8), (.queue, .service, .consumes, 10),
            (.service, .dependency, .dependency, 8),
        ]
        let total = patterns.reduce(0) { $0 + $1.3 }
        var attempts = 0
        while graph.edges.count < edgeCount && attempts < edgeCount * 20 {
            attempts += 1
            var pick = Int(random.next() % UInt64(total))
            var chosen = patterns[0]
            for pattern in patterns {
                if pick < pattern.3 { chosen = pattern; break }
                pick -= pattern.3
            }
            guard var from = byKind[chosen.0], var to = byKind[chosen.1], !from.isEmpty, !to.isEmpty else { continue }
            if chosen.2 == .busHop {
                // Regional buses forward to a few central ones, as cross-account setups do.
                let hubs = min(5, to.count)
                guard from.count > hubs else { continue }
                to = Array(to.prefix(hubs))
                from = Array(from.dropFirst(hubs))
            }
            let a = from[Int(random.next() % UInt64(from.count))]
            let b = to[Int(random.next() % UInt64(to.count))]
            graph.connect(MapEdge(from: a, to: b, kind: chosen.2, via: "r\(graph.edges.count)"))
        }
        return graph
    }
}

/// SplitMix64: a tiny seeded generator, so synthetic systems are the same on every machine.
