import Foundation
import JSON

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
    /// When the provider last read the history (a GetExecutionHistory answer): `timeline` is
    /// known complete up to then, and no later unless the snapshot's live stream carries it.
    /// nil when it has not been read, or the provider does not say.
    public var historyReadAt: Date?
    /// The Map Runs its distributed Map states started (`MapRunStarted`), as last read, in the
    /// order the history names them; empty until read, or where the endpoint has no Map Runs.
    public var mapRuns: [MapRun] = []

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
    /// The event this one follows (`previousEventId`); 0 or nil for the first.
    public var previousEventId: Int?
    /// The event's `…EventDetails` object as the API sent it (input, output, parameters,
    /// error, cause, resource, timeouts), with string fields longer than
    /// `TimelineEntry.payloadLimit` cut to it; `clipped` names those fields and their sizes.
    public var details: JSONValue?
    /// Fields of `details` that were cut, with their full size in UTF-8 bytes.
    public var clipped: [String: Int]

    /// Longest payload string (input, output, …) kept per field, in UTF-8 bytes: a 256 KB input
    /// is shown as its first 32 KB, and says so, instead of being held whole per event.
    public static let payloadLimit = 32 * 1024

    public init(id: Int, type: String, timestamp: Date, stateName: String? = nil, detail: String? = nil,
                previousEventId: Int? = nil, details: JSONValue? = nil, clipped: [String: Int] = [:]) {
        self.id = id
        self.type = type
        self.timestamp = timestamp
        self.stateName = stateName
        self.detail = detail
        self.previousEventId = previousEventId
        self.details = details
        self.clipped = clipped
    }
}
