import Timekeeping

/// How the console sees a system. The app loop consumes `snapshots()` and sends operator
/// actions through `perform`; everything behind it (local stack, moto, LocalStack, a real AWS
/// account) speaks the same wire protocols.
public protocol SystemProvider: Sendable {
    var endpoint: EndpointDescription { get }
    /// Successive snapshots, each complete. The stream ends when the provider shuts down.
    func snapshots() -> AsyncStream<SystemSnapshot>
    /// Carries out an operator action; returns a one-line result for the operator.
    func perform(_ action: OperatorAction) async throws -> String
    /// The sections on screen now; a provider may fetch the others less often. Cheap and
    /// synchronous: a console calls it whenever its layout may have changed.
    func watch(_ sections: Set<DataSection>)
    /// The execution ARNs on screen now, the one opened first: a provider that cannot afford
    /// every history reads these first. Cheap and synchronous, as `watch(_:)`.
    func watch(executions: [String])
    /// The queue ARNs on screen now: a provider that cannot afford to read every queue's
    /// attributes at every refresh reads these at each poll, the others in turn. Cheap and
    /// synchronous, as `watch(_:)`.
    func watch(queues: [String])
    /// The EventBridge pattern (JSON text) the operator filters the tail by, nil for none: a
    /// provider that follows a stream asks its server to send only matching events. Cheap and
    /// synchronous, as `watch(_:)`.
    func filterEvents(pattern: String?)
}

extension SystemProvider {
    /// A provider that fetches nothing on its own ignores what is on screen.
    public func watch(_ sections: Set<DataSection>) {}
    public func watch(executions: [String]) {}
    public func watch(queues: [String]) {}
    /// A provider without a stream has nothing to filter at the source.
    public func filterEvents(pattern: String?) {}
}

/// Actions an operator takes on the watched system. Dangerous ones are confirmed and refused
/// in read-only mode by the console before they reach a provider.
public enum OperatorAction: Sendable, Hashable {
    /// Forces a breaker open or closed on the breaker board; `reason` goes to the board's audit.
    case forceBreaker(service: String, dependency: String, Breaker.Force, reason: String)
    /// Returns a breaker to automatic (its thresholds decide again).
    case releaseBreaker(service: String, dependency: String, reason: String)
    case redriveDeadLetterQueue(arn: String)
    case purgeQueue(url: String)
    case stopExecution(arn: String, cause: String)
    case redriveExecution(arn: String)
    /// Answers a step waiting on a task token (SendTaskSuccess); `output` is JSON text.
    case sendTaskSuccess(execution: String, token: String, output: String)
    /// SendTaskFailure: the step fails with `error` and `cause` (its Catch may compensate).
    case sendTaskFailure(execution: String, token: String, error: String, cause: String)
    case sendTaskHeartbeat(execution: String, token: String)
    /// "Retry as new": StartExecution of `machineArn` with the input of execution `basedOn`.
    case startExecution(machineArn: String, input: String, basedOn: String)
    /// Tails the buses through a tap (`TapPlan`): a queue and a rule per bus, made on the
    /// watched account, with `pattern` (nil: every event) as the rules' pattern.
    case openTap(pattern: String?)
    /// Removes taps found on the endpoint (a crashed console's, past their expiry).
    case removeTaps([FoundTap])
    /// StartReplay: a window of an archive's events sent again to its bus.
    case startReplay(ReplayRequest)

    /// A one-line description for confirmation dialogs and the audit trail.
    public var summary: String {
        switch self {
        case .forceBreaker(let service, let dependency, .open, _): "force breaker \(service) → \(dependency) OPEN"
        case .forceBreaker(let service, let dependency, .closed, _): "force breaker \(service) → \(dependency) CLOSED"
        case .releaseBreaker(let service, let dependency, _): "release breaker \(service) → \(dependency) to automatic"
        case .redriveDeadLetterQueue(let arn): "redrive messages from \(Topology.shortName(ofArn: arn)) to their source queues"
        case .purgeQueue(let url): "purge every message in \(Topology.shortName(ofArn: url))"
        case .stopExecution(let arn, _): "stop execution \(Topology.shortName(ofArn: arn))"
        case .redriveExecution(let arn): "redrive execution \(Topology.shortName(ofArn: arn))"
        case .sendTaskSuccess(let arn, _, _): "send task success to \(Topology.shortName(ofArn: arn))"
        case .sendTaskFailure(let arn, _, let error, _): "send task failure \(error) to \(Topology.shortName(ofArn: arn))"
        case .sendTaskHeartbeat(let arn, _): "send a task heartbeat for \(Topology.shortName(ofArn: arn))"
        case .startExecution(let machine, _, let basedOn):
            "start a new \(Topology.shortName(ofArn: machine)) execution with the input of \(Topology.shortName(ofArn: basedOn))"
        case .openTap(let pattern):
            "tail through a tap: an SQS queue and a rule on each event bus" + (pattern.map { " matching \($0)" } ?? " matching every event")
        case .removeTaps(let taps): "remove \(taps.count) expired tap\(taps.count == 1 ? "" : "s") (\(taps.map(\.id).joined(separator: ", ")))"
        case .startReplay(let replay):
            "replay archive \(Topology.shortName(ofArn: replay.archiveArn)) into bus \(Topology.shortName(ofArn: replay.busArn)): "
                + "events of \(replay.windowText)"
        }
    }
}

/// Errors a provider reports for an action.
public enum ProviderError: Error, Sendable, CustomStringConvertible {
    case notConnected(String)
    case rejected(String)

    public var description: String {
        switch self {
        case .notConnected(let why): "not connected: \(why)"
        case .rejected(let why): why
        }
    }
}

/// The provider used until a real one is attached: one honest "not connected" snapshot, and
/// every action refused with the reason.
public struct DisconnectedProvider: SystemProvider {
    public let endpoint: EndpointDescription
    public let reason: String

    public init(endpoint: EndpointDescription, reason: String) {
        self.endpoint = endpoint
        self.reason = reason
    }

    public func snapshots() -> AsyncStream<SystemSnapshot> {
        let snapshot = SystemSnapshot.notConnected(endpoint: endpoint, reason: reason)
        return AsyncStream { continuation in
            continuation.yield(snapshot)
            continuation.finish()
        }
    }

    public func perform(_ action: OperatorAction) async throws -> String {
        throw ProviderError.notConnected(reason)
    }
}
