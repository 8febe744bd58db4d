import Foundation

/// Everything the console shows, at one instant, as immutable values.
///
/// Providers build it from the AWS wire APIs (EventBridge, SQS, Step Functions, Cloud Map) and
/// the stack's breaker board; panes render it and never fetch anything themselves. The empty
/// snapshot is honest: no invented rows, and the connection state says why it is empty.
public struct SystemSnapshot: Sendable, Hashable {
    public var connection: ConnectionState
    public var endpoint: EndpointDescription
    /// When the provider finished building this snapshot.
    public var takenAt: Date?

    public var buses: [EventBus]
    public var rules: [Rule]
    /// The buses' archives and the replays of them (EventBridge `ListArchives`, `ListReplays`).
    public var archives: [EventArchive] = []
    public var replays: [EventReplay] = []
    /// Why the archives could not be listed (nil: they were, or not asked yet).
    public var archivesUnavailable: String?
    /// The most recent events seen on the buses, newest last, bounded by the provider (the
    /// console's `tail_buffer`; the ring counts those it evicted). Shared by reference with the
    /// provider: a snapshot does not copy them.
    public var recentEvents: EventRing
    /// Events the live stream dropped for this viewer because it fell behind.
    public var droppedEvents: Int
    /// The event pattern the stack filters the events it sends by, once it acknowledged it (nil:
    /// every event is sent). Events held from before it was set may not match.
    public var eventsFilteredOnStack: String?
    /// Events a second per bus and per source and deliveries a second by outcome over the last
    /// minute, counted from the live stream's frames (empty without it; a lower bound while it
    /// dropped frames: `TrafficRates.dropped`). Read at a wall-clock time with
    /// `advanced(to:)`.
    public var rates = TrafficRates()
    public var queues: [Queue]
    public var breakers: [Breaker]
    public var stateMachines: [StateMachine]
    public var executions: [Execution]
    public var registry: [RegistryService]
    /// Whether the live stream is following the endpoint: then `recentEvents` holds every event
    /// and delivery of the last moments, and rates counted from them are measured, not estimated.
    public var liveStream: Bool
    /// Why the endpoint has no live stream (AWS, moto, `signalbox serve --no-stream`); nil when it
    /// has one or it is not known yet. The Flows pane offers a tap then.
    public var liveStreamAbsent: String?
    /// The tap the tail is read through instead (nil: none runs). Its events carry no matched
    /// rules and no delivery outcomes: a tap cannot see them.
    public var tap: TapStatus?
    /// SQS messages the stream's `messages` topic told of since the console attached (bounded).
    /// Empty without the stream: SQS has no API that lists what happened to messages.
    public var recentMessages: RecentMessages
    /// Breaker state changes the stream's `breakers` topic told of, newest last (bounded).
    public var breakerChanges: [BreakerChangeSeen]
    /// What polling costs the account (calls a minute, APIs AWS throttled); nil when the
    /// provider does not poll or has not yet.
    public var polling: PollingStatus?
    /// Every API has answered once and every state machine's definition is held: the graph is
    /// as whole as the first listing makes it. Until then more of it may still arrive (a
    /// polling budget spreads the first listing of a large account over several rounds); the
    /// map lays itself out anew once when this turns true, so late nodes are not left at an
    /// edge. True for a snapshot built whole (a test's, the demo's).
    public var discovered = true

    public init(connection: ConnectionState = .notConnected(reason: "no provider attached"),
                endpoint: EndpointDescription = EndpointDescription(name: "none"),
                takenAt: Date? = nil, buses: [EventBus] = [], rules: [Rule] = [],
                recentEvents: EventRing = [], droppedEvents: Int = 0, queues: [Queue] = [],
                breakers: [Breaker] = [], stateMachines: [StateMachine] = [],
                executions: [Execution] = [], registry: [RegistryService] = [], liveStream: Bool = false,
                recentMessages: RecentMessages = RecentMessages(), breakerChanges: [BreakerChangeSeen] = []) {
        self.connection = connection
        self.endpoint = endpoint
        self.takenAt = takenAt
        self.buses = buses
        self.rules = rules
        self.recentEvents = recentEvents
        self.droppedEvents = droppedEvents
        self.queues = queues
        self.breakers = breakers
        self.stateMachines = stateMachines
        self.executions = executions
        self.registry = registry
        self.liveStream = liveStream
        self.recentMessages = recentMessages
        self.breakerChanges = breakerChanges
    }

    /// A snapshot for a console with nothing attached.
    public static func notConnected(endpoint: EndpointDescription, reason: String) -> SystemSnapshot {
        SystemSnapshot(connection: .notConnected(reason: reason), endpoint: endpoint)
    }

    /// Whether the snapshot holds no resources at all.
    public var isEmpty: Bool {
        buses.isEmpty && rules.isEmpty && recentEvents.isEmpty && queues.isEmpty && breakers.isEmpty
            && stateMachines.isEmpty && executions.isEmpty && registry.isEmpty
    }

    /// The system as a graph: buses, queues, state machines and services, joined by rules and
    /// their targets, derived from the other fields so it can never disagree with them.
    public var topology: Topology { Topology(snapshot: self) }
}
