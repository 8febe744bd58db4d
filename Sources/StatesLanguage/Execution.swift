#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// One execution of a state machine, as a value: deterministic and driven from outside.
///
/// The host feeds it inputs (task outcomes, timer firings, stop, redrive) with the current
/// time; each returns the history events to append and the effects to perform (schedule or
/// cancel tasks and timers, report the end). The interpreter has no clock, no I/O and no
/// randomness of its own — its generator is seeded at start and stored — so storing the
/// value (it is Codable) after every input and reloading it resumes exactly where it was.
public struct Execution: Sendable {
    /// AWS's limits: 256 KiB per payload, 25,000 events per history.
    public static let payloadLimit = 262_144
    public static let historyEventLimit = 25_000

    public let definition: StateMachineDefinition
    public let context: ExecutionContext
    public internal(set) var status: ExecutionStatus = .running
    public internal(set) var input: JSONValue
    public internal(set) var output: JSONValue? = nil
    /// Error and cause of a FAILED, TIMED_OUT or ABORTED execution.
    public internal(set) var failure: StatesError? = nil
    public let startDate: Date
    public internal(set) var stopDate: Date? = nil
    public internal(set) var redriveCount = 0
    public internal(set) var redriveDate: Date? = nil
    public internal(set) var lastEventId = 0
    /// Tasks waiting for an outcome, by token: what the host must offer again after a restart.
    public internal(set) var pendingTasks: [String: TaskRequest] = [:]

    var runs: [Run] = []
    var timers: [String: PendingTimer] = [:]
    var taskRuns: [String: Int] = [:]
    var timerSequence = 0
    var random: SplitMix64

    // Per-input scratch, never stored.
    var now: Date
    var step = Step()
    var agenda: [Work] = []

    enum Work: Sendable {
        case enter(run: Int, state: String, input: JSONValue)
        case execute(run: Int)
    }

    /// Whether a worker already took the task (its `…Started` event is written). After a restart
    /// the host offers again only tasks nobody took; a taken task's own timers decide its fate.
    public func isTaskStarted(token: String) -> Bool {
        guard let run = taskRuns[token], case .task(let phase) = runs[run].phase else { return false }
        return phase.started
    }

    /// DescribeExecution's `redriveStatus`: whether RedriveExecution would be accepted now.
    public var redriveStatus: String {
        switch status {
        case .failed, .timedOut, .aborted: "REDRIVABLE"
        default: "NOT_REDRIVABLE"
        }
    }

    /// Timers the host must keep, by id, with their deadlines (re-arm them after a restart).
    public var pendingTimers: [String: Date] { timers.mapValues(\.deadline) }

    /// The states currently active, innermost included: what the console shows as "where it is".
    public var activeStates: [String] {
        runs.filter { $0.status == .running }.map(\.stateName)
    }

    // MARK: Inputs

    /// Starts an execution: ExecutionStarted, then every state that can run without waiting.
    /// `seed` feeds the stored generator behind task tokens, jitter, MathRandom and UUID.
    public static func start(definition: StateMachineDefinition, context: ExecutionContext, input: JSONValue,
                             at now: Date, seed: UInt64) -> (Execution, Step) {
        var execution = Execution(definition: definition, context: context, input: input, now: now, seed: seed)
        var details = JSONObject()
        details["input"] = .string(input.serialized)
        details["inputDetails"] = ["truncated": false]
        details["roleArn"] = .string(context.roleArn)
        if let version = context.stateMachineVersionArn { details["stateMachineVersionArn"] = .string(version) }
        if let alias = context.stateMachineAliasArn { details["stateMachineAliasArn"] = .string(alias) }
        execution.emit("ExecutionStarted", details, run: nil)
        execution.runs.append(Run(parent: nil, slot: 0, stateName: definition.body.startAt, stateInput: input,
                                  enteredTime: now, lastEventId: execution.lastEventId))
        if let timeout = definition.timeoutSeconds {
            execution.startTimer(run: 0, purpose: .executionTimeout, seconds: timeout)
        }
        execution.agenda.append(.enter(run: 0, state: definition.body.startAt, input: input))
        execution.drain()
        let step = execution.takeStep()
        return (execution, step)
    }

    init(definition: StateMachineDefinition, context: ExecutionContext, input: JSONValue, now: Date, seed: UInt64) {
        self.definition = definition
        self.context = context
        self.input = input
        self.startDate = now
        self.now = now
        self.random = SplitMix64(seed: seed)
    }

    /// A worker took the task (GetActivityTask) or the host began the call: the `…Started` event.
    public mutating func taskStarted(token: String, workerName: String? = nil, at now: Date) throws(ExecutionInputError) -> Step {
        let run = try beginTaskInput(token, at: now)
        guard case .task(var phase) = runs[run].phase, !phase.started else { return takeStep() }
        phase.started = true
        let request = pendingTasks[token]!
        switch request.resource.kind {
        case .activity:
            var details = JSONObject()
            if let workerName { details["workerName"] = .string(workerName) }
            emit("ActivityStarted", details, run: run)
        case .lambdaFunction:
            emit("LambdaFunctionStarted", nil, run: run)
        default:
            emit("TaskStarted", resourceDetails(request.resource), run: run)
        }
        restartHeartbeat(&phase, run: run)
        runs[run].phase = .task(phase)
        return takeStep()
    }

    /// A `.waitForTaskToken` or `.sync` call was accepted: the TaskSubmitted event with the
    /// call's response; the task now waits for its token or job.
    public mutating func taskSubmitted(token: String, output: JSONValue, at now: Date) throws(ExecutionInputError) -> Step {
        let run = try beginTaskInput(token, at: now)
        var details = resourceDetails(pendingTasks[token]!.resource)
        details["output"] = .string(output.serialized)
        details["outputDetails"] = ["truncated": false]
        emit("TaskSubmitted", details, run: run)
        return takeStep()
    }

    /// SendTaskSuccess, or the call's result: the task's result goes through ResultSelector,
    /// ResultPath and OutputPath, and the execution moves on.
    public mutating func taskSucceeded(token: String, output: JSONValue, at now: Date) throws(ExecutionInputError) -> Step {
        let run = try beginTaskInput(token, at: now)
        let request = endTask(token, run: run)
        let text = output.serialized
        var details: JSONObject = request.resource.resourceType == nil ? [:] : resourceDetails(request.resource)
        details["output"] = .string(text)
        details["outputDetails"] = ["truncated": false]
        emit(eventPrefix(request.resource) + "Succeeded", details, run: run)
        if text.utf8.count > Self.payloadLimit {
            fail(run: run, StatesError(StatesErrorName.dataLimitExceeded,
                                       "The state/task '\(request.stateName)' returned a result with a size exceeding the maximum number of bytes service limit.",
                                       fromTask: true))
        } else {
            complete(run: run, result: output)
        }
        drain()
        return takeStep()
    }

    /// SendTaskFailure, or the call's error: Retry and Catch decide what follows.
    public mutating func taskFailed(token: String, error: String?, cause: String?, at now: Date) throws(ExecutionInputError) -> Step {
        let run = try beginTaskInput(token, at: now)
        let request = endTask(token, run: run)
        var details: JSONObject = request.resource.resourceType == nil ? [:] : resourceDetails(request.resource)
        if let error { details["error"] = .string(error) }
        if let cause { details["cause"] = .string(cause) }
        emit(eventPrefix(request.resource) + "Failed", details, run: run)
        fail(run: run, StatesError(error ?? StatesErrorName.taskFailed, cause, fromTask: true))
        drain()
        return takeStep()
    }

    /// SendTaskHeartbeat: the heartbeat timer starts over. No history event, as in AWS.
    public mutating func taskHeartbeat(token: String, at now: Date) throws(ExecutionInputError) -> Step {
        let run = try beginTaskInput(token, at: now)
        if case .task(var phase) = runs[run].phase {
            restartHeartbeat(&phase, run: run)
            runs[run].phase = .task(phase)
        }
        return takeStep()
    }

    /// A timer's deadline passed. Unknown or stale ids are ignored, so a host may fire a timer
    /// twice (say, around a crash) without harm.
    public mutating func timerFired(id: String, at now: Date) -> Step {
        self.now = now
        guard status == .running, let timer = timers.removeValue(forKey: id) else { return takeStep() }
        let run = timer.run
        switch timer.purpose {
        case .executionTimeout:
            abortAll()
            let error = StatesError(StatesErrorName.timeout, "The execution timed out after \(JSONValue.format(number: definition.timeoutSeconds ?? 0)) seconds")
            var details = JSONObject()
            details["error"] = .string(error.error)
            details["cause"] = error.cause.map(JSONValue.string)
            emit("ExecutionTimedOut", details, run: nil)
            finish(.timedOut, failure: error, outcome: .timedOut(error))
        case .taskTimeout(let token), .heartbeat(let token):
            guard taskRuns[token] == run else { break }
            let request = endTask(token, run: run, firedTimer: id)
            step.effects.append(.cancelTask(token: token))
            let name: String
            if case .heartbeat = timer.purpose { name = StatesErrorName.heartbeatTimeout } else { name = StatesErrorName.timeout }
            var details: JSONObject = request.resource.resourceType == nil ? [:] : resourceDetails(request.resource)
            details["error"] = .string(name)
            emit(eventPrefix(request.resource) + "TimedOut", details, run: run)
            fail(run: run, StatesError(name, nil, fromTask: true))
        case .retry:
            if case .retryWait(let timerId) = runs[run].phase, timerId == id {
                runs[run].phase = .idle
                agenda.append(.execute(run: run))
            }
        case .wait:
            if case .wait(let timerId, let output) = runs[run].phase, timerId == id {
                runs[run].phase = .idle
                let assigned = runs[run].assignedOnExit?.wrappedValue.objectValue
                runs[run].assignedOnExit = nil
                exit(run: run, output: output.wrappedValue, assigned: assigned)
            }
        }
        drain()
        return takeStep()
    }

    /// StopExecution: everything pending is withdrawn and the execution is ABORTED.
    public mutating func stop(error: String?, cause: String?, at now: Date) throws(ExecutionInputError) -> Step {
        self.now = now
        guard status == .running else { throw .executionNotRunning(status) }
        abortAll()
        var details = JSONObject()
        if let error { details["error"] = .string(error) }
        if let cause { details["cause"] = .string(cause) }
        emit("ExecutionAborted", details, run: nil)
        let failure = StatesError(error ?? "", cause)
        finish(.aborted, failure: failure, outcome: .aborted(failure))
        return takeStep()
    }

    /// RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution continues from where it
    /// stopped. States that succeeded are not run again; inside a Parallel or Map only the
    /// branches and iterations that did not succeed run again.
    public mutating func redrive(at now: Date) throws(ExecutionInputError) -> Step {
        self.now = now
        guard status == .failed || status == .timedOut || status == .aborted else {
            throw .notRedrivable("Execution with status \(status.rawValue) cannot be redriven")
        }
        redriveCount += 1
        redriveDate = now
        status = .running
        failure = nil
        stopDate = nil
        emit("ExecutionRedriven", ["redriveCount": .number(Double(redriveCount))], run: nil)
        if let timeout = definition.timeoutSeconds {
            startTimer(run: 0, purpose: .executionTimeout, seconds: timeout)
        }
        resume(run: 0)
        drain()
        return takeStep()
    }

    // MARK: Input plumbing

    mutating func beginTaskInput(_ token: String, at now: Date) throws(ExecutionInputError) -> Int {
        self.now = now
        guard status == .running else { throw .executionNotRunning(status) }
        guard let run = taskRuns[token], case .task(let phase) = runs[run].phase, phase.token == token else {
            throw .taskDoesNotExist(token: token)
        }
        return run
    }

    /// Forgets the task's token and its timers (except one that just fired).
    mutating func endTask(_ token: String, run: Int, firedTimer: String? = nil) -> TaskRequest {
        if case .task(let phase) = runs[run].phase {
            for id in [phase.timeoutTimer, phase.heartbeatTimer].compactMap({ $0 }) where id != firedTimer {
                cancelTimer(id)
            }
        }
        runs[run].phase = .idle
        taskRuns[token] = nil
        return pendingTasks.removeValue(forKey: token)!
    }

    mutating func restartHeartbeat(_ phase: inout TaskPhase, run: Int) {
        guard let seconds = phase.heartbeatSeconds else { return }
        if let old = phase.heartbeatTimer { cancelTimer(old) }
        phase.heartbeatTimer = startTimer(run: run, purpose: .heartbeat(token: phase.token), seconds: seconds)
    }

    mutating func takeStep() -> Step {
        defer { step = Step() }
        return step
    }

    // MARK: Events, timers

    @discardableResult
    mutating func emit(_ type: String, _ details: JSONObject?, run: Int?) -> Int {
        lastEventId += 1
        let previous: Int
        if let run {
            previous = runs[run].lastEventId
            runs[run].lastEventId = lastEventId
        } else {
            previous = lastEventId - 1
        }
        step.events.append(HistoryEvent(id: lastEventId, previousEventId: previous, timestamp: now, type: type, details: details))
        return lastEventId
    }

    @discardableResult
    mutating func startTimer(run: Int, purpose: PendingTimer.Purpose, seconds: Double) -> String {
        timerSequence += 1
        let id = "t\(timerSequence)"
        let deadline = now.addingTimeInterval(seconds)
        timers[id] = PendingTimer(run: run, purpose: purpose, deadline: deadline)
        step.effects.append(.startTimer(id: id, deadline: deadline))
        return id
    }

    mutating func cancelTimer(_ id: String) {
        if timers.removeValue(forKey: id) != nil { step.effects.append(.cancelTimer(id: id)) }
    }

    func eventPrefix(_ resource: TaskResource) -> String {
        switch resource.kind {
        case .activity: "Activity"
        case .lambdaFunction: "LambdaFunction"
        default: "Task"
        }
    }

    func resourceDetails(_ resource: TaskResource) -> JSONObject {
        var details = JSONObject()
        details["resourceType"] = .string(resource.resourceType ?? "")
        details["resource"] = .string(resource.resourceName)
        return details
    }

    mutating func newToken() -> String {
        var bytes: [UInt8] = []
        for _ in 0..<4 {
            let word = random.next()
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Digest.hex(bytes)
    }

    // MARK: Ending

    mutating func finish(_ final: ExecutionStatus, failure: StatesError?, outcome: ExecutionOutcome) {
        status = final
        self.failure = failure
        stopDate = now
        agenda.removeAll()
        for id in timers.keys.sorted() { cancelTimer(id) }
        step.effects.append(.finished(outcome))
    }

    /// Withdraws every task and timer of every running run (stop, execution timeout).
    mutating func abortAll() {
        for index in runs.indices where runs[index].status == .running {
            abort(run: index, emitEvents: false)
        }
    }

    /// Stops one run: its task and timers are withdrawn, its children aborted.
    mutating func abort(run: Int, emitEvents: Bool) {
        guard runs[run].status == .running else { return }
        runs[run].status = .aborted
        switch runs[run].phase {
        case .task(let phase):
            for id in [phase.timeoutTimer, phase.heartbeatTimer].compactMap({ $0 }) { cancelTimer(id) }
            taskRuns[phase.token] = nil
            pendingTasks[phase.token] = nil
            step.effects.append(.cancelTask(token: phase.token))
        case .retryWait(let timer), .wait(let timer, _):
            cancelTimer(timer)
        case .fanOut(let fan):
            for child in fan.children.compactMap({ $0 }) where runs[child].status == .running {
                abort(run: child, emitEvents: emitEvents)
                if emitEvents, fan.isMap {
                    emit("MapIterationAborted", ["name": .string(runs[run].stateName), "index": .number(Double(runs[child].slot))], run: child)
                }
            }
        case .mapRun(let arn):
            emit("MapRunAborted", nil, run: run)
            step.effects.append(.abortMapRun(mapRunArn: arn))
        case .idle:
            break
        }
        if runs[run].phase.isWaitingLeaf { runs[run].phase = .idle }
    }
}

extension Phase {
    /// A phase whose only meaning is the task or timer just withdrawn.
    var isWaitingLeaf: Bool {
        switch self {
        case .task, .retryWait, .wait, .mapRun: true
        default: false
        }
    }
}
