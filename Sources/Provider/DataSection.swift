/// The kinds of data a console shows, as the provider fetches them. A console tells its
/// provider which sections are on screen (`SystemProvider.watch`); the provider polls the APIs
/// behind the others less often.
public enum DataSection: String, Sendable, Hashable, CaseIterable {
    /// Buses, rules and their targets, queues with their dead-letter links, state machines with
    /// their definitions and registry services: the graph; executions and breakers for its
    /// badges and edges.
    case topology
    case queues
    /// State machines, their executions and the executions' histories.
    case sagas
    case registry
    case breakers
    /// Events on the buses; they arrive through the live stream only, never by polling.
    case flows
}

/// One group of API calls a poll round makes; each is polled at the refresh interval while a
/// watched section needs it, and every `StackProviderOptions.unwatchedPollFactor` intervals
/// otherwise.
enum PollPart: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// EventBridge `ListEventBuses`, `ListRules`, `ListTargetsByRule`.
    case eventBridge = 1
    /// SQS `ListQueues`, `GetQueueAttributes`.
    case queues
    /// Step Functions `ListStateMachines`.
    case stateMachines
    /// Step Functions `ListExecutions` per machine and `GetExecutionHistory`.
    case executions
    /// Cloud Map `ListNamespaces`, `ListServices`, `ListInstances`, `GetInstancesHealthStatus`.
    case registry
    /// `GET /_signalbox/breakers` (only on an endpoint with Signalbox's extensions).
    case breakers

    static func < (lhs: PollPart, rhs: PollPart) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The part's share of the polling budget (`StackProviderOptions.pollingBudget`): its
    /// polls are spaced so that, at steady state, its calls a second stay under its share.
    /// Queues take the most (one call per queue read), Step Functions next (listings and
    /// histories); the shares add up to one.
    var budgetShare: Double {
        switch self {
        case .queues: 0.4
        case .stateMachines, .executions: 0.3
        case .eventBridge: 0.15
        case .registry: 0.1
        case .breakers: 0.05
        }
    }

    /// The sections that show this part's data.
    var shownIn: Set<DataSection> {
        switch self {
        // The Flows pane shows the replays running into the buses and replays from their archives.
        case .eventBridge: [.topology, .flows]
        case .queues: [.topology, .queues]
        case .stateMachines: [.topology, .sagas]
        case .executions: [.sagas, .topology]
        case .registry: [.topology, .registry]
        case .breakers: [.breakers, .topology]
        }
    }
}
