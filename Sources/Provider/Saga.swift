import Foundation

/// A Step Functions state machine (`ListStateMachines`).
public struct StateMachine: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case standard = "STANDARD"
        case express = "EXPRESS"
    }
    public var name: String
    public var arn: String
    public var kind: Kind
    /// The Amazon States Language text (`DescribeStateMachine`), when the provider fetched it:
    /// the topology map reads the Task states' resources from it.
    public var definition: String?
    public init(name: String, arn: String, kind: Kind = .standard, definition: String? = nil) {
        self.name = name
        self.arn = arn
        self.kind = kind
        self.definition = definition
    }
}

/// One execution of a saga (`ListExecutions` / `DescribeExecution` / `GetExecutionHistory`).
public struct Execution: Sendable, Hashable {
    /// The Step Functions `ExecutionStatus` values.
    public enum Status: String, Sendable, Hashable {
        case running = "RUNNING"
        case succeeded = "SUCCEEDED"
        case failed = "FAILED"
        case timedOut = "TIMED_OUT"
        case aborted = "ABORTED"
        case pendingRedrive = "PENDING_REDRIVE"
    }

    public var name: String
    public var arn: String
    public var stateMachineName: String
    public var status: Status
    public var startDate: Date
    public var stopDate: Date?
    /// The state the execution is in (or stopped in).
    public var currentState: String?
    /// History, oldest first.
    public var timeline: [TimelineEntry]

    public init(name: String, arn: String, stateMachineName: String, status: Status, startDate: Date,
                stopDate: Date? = nil, currentState: String? = nil, timeline: [TimelineEntry] = []) {
        self.name = name
        self.arn = arn
        self.stateMachineName = stateMachineName
        self.status = status
        self.startDate = startDate
        self.stopDate = stopDate
        self.currentState = currentState
        self.timeline = timeline
    }

    /// The operator's view of the saga: compensating when it is running a compensation state,
    /// stuck when running with no history for longer than `stuckAfter`.
    public func sagaState(now: Date, stuckAfter: TimeInterval = 300) -> SagaState {
        switch status {
        case .succeeded: return .succeeded
        case .failed, .timedOut, .aborted, .pendingRedrive: return .failed
        case .running:
            let last = timeline.last?.timestamp ?? startDate
            if now.timeIntervalSince(last) > stuckAfter { return .stuck }
            if let state = currentState, state.hasPrefix("Compensate") || state.hasPrefix("Undo") {
                return .compensating
            }
            return .running
        }
    }
}

/// The states an operator sorts sagas into.
public enum SagaState: String, Sendable, Hashable, CaseIterable {
    case running, succeeded, failed, compensating, stuck
}

/// One history event (`HistoryEvent`): its type (`TaskStateEntered`, `TaskFailed`, …), time and
/// the state it concerns.
public struct TimelineEntry: Sendable, Hashable {
    public var id: Int
    public var type: String
    public var timestamp: Date
    public var stateName: String?
    /// A short detail (error name and cause, resource) already extracted by the provider.
    public var detail: String?

    public init(id: Int, type: String, timestamp: Date, stateName: String? = nil, detail: String? = nil) {
        self.id = id
        self.type = type
        self.timestamp = timestamp
        self.stateName = stateName
        self.detail = detail
    }
}
