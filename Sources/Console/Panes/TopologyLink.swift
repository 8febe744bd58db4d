import Foundation
import Provider
import TopologyLayout

/// Where a node of the map leads (issue #13: "Enter on a node opens its detail, and from there
/// the queue, saga or breaker pane filtered to it"): the pane that lists what the node stands
/// for, through that pane's `/` filter, with the node's own row selected. One place decides it,
/// for the key and for the line in the detail that names the key.
enum TopologyLink {
    /// The key that follows the link from a node's detail (Enter opened the detail; Enter again
    /// goes one level deeper, into the pane that lists the node).
    static let key = "Enter"

    static let groupRefusal = "a collapsed group: space expands it, then open one of its members"

    /// The link from `node`, or why there is none.
    static func decide(_ node: MapNode, _ snapshot: SystemSnapshot) -> PaneAction<TopologyPane.RowID, TopologyView>.LinkDecision {
        if node.id.hasPrefix(TopologyMap.groupPrefix) { return .refuse(groupRefusal) }
        switch node.kind {
        case .queue, .deadLetterQueue:
            guard snapshot.queues.contains(where: { $0.arn == node.id }) else {
                return .refuse("\(node.name) is not among the endpoint's queues (ListQueues): only a redrive policy or a rule names it")
            }
            return .open(PaneLink(pane: .queues, filter: node.name, select: node.id))
        case .stateMachine:
            return .open(PaneLink(pane: .sagas, filter: node.name))
        case .dependency:
            guard let breaker = snapshot.breakers.first(where: { $0.dependency == node.name }) else {
                return .refuse("no breaker reports \(node.name) any more")
            }
            return .open(PaneLink(pane: .circuits, filter: node.name, select: breaker.id))
        case .service:
            if let breaker = snapshot.breakers.first(where: { $0.service == node.name }) {
                return .open(PaneLink(pane: .circuits, filter: node.name, select: breaker.id))
            }
            guard let service = snapshot.registry.first(where: { $0.id == node.id }) else {
                return .refuse("\(node.name) is known only from the breaker board, which no longer lists it")
            }
            if let instance = service.instances.first {
                return .open(PaneLink(pane: .registry, filter: node.name,
                                      select: RegistryPane.RowID.instance(service: service.id, instance: instance.id)))
            }
            return .open(PaneLink(pane: .registry, filter: node.name, select: RegistryPane.RowID.service(service.id)))
        case .bus, .source:
            return .open(PaneLink(pane: .flows, filter: node.name))
        case .task:
            return .refuse("no pane lists activities or functions: the state machines that call \(node.name) are under \"Into it\"")
        case .external:
            return .refuse("\(node.name) is outside what this endpoint lists")
        case .state, .join:
            return .refuse("\(node.name) is a state of a definition: the Sagas pane draws it")
        }
    }

    /// The detail's line that names the key and where it leads, nil when it leads nowhere.
    static func hint(_ node: MapNode, _ snapshot: SystemSnapshot) -> String? {
        guard case .open(let link) = decide(node, snapshot) else { return nil }
        let title = PaneRegistry.standard.pane(link.pane)?.title ?? link.pane.rawValue
        return "\(key): the \(title) pane filtered to /\(link.filter) · Esc: back"
    }
}
