import JSON
import Provider

/// The Cloud Map instance attributes a service may carry to say what the APIs cannot: which
/// buses (or queues, activities…) it publishes to and which it consumes from. Comma-separated
/// resource names; ordinary attributes on AWS, like `SIGNALBOX_HEARTBEAT_TTL`.
public enum MapAttribute {
    public static let publishes = "signalbox:publishes"
    public static let consumes = "signalbox:consumes"
}

extension MapGraph {
    /// The system as the APIs describe it: every edge comes from an API answer (a rule's
    /// targets, a redrive policy, a state machine's Task states, events seen on a bus, a
    /// breaker report, or a service's own `signalbox:` attributes). Nothing is inferred from
    /// names; a name an attribute gives that matches no resource draws no edge.
    public init(snapshot: SystemSnapshot) {
        self.init()
        var busByName: [String: String] = [:]
        var byName: [String: String] = [:]     // resource name → node id, for attributes
        func named(_ name: String, _ id: String) { if byName[name] == nil { byName[name] = id } }

        for bus in snapshot.buses {
            add(MapNode(id: bus.arn, name: bus.name, kind: .bus))
            busByName[bus.name] = bus.arn
            named(bus.name, bus.arn)
        }
        for queue in snapshot.queues {
            add(MapNode(id: queue.arn, name: queue.name, kind: queue.isDeadLetterQueue ? .deadLetterQueue : .queue))
            named(queue.name, queue.arn)
        }
        for machine in snapshot.stateMachines {
            add(MapNode(id: machine.arn, name: machine.name, kind: .stateMachine))
            named(machine.name, machine.arn)
        }
        var serviceByName: [String: String] = [:]
        for service in snapshot.registry {
            add(MapNode(id: service.id, name: service.name, kind: .service))
            if serviceByName[service.name] == nil { serviceByName[service.name] = service.id }
        }

        func busId(_ name: String) -> String {
            if let arn = busByName[name] { return arn }
            let id = "bus:" + name
            add(MapNode(id: id, name: name, kind: .bus))
            busByName[name] = id
            return id
        }

        // Rule targets: the routes.
        for rule in snapshot.rules {
            let from = busId(rule.eventBusName)
            for target in rule.targets {
                let to = targetNode(arn: target.arn, busByName: &busByName)
                connect(MapEdge(from: from, to: to.id, kind: to.kind == .bus ? .busHop : .route, via: rule.name))
            }
        }
        // Redrive policies.
        for queue in snapshot.queues {
            guard let dlq = queue.deadLetterTargetArn else { continue }
            add(MapNode(id: dlq, name: Self.shortName(ofArn: dlq), kind: .deadLetterQueue))
            connect(MapEdge(from: queue.arn, to: dlq, kind: .deadLetter, via: "redrive"))
        }
        // Task states of each definition the provider fetched.
        for machine in snapshot.stateMachines {
            guard let text = machine.definition else { continue }
            for task in TaskTargets.of(definition: text) {
                let node = MapNode(id: task.arn, name: task.name, kind: .task)
                add(node)
                named(node.name, node.id)
                connect(MapEdge(from: machine.arn, to: node.id, kind: .task, via: task.state))
            }
        }
        // Sources seen in traffic. An event whose bus is not known (read through a tap that
        // watches several buses: an envelope does not name its bus) draws no edge to a bus.
        for seen in snapshot.recentEvents.sourcesOnBuses where !seen.source.isEmpty && !seen.bus.isEmpty {
            let id = "source:" + seen.source
            add(MapNode(id: id, name: seen.source, kind: .source))
            connect(MapEdge(from: id, to: busId(seen.bus), kind: .observed, via: "events"))
        }
        // Breakers: service → dependency.
        for breaker in snapshot.breakers {
            let service = serviceByName[breaker.service] ?? {
                let id = "service:" + breaker.service
                add(MapNode(id: id, name: breaker.service, kind: .service))
                serviceByName[breaker.service] = id
                return id
            }()
            let dependency = "dependency:" + breaker.dependency
            add(MapNode(id: dependency, name: breaker.dependency, kind: .dependency))
            connect(MapEdge(from: service, to: dependency, kind: .dependency, via: "breaker"))
        }
        // What services say about themselves.
        for service in snapshot.registry {
            for name in Self.attributeNames(service, MapAttribute.publishes) {
                if let target = byName[name] {
                    connect(MapEdge(from: service.id, to: target, kind: .publishes, via: MapAttribute.publishes))
                }
            }
            for name in Self.attributeNames(service, MapAttribute.consumes) {
                if let source = byName[name] {
                    connect(MapEdge(from: source, to: service.id, kind: .consumes, via: MapAttribute.consumes))
                }
            }
        }
    }

    /// What `init(snapshot:)` reads of a snapshot, and nothing else: equal inputs make equal
    /// graphs, so a console builds the graph again only when these changed, not when a queue's
    /// depth, an instance's health or a breaker's state moved (every second under traffic).
    public struct Inputs: Sendable, Hashable {
        struct QueueShape: Sendable, Hashable {
            var arn, name: String
            var isDeadLetterQueue: Bool
            var deadLetterTargetArn: String?
        }
        struct ServiceShape: Sendable, Hashable {
            var id, name: String
            /// Each instance's `signalbox:publishes` and `signalbox:consumes`.
            var said: [String?]
        }
        let buses: [EventBus]
        let rules: [Rule]
        let queues: [QueueShape]
        let stateMachines: [StateMachine]
        let services: [ServiceShape]
        let sources: [SourceOnBus]
        let breakers: [String]

        public init(snapshot: SystemSnapshot) {
            buses = snapshot.buses
            rules = snapshot.rules
            queues = snapshot.queues.map { QueueShape(arn: $0.arn, name: $0.name, isDeadLetterQueue: $0.isDeadLetterQueue,
                                                      deadLetterTargetArn: $0.deadLetterTargetArn) }
            stateMachines = snapshot.stateMachines
            services = snapshot.registry.map { service in
                ServiceShape(id: service.id, name: service.name,
                             said: service.instances.flatMap { [$0.attributes[MapAttribute.publishes], $0.attributes[MapAttribute.consumes]] })
            }
            sources = snapshot.recentEvents.sourcesOnBuses
            // A breaker's service and dependency, joined by a character neither may hold.
            breakers = snapshot.breakers.map { $0.service + "\u{0}" + $0.dependency }
        }
    }

    /// The node a rule target's ARN names, added when the snapshot lists it nowhere else.
    private mutating func targetNode(arn: String, busByName: inout [String: String]) -> MapNode {
        if let existing = node(arn) { return existing }
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        let service = parts.count > 2 ? parts[2] : ""
        let resource = parts.count > 5 ? parts[5...].joined(separator: ":") : ""
        let node: MapNode
        if service == "events", resource.hasPrefix("event-bus/") {
            let name = String(resource.dropFirst("event-bus/".count))
            if let known = busByName[name], let existing = self.node(known) { return existing }
            node = MapNode(id: arn, name: name, kind: .bus)
            busByName[name] = arn
        } else if service == "states" || service == "lambda" {
            node = MapNode(id: arn, name: Self.shortName(ofArn: arn), kind: .task)
        } else if service == "sqs" {
            node = MapNode(id: arn, name: Self.shortName(ofArn: arn), kind: .queue)
        } else {
            node = MapNode(id: arn, name: Self.shortName(ofArn: arn), kind: .external)
        }
        add(node)
        return node
    }

    /// The union of a comma-separated attribute over a service's instances, in first-seen order.
    static func attributeNames(_ service: RegistryService, _ key: String) -> [String] {
        var names: [String] = []
        for instance in service.instances {
            for part in (instance.attributes[key] ?? "").split(separator: ",") {
                let name = part.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty && !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    /// The resource name at the end of an ARN (`arn:aws:sqs:…:orders` → `orders`).
    public static func shortName(ofArn arn: String) -> String {
        Topology.shortName(ofArn: arn)
    }
}
