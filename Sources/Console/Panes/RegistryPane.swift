import Foundation
import Provider
import Terminal

/// Cloud Map services and their instances with health.
struct RegistryPane: Pane {
    enum RowID: Hashable, Sendable {
        /// A service with no instances.
        case service(String)
        case instance(service: String, instance: String)
    }

    let id = PaneID.registry
    let title = "Registry"
    let defaultKey: Key? = .character("6")
    let dataSections: Set<DataSection> = [.registry]

    func body(_ context: PaneContext, view: NoViewState) -> PaneBody<RowID> {
        var rows: [PaneRow<RowID>] = []
        for service in context.snapshot.registry {
            if service.instances.isEmpty {
                rows.append(PaneRow(id: .service(service.id), cells: [service.name, service.namespace, "-", "-", "no instances"],
                                    roles: [.text, .muted, .muted, .muted, .warn], searchText: service.id))
            }
            for instance in service.instances {
                let role: Role = switch instance.health {
                case .healthy: .ok
                case .unhealthy: .error
                case .unknown: .muted
                }
                rows.append(PaneRow(id: .instance(service: service.id, instance: instance.id),
                                    cells: [service.name, service.namespace, instance.id, instance.address ?? "-", instance.health.rawValue],
                                    roles: [.text, .muted, .text, .text, role], searchText: service.id + "/" + instance.id))
            }
        }
        return .table(PaneTable(columns: [Column("SERVICE", width: 10, flex: 2, priority: 0), Column("NAMESPACE", width: 9, flex: 1, priority: 4),
                                          Column("INSTANCE", width: 8, flex: 2, priority: 2), Column("ADDRESS", width: 9, flex: 2, priority: 3),
                                          Column("HEALTH", width: 9, priority: 1)],
                                rows: rows, emptyMessage: "No services registered."))
    }

    func detail(of row: RowID, _ context: PaneContext) -> [DetailLine]? {
        let (serviceID, instanceID): (String, String?) = switch row {
        case .service(let id): (id, nil)
        case .instance(let service, let instance): (service, instance)
        }
        guard let service = context.snapshot.registry.first(where: { $0.id == serviceID }) else { return nil }
        var lines: [DetailLine] = [("service        " + service.name, .text), ("namespace      " + service.namespace, .text)]
        // A service row shows every instance; an instance row shows that one.
        for instance in service.instances where instanceID == nil || instanceID == instance.id {
            lines.append(("", .text))
            lines.append(("instance " + instance.id + "  " + instance.health.rawValue, instance.health == .healthy ? .ok : .warn))
            for key in instance.attributes.keys.sorted() {
                lines.append(("  \(key) = \(instance.attributes[key]!)", .text))
            }
        }
        return lines
    }
}

extension PaneID {
    public static let registry = PaneID("registry")
}
