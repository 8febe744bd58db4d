/// The console's panes. The number is the digit that focuses it; the command is `:name`.
public enum PaneKind: String, Sendable, Hashable, CaseIterable {
    case topology, flows, queues, circuits, sagas, registry

    public var title: String {
        switch self {
        case .topology: "Topology"
        case .flows: "Flows"
        case .queues: "Queues"
        case .circuits: "Circuits"
        case .sagas: "Sagas"
        case .registry: "Registry"
        }
    }

    /// 1–6, in the order above.
    public var number: Int { PaneKind.allCases.firstIndex(of: self)! + 1 }

    /// The four panes of the dashboard at start; queues and registry are one key away.
    public static let dashboard: [PaneKind] = [.topology, .flows, .circuits, .sagas]
}
