import Provider

// Which data each pane shows, so the provider can poll what is off screen less often. The
// pane registry is the natural home for this (each pane declaring its section); until then
// it sits here, next to nothing else.

extension PaneKind {
    /// The provider's data section this pane shows.
    public var dataSection: DataSection {
        switch self {
        case .topology: .topology
        case .flows: .flows
        case .queues: .queues
        case .circuits: .breakers
        case .sagas: .sagas
        case .registry: .registry
        }
    }
}

extension ConsoleState {
    /// The data sections of the panes on screen: the zoomed pane, or every slot.
    public var visibleSections: Set<DataSection> {
        Set((zoomed ? [focusedPane] : slots).map(\.dataSection))
    }
}
