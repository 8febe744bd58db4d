import Provider

// Which data each built-in pane shows, so the provider can poll what is off screen less often.
// A pane this table does not know (one registered from elsewhere) is taken to need everything:
// polling too much is safe, polling too little would leave it stale.

extension PaneID {
    /// The provider's data section this pane shows; nil when the pane is not a built-in one.
    var dataSection: DataSection? {
        switch self {
        case .topology: .topology
        case .flows: .flows
        case .queues: .queues
        case .circuits: .breakers
        case .sagas: .sagas
        case .registry: .registry
        default: nil
        }
    }
}

extension ConsoleState {
    /// The data sections of the panes on screen: the zoomed pane, or every slot.
    public var visibleSections: Set<DataSection> {
        var sections: Set<DataSection> = []
        for pane in zoomed ? [focusedPane] : slots {
            guard let section = pane.dataSection else { return Set(DataSection.allCases) }
            sections.insert(section)
        }
        return sections
    }
}
