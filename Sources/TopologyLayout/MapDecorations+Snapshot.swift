import Foundation
import Provider

extension MapDecorations {
    /// How long the live labels look back: rates are events (or deliveries) per second over it.
    public static let rateWindow: TimeInterval = 10

    /// Badges, health, live labels and cascade marks for `graph` (built from `snapshot`).
    ///
    /// With the live stream (`liveStream`), edge labels count the deliveries and events it
    /// reported over the last 10 s (`snapshot.rates`, what the tail's rates strip shows; `≥`
    /// while the stream dropped frames in that window). Without it (AWS, moto) the only figures
    /// are the APIs' counters: an edge into a state machine shows executions started per second
    /// from ListExecutions, marked `~` as estimated; other edges have no rate and say nothing.
    public init(snapshot: SystemSnapshot, graph: MapGraph, now: Date, liveStream: Bool) {
        let since = now.addingTimeInterval(-Self.rateWindow)
        var queues: [String: Queue] = [:]
        for queue in snapshot.queues { queues[queue.arn] = queue }
        var machines: [String: StateMachine] = [:]
        for machine in snapshot.stateMachines { machines[machine.arn] = machine }
        var services: [String: RegistryService] = [:]
        for service in snapshot.registry { services[service.id] = service }
        var breakerByDependency: [String: Breaker] = [:]
        for breaker in snapshot.breakers { breakerByDependency["dependency:" + breaker.dependency] = breaker }
        var rulesPerBus: [String: Int] = [:]
        for rule in snapshot.rules { rulesPerBus[rule.eventBusName, default: 0] += 1 }
        var executionsByMachine: [String: [Execution]] = [:]
        for execution in snapshot.executions { executionsByMachine[execution.stateMachineName, default: []].append(execution) }
        let rates = snapshot.rates.advanced(to: now)
        let window = Int(Self.rateWindow)
        let eventsBySource = rates.totals(over: window) { $0.bySource }
        let atLeast = rates.dropped(over: window) > 0
        let counted = rates.latest != nil

        nodes = graph.nodes.map { node in
            switch node.kind {
            case .queue, .deadLetterQueue:
                guard let queue = queues[node.id] else { return MapNodeDecoration(badge: "not listed") }
                // Polled counts can be old (a queue off screen is read now and then): say how
                // old. The stream's are pushed as they change.
                return Self.queueBadge(queue, countsAge: liveStream ? nil : queue.staleCountsAge(at: now))
            case .stateMachine:
                return Self.machineBadge(executionsByMachine[machines[node.id]?.name ?? node.name] ?? [], now: now)
            case .service:
                if let service = services[node.id] { return Self.serviceBadge(service) }
                return MapNodeDecoration(badge: "not in the registry")
            case .dependency:
                guard let breaker = breakerByDependency[node.id] else { return MapNodeDecoration() }
                return Self.dependencyBadge(breaker)
            case .bus:
                let rules = rulesPerBus[node.name] ?? 0
                // A replay into the bus is news on the map (its events arrive a second time): it
                // takes the badge's place; the rules are in the node's detail.
                if let replay = snapshot.replays(intoBus: node.id).first(where: \.isActive) {
                    let badge = replay.progress.map { "⟲ \(Int(($0 * 100).rounded(.down)))% replayed" } ?? "⟲ " + replay.state.lowercased()
                    return MapNodeDecoration(badge: badge, health: .unknown)
                }
                return MapNodeDecoration(badge: "\(rules) rule\(rules == 1 ? "" : "s")", health: .unknown)
            case .source:
                // Nothing counted (no stream): no figure, rather than a 0 that is not measured.
                guard counted else { return MapNodeDecoration(health: .unknown) }
                let count = eventsBySource[node.name] ?? 0
                return MapNodeDecoration(badge: (atLeast ? "≥" : "") + "\(count) events/10s", health: .unknown)
            case .task:
                return MapNodeDecoration(badge: node.id.contains(":lambda:") ? "lambda" : "activity")
            case .external:
                return MapNodeDecoration(badge: "external")
            case .state, .join:
                return MapNodeDecoration()   // never on the system's map
            }
        }

        // Live labels.
        let deliveries = rates.totals(over: window) { $0.byRoute }
        let failures = rates.totals(over: window) { $0.failedByRoute }
        let observed = rates.totals(over: window) { $0.bySourceOnBus }
        var disabledRules = Set<String>()
        for rule in snapshot.rules where rule.state == .disabled { disabledRules.insert(rule.name) }
        var nodeNames: [String: String] = [:]
        for node in graph.nodes { nodeNames[node.id] = node.name }
        edges = graph.edges.map { edge in
            switch edge.kind {
            case .route, .busHop:
                if disabledRules.contains(edge.via) { return MapEdgeDecoration(label: "off", state: .idle) }
                if liveStream {
                    let route = DeliveryRoute(rule: edge.via, target: edge.to)
                    return Self.rate(deliveries[route] ?? 0, failed: failures[route] ?? 0, estimated: false, atLeast: atLeast)
                }
                if let machine = machines[edge.to] {
                    let started = (executionsByMachine[machine.name] ?? []).filter { $0.startDate >= since }.count
                    return Self.rate(started, failed: 0, estimated: true)
                }
                return MapEdgeDecoration(state: .unknown)
            case .observed:
                let bus = snapshot.buses.first { $0.arn == edge.to }?.name ?? nodeNames[edge.to] ?? ""
                guard counted else { return MapEdgeDecoration(state: .unknown) }
                return Self.rate(observed[SourceOnBus(source: nodeNames[edge.from] ?? "", bus: bus)] ?? 0, failed: 0, estimated: false,
                                 atLeast: atLeast)
            case .deadLetter:
                let held = queues[edge.to]?.visibleMessages ?? 0
                return MapEdgeDecoration(label: held > 0 ? "\(held) dead" : "", state: held > 0 ? .failing : .idle)
            case .dependency:
                guard let breaker = breakerByDependency[edge.to] else { return MapEdgeDecoration(state: .unknown) }
                return Self.breakerLabel(breaker)
            case .task, .publishes, .consumes:
                return MapEdgeDecoration(state: .unknown)
            case .next, .choice, .catch, .branch, .join:
                return MapEdgeDecoration()   // never on the system's map
            }
        }
        Self.markCascades(&nodes, graph: graph)
    }

    /// `count` over the window as a rate: `~` when `estimated`, `≥` when a lower bound.
    static func rate(_ count: Int, failed: Int, estimated: Bool, atLeast: Bool = false) -> MapEdgeDecoration {
        let mark = estimated ? "~" : (atLeast ? "≥" : "")
        guard count > 0 || failed > 0 else { return MapEdgeDecoration(label: mark + "0/s", state: .idle) }
        let perSecond = Double(count) / rateWindow
        let text = mark + Self.format(perSecond) + "/s" + (failed > 0 ? " ✖\(failed)" : "")
        return MapEdgeDecoration(label: text, state: failed > 0 ? .failing : .active)
    }

    static func format(_ value: Double) -> String {
        if value >= 1000 { return String(format: "%.1fk", value / 1000) }
        if value >= 10 { return String(format: "%.0f", value) }
        return String(format: "%.1f", value)
    }

    /// `countsAge`: how old the counts are, when stale (`Queue.staleCountsAge`).
    static func queueBadge(_ queue: Queue, countsAge: TimeInterval? = nil) -> MapNodeDecoration {
        var badge = "\(queue.visibleMessages) msgs"
        if queue.inFlightMessages > 0 { badge += " +\(queue.inFlightMessages) in flight" }
        if let age = queue.oldestMessageAge, queue.visibleMessages > 0 { badge += " · " + Self.format(age) }
        if let countsAge { badge += " · read " + Self.format(Duration.seconds(countsAge)) + " ago" }
        if queue.isDeadLetterQueue {
            return MapNodeDecoration(badge: badge, health: queue.visibleMessages > 0 ? .failing : .healthy)
        }
        // Messages waiting over five minutes: the consumers are not keeping up.
        let stale = (queue.oldestMessageAge ?? .zero) > .seconds(300) && queue.visibleMessages > 0
        return MapNodeDecoration(badge: badge, health: stale ? .degraded : .healthy)
    }

    static func format(_ age: Duration) -> String {
        let seconds = Int(age.components.seconds)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        return "\(seconds / 3600)h"
    }

    /// Counts over the executions the provider listed (its most recent ones per machine).
    static func machineBadge(_ executions: [Execution], now: Date) -> MapNodeDecoration {
        var running = 0, failed = 0, stuck = 0
        for execution in executions {
            switch execution.sagaState(now: now) {
            case .running, .compensating: running += 1
            case .failed: failed += 1
            case .stuck: stuck += 1
            case .succeeded: break
            }
        }
        var badge = "\(running) run · \(failed) fail"
        if stuck > 0 { badge += " · \(stuck) stuck" }
        let health: MapHealth = executions.isEmpty ? .unknown : (failed > 0 ? .failing : (stuck > 0 ? .degraded : .healthy))
        return MapNodeDecoration(badge: badge, health: health)
    }

    static func serviceBadge(_ service: RegistryService) -> MapNodeDecoration {
        let total = service.instances.count
        let healthy = service.instances.filter { $0.health == .healthy }.count
        let unhealthy = service.instances.filter { $0.health == .unhealthy }.count
        let health: MapHealth = total == 0 ? .unknown : (unhealthy == 0 ? (healthy == total ? .healthy : .unknown)
                                                                         : (healthy == 0 ? .failing : .degraded))
        return MapNodeDecoration(badge: "\(healthy)/\(total) healthy", health: health)
    }

    static func dependencyBadge(_ breaker: Breaker) -> MapNodeDecoration {
        // The box is the dependency and the edge into it the breaker: the state needs no "breaker".
        var badge = breaker.state.rawValue
        if let rate = breaker.failureRate { badge += " · \(Int(rate.rounded()))% fail" }
        if breaker.stale { badge += " · stale" }
        let health: MapHealth
        switch breaker.state {
        case .open, .forcedOpen: health = .failing
        case .halfOpen: health = .degraded
        case .closed, .forcedClosed: health = breaker.stale ? .unknown : .healthy
        }
        return MapNodeDecoration(badge: badge, health: health)
    }

    static func breakerLabel(_ breaker: Breaker) -> MapEdgeDecoration {
        switch breaker.state {
        case .open: MapEdgeDecoration(label: "⚡ OPEN", state: .failing)
        case .forcedOpen: MapEdgeDecoration(label: "⚡ forced", state: .failing)
        case .halfOpen: MapEdgeDecoration(label: "⚡ half", state: .active)
        case .forcedClosed: MapEdgeDecoration(label: "forced", state: .active)
        case .closed: MapEdgeDecoration(label: "closed", state: breaker.calls > 0 ? .active : .idle)
        }
    }

    /// Marks every node upstream of a failing node with the failing node nearest downstream of
    /// it (a breadth-first search backwards from all failing nodes at once), so the operator
    /// sees the root of a cascade, not a row of red boxes. A failing node that has a failing
    /// node downstream names that one: it is a symptom, not the root.
    static func markCascades(_ nodes: inout [MapNodeDecoration], graph: MapGraph) {
        let count = graph.nodes.count
        var predecessors = Array(repeating: [Int](), count: count)
        var successors = Array(repeating: [Int](), count: count)
        for edge in graph.edges {
            guard let from = graph.index(of: edge.from), let to = graph.index(of: edge.to), from != to else { continue }
            predecessors[to].append(from)
            successors[from].append(to)
        }
        var root = Array(repeating: -1, count: count)
        var queue: [Int] = []
        for index in 0..<count where nodes[index].health == .failing {
            root[index] = index
            queue.append(index)
        }
        guard !queue.isEmpty else { return }
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for previous in predecessors[node] where root[previous] == -1 {
                root[previous] = root[node]
                queue.append(previous)
            }
        }
        for index in 0..<count {
            var cause = root[index]
            if cause == index {
                // Failing itself: is there a failing root further downstream?
                cause = successors[index].lazy.map { root[$0] }.first { $0 >= 0 && $0 != index } ?? -1
            }
            if cause >= 0 && cause != index { nodes[index].cascadeRoot = graph.nodes[cause].name }
        }
    }
}
