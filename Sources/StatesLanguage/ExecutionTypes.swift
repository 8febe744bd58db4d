#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON

/// Who the execution is: the values of `$$.Execution` and `$$.StateMachine`, and the region
/// that Task* history events report.
public struct ExecutionContext: Sendable, Hashable, Codable {
    public var executionArn: String
    public var name: String
    public var stateMachineArn: String
    public var stateMachineName: String
    public var roleArn: String
    /// The version (and alias) StartExecution was called with, if any; AWS lists them in the
    /// ExecutionStarted event. Optional, so executions stored before them still load.
    public var stateMachineVersionArn: String?
    public var stateMachineAliasArn: String?
    /// A distributed Map's child execution: its Map Run and which child it is (its batch or
    /// item), so the host can report its end to the Map Run. Optional for stored executions.
    public var mapRunArn: String?
    public var mapRunIndex: Int?

    public init(executionArn: String, name: String, stateMachineArn: String, stateMachineName: String, roleArn: String,
                stateMachineVersionArn: String? = nil, stateMachineAliasArn: String? = nil) {
        self.executionArn = executionArn
        self.name = name
        self.stateMachineArn = stateMachineArn
        self.stateMachineName = stateMachineName
        self.roleArn = roleArn
        self.stateMachineVersionArn = stateMachineVersionArn
        self.stateMachineAliasArn = stateMachineAliasArn
    }

    /// The region field of the execution ARN (`arn:aws:states:REGION:…`).
    public var region: String {
        let parts = executionArn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 ? String(parts[3]) : ""
    }
}

/// DescribeExecution's status values.
public enum ExecutionStatus: String, Sendable, Hashable, Codable {
    case running = "RUNNING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
    case timedOut = "TIMED_OUT"
    case aborted = "ABORTED"
}

/// A unit of work the host must hand to whoever performs the Resource: an activity worker
/// (GetActivityTask), a queue (sqs:sendMessage), the bus (events:putEvents)…
public struct TaskRequest: Sendable, Hashable, Codable {
    /// Identifies this attempt in SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat and in
    /// the interpreter's inputs. A retry gets a new token.
    public let token: String
    public let resource: TaskResource
    /// The effective input after InputPath and Parameters: what a worker receives.
    public var input: JSONValue { storedInput.wrappedValue }
    private let storedInput: StoredJSON
    public let stateName: String
    public let timeoutSeconds: Double?
    public let heartbeatSeconds: Double?
    public let scheduledAt: Date

    init(token: String, resource: TaskResource, input: JSONValue, stateName: String, timeoutSeconds: Double?,
         heartbeatSeconds: Double?, scheduledAt: Date) {
        self.token = token
        self.resource = resource
        self.storedInput = StoredJSON(wrappedValue: input)
        self.stateName = stateName
        self.timeoutSeconds = timeoutSeconds
        self.heartbeatSeconds = heartbeatSeconds
        self.scheduledAt = scheduledAt
    }
}

/// How an execution ended.
public enum ExecutionOutcome: Sendable, Hashable {
    case succeeded(output: JSONValue)
    case failed(StatesError)
    case timedOut(StatesError)
    case aborted(StatesError)
}

/// What the host must do after an input, in order.
public enum Effect: Sendable, Hashable {
    /// Offer the task to its performer. Its own timeouts are the interpreter's timers.
    case scheduleTask(TaskRequest)
    /// The task no longer matters (timed out, aborted, its branch failed): withdraw it and
    /// treat its token as unknown from now on.
    case cancelTask(token: String)
    /// Call `timerFired(id:)` at `deadline` (and after a restart, as soon as it is past).
    case startTimer(id: String, deadline: Date)
    case cancelTimer(id: String)
    /// The execution reached a final status; nothing more will be scheduled.
    case finished(ExecutionOutcome)
    /// A distributed Map began: start the Map Run's children and report its end with
    /// `mapRunSucceeded` / `mapRunFailed`. Store the request with the step's events.
    case startMapRun(MapRunRequest)
    /// The Map Run no longer matters (its state was aborted): stop its children.
    case abortMapRun(mapRunArn: String)
    /// The execution was redriven while its distributed Map had not exited: the same Map Run
    /// runs again (redrive count `redriveCount`), redriving its unsuccessful children and
    /// starting those that never started; report its end as for `startMapRun`. Store the
    /// run's new status and redrive count with the step's events.
    case redriveMapRun(mapRunArn: String, redriveCount: Int)
}

/// The result of one input: new history events (ids continue the execution's history) and the
/// effects to perform.
public struct Step: Sendable, Hashable {
    public var events: [HistoryEvent] = []
    public var effects: [Effect] = []
    public init() {}
}

/// Why an input was refused; the execution is unchanged. `awsErrorCode` is the wire code.
public enum ExecutionInputError: Error, Sendable, Hashable, CustomStringConvertible {
    case taskDoesNotExist(token: String)
    case executionNotRunning(ExecutionStatus)
    case notRedrivable(String)
    case invalidOutput(String)
    case mapRunDoesNotExist(String)

    public var awsErrorCode: String {
        switch self {
        case .taskDoesNotExist: "TaskDoesNotExist"
        case .executionNotRunning: "ExecutionDoesNotExist"
        case .notRedrivable: "ExecutionNotRedrivable"
        case .invalidOutput: "InvalidOutput"
        case .mapRunDoesNotExist: "ResourceNotFound"
        }
    }

    public var description: String {
        switch self {
        case .taskDoesNotExist: "Task does not exist anymore"
        case .executionNotRunning(let status): "Execution is not running (status \(status.rawValue))"
        case .notRedrivable(let reason): reason
        case .invalidOutput(let reason): reason
        case .mapRunDoesNotExist(let arn): "Map Run is not awaited by this execution: '\(arn)'"
        }
    }
}

/// A timer the host must keep: what firing it means to the interpreter.
struct PendingTimer: Sendable, Hashable, Codable {
    enum Purpose: Sendable, Hashable, Codable {
        case taskTimeout(token: String)
        case heartbeat(token: String)
        case retry
        case wait
        case executionTimeout
    }
    let run: Int
    let purpose: Purpose
    let deadline: Date
}

/// One run of a body: the machine itself (run 0), a Parallel branch or a Map iteration.
struct Run: Sendable, Codable {
    enum Status: String, Sendable, Codable { case running, succeeded, failed, aborted }
    let parent: Int?
    let slot: Int
    var status: Status = .running
    var stateName: String
    @StoredJSON var stateInput: JSONValue
    var enteredTime: Date
    var lastEventId: Int
    /// The id of the current state's `…StateEntered` event (AWS's "entered at the event id
    /// #N" in runtime errors). Optional so that executions stored before it still load.
    var enteredEventId: Int? = nil
    var retryAttempts: [Int] = []
    var phase: Phase = .idle
    @StoredOptionalJSON var output: JSONValue? = nil
    var error: StatesError? = nil
    /// The workflow variables this run sees (an object; nil: none yet). Optional so that
    /// executions stored before variables existed still load.
    var variables: StoredJSON? = nil
    /// Variables a Wait state assigned on entering, reported when it exits.
    var assignedOnExit: StoredJSON? = nil
    /// The Map Run the current (distributed Map) state started, and how often it was redriven:
    /// a redrive of the execution redrives this same run while the state has not exited.
    /// Entering a state clears it. Optional so that executions stored before it still load.
    var mapRun: MapRunMark? = nil

    init(parent: Int?, slot: Int, stateName: String, stateInput: JSONValue, enteredTime: Date, lastEventId: Int) {
        self.parent = parent
        self.slot = slot
        self.stateName = stateName
        self.stateInput = stateInput
        self.enteredTime = enteredTime
        self.lastEventId = lastEventId
    }
}

struct MapRunMark: Sendable, Codable, Hashable {
    var arn: String
    var redriveCount = 0
}

struct TaskPhase: Sendable, Codable, Hashable {
    var token: String
    var timeoutTimer: String?
    var heartbeatTimer: String?
    var heartbeatSeconds: Double?
    var started = false
}

struct FanOutPhase: Sendable, Codable, Hashable {
    /// Child run ids by slot; nil for Map items not started yet.
    var children: [Int?]
    /// Inputs of the Map items (empty for Parallel, whose branches share one input).
    var itemInputs: [StoredJSON]
    @StoredJSON var branchInput: JSONValue
    var results: [StoredOptionalJSON]
    var failures = 0
    var maxConcurrency = 0
    var toleratedCount: Double?
    var toleratedPercentage: Double?
    var nextItem = 0
    var isMap: Bool
}

enum Phase: Sendable, Codable, Hashable {
    case idle
    case task(TaskPhase)
    case retryWait(timer: String)
    case wait(timer: String, output: StoredJSON)
    case fanOut(FanOutPhase)
    /// A distributed Map waiting for its Map Run.
    case mapRun(arn: String)
}
