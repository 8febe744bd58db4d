import CoreMetrics
import Foundation
import Timekeeping
import GRDB
import JSON
import StackProtocol
import StatesLanguage
import Wire

/// The one owner of running executions: it feeds them their inputs (task outcomes, timers,
/// stop, redrive), stores each new state with its history events in one transaction, and only
/// then performs the effects (offer tasks, arm timers, send to queues) and answers the caller.
///
/// Concurrency: inputs to one execution are applied one after the other on this actor; the
/// writes they cause may commit in any order, so each carries a version and the store keeps
/// only the newest state (history events are immutable by id, tokens by value).
actor SagaEngine {
    struct Running {
        var execution: Execution
        var version: Int
        var tokens: [String] = []
    }

    let store: StackStore
    let naming: SagaNaming
    let board: ActivityBoard
    /// Execution and history times are its wall clock; Wait-state timers sleep on it.
    let clock: any TimeSource
    /// Where queue operations go (`sqs:sendMessage` tasks); nil without a queue service.
    let queues: (any StackService)?
    /// Where `events:putEvents` tasks go, bound once the bus exists (it delivers to us too).
    let bus: ServiceLink?
    /// The live stream: committed history events and status changes go to `executions`.
    let hub: StreamHub?
    private(set) var endpoint = "http://127.0.0.1"

    private var running: [String: Running] = [:]
    private var tokenOwner: [String: String] = [:]
    private var timers: [String: Task<Void, Never>] = [:]
    private var loaded = false
    private var loading: Task<Void, Never>?
    /// Running Map Runs, by ARN, and the parsed definitions their children run.
    var mapRuns: [String: MapRunProgress] = [:]
    var childDefinitions: [String: StateMachineDefinition] = [:]
    /// Map Runs whose `pump` loop is running (it sees what changes while it waits).
    var pumping: Set<String> = []
    /// `signalbox_sfn_history_events_total`: history events committed.
    let historyEvents: CoreMetrics.Counter

    init(store: StackStore, naming: SagaNaming, queues: (any StackService)?, bus: ServiceLink? = nil, hub: StreamHub? = nil,
         historyEvents: CoreMetrics.Counter, clock: any TimeSource) {
        self.store = store
        self.historyEvents = historyEvents
        self.naming = naming
        self.queues = queues
        self.bus = bus
        self.hub = hub
        self.clock = clock
        self.board = ActivityBoard(clock: clock)
    }

    nonisolated func now() -> Date { clock.wallClockNow.date }

    func noteEndpoint(_ endpoint: String) { self.endpoint = endpoint }

    // MARK: Recovery

    /// Loads every RUNNING execution once: offers again the tasks no worker took and re-arms
    /// every timer at its original deadline (those already past fire at once).
    func ensureLoaded() async {
        if loaded { return }
        if let loading { await loading.value; return }
        let task = Task { await self.loadRunning() }
        loading = task
        await task.value
    }

    private func loadRunning() async {
        let rows: [(String, Int, String)]
        do {
            rows = try await store.read { db in
                try Row.fetchAll(db, sql: "SELECT arn, version, state FROM sfn_execution WHERE status = 'RUNNING'")
                    .map { row -> (String, Int, String) in (row["arn"], row["version"], row["state"]) }
            }
        } catch {
            rows = []
        }
        for (arn, version, text) in rows {
            guard let execution = try? JSONDecoder().decode(Execution.self, from: Data(text.utf8)) else { continue }
            var entry = Running(execution: execution, version: version)
            entry.tokens = Array(execution.pendingTasks.keys)
            for token in entry.tokens { tokenOwner[token] = arn }
            running[arn] = entry
            for request in execution.pendingTasks.values.sorted(by: { $0.scheduledAt < $1.scheduledAt })
            where !execution.isTaskStarted(token: request.token) {
                await dispatch(request, arn: arn)
            }
            for (id, deadline) in execution.pendingTimers { arm(arn: arn, id: id, deadline: deadline) }
        }
        loaded = true
        // After `loaded`: following Map Runs again feeds executions their inputs.
        await recoverMapRuns()
    }

    // MARK: Reading

    /// The newest state of an execution: the running one here, else the stored one.
    func execution(_ arn: String) async throws(AWSError) -> Execution? {
        await ensureLoaded()
        if let entry = running[arn] { return entry.execution }
        let text = try await store.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM sfn_execution WHERE arn = ?", arguments: [arn])
        }
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(Execution.self, from: Data(text.utf8))
        } catch {
            throw AWSError.internalFailure("stored execution \(arn) cannot be read: \(error)")
        }
    }

    // MARK: Starting

    enum StartResult: Sendable { case started(Date), existing(Date) }

    /// `inputText` is the input as the caller sent it, kept byte for byte for DescribeExecution;
    /// a second start with the same name is the same execution when the input is the same JSON.
    func start(definition: StateMachineDefinition, context: ExecutionContext, input: JSONValue,
               inputText: String? = nil, mapAttempt: Int = 0) async throws(AWSError) -> Date {
        await ensureLoaded()
        let arn = context.executionArn
        if let entry = running[arn] {
            if entry.execution.input == input { return entry.execution.startDate }
            throw SagaError.executionExists(arn)
        }
        let (execution, step) = Execution.start(definition: definition, context: context, input: input, at: now(),
                                                 seed: UInt64.random(in: .min ... .max))
        let state = try encode(execution)
        let frames = streamFrames(execution, step: step, previousStatus: nil)
        let hub = self.hub
        let result = try await store.write { db throws -> StartResult in
            if let row = try Row.fetchOne(db, sql: "SELECT status, input, started_at FROM sfn_execution WHERE arn = ?", arguments: [arn]) {
                let status: String = row["status"], storedInput: String = row["input"], at: Int64 = row["started_at"]
                if status == "RUNNING", (try? JSONValue(parsing: storedInput)) == input { return .existing(Date(millis: at)) }
                throw SagaError.executionExists(arn)
            }
            try Self.insertStarted(db, execution: execution, state: state, step: step, inputText: inputText, mapAttempt: mapAttempt)
            Self.publishOnCommit(db, frames, hub: hub)
            return .started(execution.startDate)
        }
        switch result {
        case .existing(let date): return date
        case .started(let date):
            await started(execution, step: step)
            return date
        }
    }

    /// Writes a just-started execution: its row, first history events and tokens. Used by
    /// StartExecution and by bus rules targeting a state machine (inside PutEvents' transaction).
    /// The version and alias the context names are kept in columns too, for ListExecutions;
    /// a Map Run's child records which of the run's redrives started it (`mapAttempt`).
    static func insertStarted(_ db: Database, execution: Execution, state: String, step: Step, inputText: String? = nil,
                              mapAttempt: Int = 0) throws {
        let context = execution.context
        try db.execute(sql: """
            INSERT INTO sfn_execution (arn, machine_arn, name, status, input, started_at, stopped_at, version, state, version_arn, alias_arn,
                                       map_run_arn, map_index, map_attempt)
            VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
            """, arguments: [context.executionArn, context.stateMachineArn, context.name, execution.status.rawValue,
                             inputText ?? execution.input.serialized, execution.startDate.millis, execution.stopDate?.millis, state,
                             context.stateMachineVersionArn, context.stateMachineAliasArn, context.mapRunArn, context.mapRunIndex,
                             mapAttempt])
        try append(db, arn: context.executionArn, events: step.events, tokens: step.scheduledTokens)
        try writeMapRuns(db, step: step)
    }

    /// Takes a committed new execution into the running set and performs its first effects.
    private func started(_ execution: Execution, step: Step) async {
        let arn = execution.context.executionArn
        let tokens = step.scheduledTokens
        historyEvents.increment(by: step.events.count)
        if execution.status == .running {
            running[arn] = Running(execution: execution, version: 1, tokens: tokens)
            for token in tokens { tokenOwner[token] = arn }
        }
        await perform(step, context: execution.context)
    }

    /// An execution a bus rule started inside PutEvents' transaction, handed over once that
    /// committed. Recovery may have loaded it already (then there is nothing to do); if the
    /// enclosing write was rolled back after all, the row is not there and it is dropped.
    func adopt(_ execution: Execution, step: Step) async {
        await ensureLoaded()
        let arn = execution.context.executionArn
        guard running[arn] == nil else { return }
        let stored = try? await store.read { db in
            try Int.fetchOne(db, sql: "SELECT version FROM sfn_execution WHERE arn = ?", arguments: [arn])
        }
        guard stored == 1, running[arn] == nil else { return }
        await started(execution, step: step)
    }

    // MARK: Inputs

    /// Applies one input to a running execution, stores the result, then performs its effects.
    func apply(_ arn: String, durability: WriteDurability = .synced,
               _ input: @Sendable (inout Execution) throws(ExecutionInputError) -> Step) async throws(AWSError) {
        await ensureLoaded()
        guard var entry = running[arn] else { throw SagaError.executionMissing(arn) }
        let step: Step
        do {
            step = try input(&entry.execution)
        } catch {
            throw Self.wire(error)
        }
        try await commit(arn: arn, entry: &entry, step: step, previousStatus: .running, durability: durability)
    }

    /// `mapAttempt`: a Map Run child redriven with its run records the run's redrive count,
    /// in the same write as its ExecutionRedriven event.
    private func commit(arn: String, entry: inout Running, step: Step, previousStatus: ExecutionStatus,
                        durability: WriteDurability = .synced, mapAttempt: Int? = nil) async throws(AWSError) {
        entry.version += 1
        let tokens = step.scheduledTokens
        entry.tokens += tokens
        for token in tokens { tokenOwner[token] = arn }
        let execution = entry.execution
        if execution.status == .running {
            running[arn] = entry
        } else {
            running[arn] = nil
            for token in entry.tokens { tokenOwner[token] = nil }
        }
        let state = try encode(execution)
        let version = entry.version
        let frames = streamFrames(execution, step: step, previousStatus: previousStatus)
        let hub = self.hub
        try await store.write(durability: durability) { db in
            try db.execute(sql: """
                UPDATE sfn_execution SET status = ?, stopped_at = ?, version = ?, state = ?, map_attempt = COALESCE(?, map_attempt),
                                         redrive_count = ?, redrive_date = ?
                WHERE arn = ? AND version < ?
                """, arguments: [execution.status.rawValue, execution.stopDate?.millis, version, state, mapAttempt,
                                 execution.redriveCount, execution.redriveDate?.millis, arn, version])
            try Self.append(db, arn: arn, events: step.events, tokens: tokens)
            try Self.writeMapRuns(db, step: step)
            Self.publishOnCommit(db, frames, hub: hub)
        }
        historyEvents.increment(by: step.events.count)
        await perform(step, context: execution.context)
    }

    /// SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat and the engine's own task outcomes:
    /// finds the execution holding `token`. A token this stack never issued is
    /// TaskDoesNotExist; one whose task already ended (completed, timed out, aborted) TaskTimedOut.
    func task(token: String, _ input: @escaping @Sendable (inout Execution) throws(ExecutionInputError) -> Step) async throws(AWSError) {
        await ensureLoaded()
        var owner = tokenOwner[token]
        if owner == nil {
            let known = try await store.read { db in
                try String.fetchOne(db, sql: "SELECT execution_arn FROM sfn_token WHERE token = ?", arguments: [token])
            }
            guard known != nil else { throw SagaError.taskMissing() }
            owner = tokenOwner[token]
            if owner == nil { throw SagaError.taskTimedOut() }
        }
        do {
            try await apply(owner!, input)
        } catch let error where error.code == "TaskDoesNotExist" || error.code == "ExecutionDoesNotExist" {
            throw SagaError.taskTimedOut()
        }
    }

    /// RedriveExecution: a closed execution comes back to the running set. `mapAttempt`: a
    /// Map Run redrives its child (the run's redrive count).
    func redrive(_ arn: String, mapAttempt: Int? = nil) async throws(AWSError) -> Date {
        await ensureLoaded()
        if running[arn] != nil { throw SagaError.notRedrivable("Execution with status RUNNING cannot be redriven") }
        let row = try await store.read { db in
            try Row.fetchOne(db, sql: "SELECT version, state FROM sfn_execution WHERE arn = ?", arguments: [arn])
                .map { (version: $0["version"] as Int, state: $0["state"] as String) }
        }
        guard let row else { throw SagaError.executionMissing(arn) }
        if running[arn] != nil { throw SagaError.notRedrivable("Execution with status RUNNING cannot be redriven") }
        guard var execution = try? JSONDecoder().decode(Execution.self, from: Data(row.state.utf8)) else {
            throw AWSError.internalFailure("stored execution \(arn) cannot be read")
        }
        let previousStatus = execution.status
        let step: Step
        do {
            step = try execution.redrive(at: now())
        } catch {
            throw Self.wire(error)
        }
        var entry = Running(execution: execution, version: row.version)
        try await commit(arn: arn, entry: &entry, step: step, previousStatus: previousStatus, mapAttempt: mapAttempt)
        return execution.redriveDate ?? now()
    }

    // MARK: Effects

    private func perform(_ step: Step, context: ExecutionContext) async {
        let arn = context.executionArn
        for effect in step.effects {
            switch effect {
            case .scheduleTask(let request):
                await dispatch(request, arn: arn)
            case .cancelTask:
                break // an offer whose token ended is skipped when taken
            case .startTimer(let id, let deadline):
                arm(arn: arn, id: id, deadline: deadline)
            case .cancelTimer(let id):
                timers.removeValue(forKey: Self.timerKey(arn, id))?.cancel()
            case .finished(let outcome):
                if let mapRunArn = context.mapRunArn, let index = context.mapRunIndex {
                    await childFinished(mapRunArn: mapRunArn, index: index, status: outcome.status)
                }
            case .startMapRun(let request):
                await beginMapRun(request)
            case .abortMapRun(let mapRunArn):
                await abortMapRun(mapRunArn)
            case .redriveMapRun(let mapRunArn, _):
                await redriveMapRun(mapRunArn)
            }
        }
    }

    private func arm(arn: String, id: String, deadline: Date) {
        let key = Self.timerKey(arn, id)
        timers[key]?.cancel()
        let delay = max(0, deadline.timeIntervalSince(now()))
        timers[key] = Task { [weak self, clock] in
            if delay > 0 {
                do { try await clock.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)))) } catch { return }
            }
            await self?.fire(arn: arn, id: id, key: key)
        }
    }

    private func fire(arn: String, id: String, key: String) async {
        timers[key] = nil
        guard running[arn] != nil else { return }
        let at = now()
        try? await apply(arn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in execution.timerFired(id: id, at: at) }
    }

    private func dispatch(_ request: TaskRequest, arn: String) async {
        switch request.resource.kind {
        case .activity(let name), .lambdaFunction(let name):
            let activity = name.split(separator: ":").last.map(String.init) ?? name
            await board.offer(ActivityOffer(token: request.token, executionArn: arn, input: request.input.serialized),
                              activity: activity)
        case .service(let service, let action):
            let token = request.token
            Task { await self.callService(service: service, action: action, request: request, token: token, arn: arn) }
        case .other:
            let token = request.token, at = now()
            Task {
                try? await self.apply(arn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in
                    try execution.taskFailed(token: token, error: StatesErrorName.runtime,
                                             cause: "The resource '\(request.resource.arn)' is not supported by the local stack.", at: at)
                }
            }
        }
    }

    /// Performs a service integration — `sqs:sendMessage` into the local queue, `events:putEvents`
    /// onto the local bus, either as request-response or with a task token — and feeds its
    /// outcome back: the call has committed before the task succeeds. Errors become task
    /// failures named as AWS names them (`SQS.QueueDoesNotExist`, `EventBridge.FailedEntry`).
    private func callService(service: String, action: String, request: TaskRequest, token: String, arn: String) async {
        let at = now()
        do {
            try await apply(arn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in try execution.taskStarted(token: token, at: at) }
        } catch {
            return
        }
        let context = ServiceContext(requestId: RandomIdentifier.uuid(), accountId: naming.accountId, region: naming.region,
                                     endpoint: endpoint)
        let integration = ServiceIntegration(service: service, action: action)
        let outcome: Result<JSONValue, AWSError>
        switch integration.target {
        case .queue:
            outcome = await ServiceIntegration.sendMessage(queues, request.input, context,
                                                           sender: MessageExecution(executionArn: arn, stateName: request.stateName))
        case .bus:
            let machineArn = running[arn]?.execution.context.stateMachineArn
            outcome = await ServiceIntegration.call(bus?.service, "PutEvents",
                                                    ServiceIntegration.putEventsInput(request.input, executionArn: arn, machineArn: machineArn),
                                                    context).flatMap(ServiceIntegration.checkPutEvents)
        case nil:
            outcome = .failure(AWSError(code: StatesErrorName.runtime,
                                        message: "The service integration arn:aws:states:::\(service):\(action) is not supported by the local stack."))
        }
        let done = now()
        switch outcome {
        case .success(let output):
            let waits = request.resource.pattern == .waitForTaskToken
            try? await apply(arn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in
                if waits { return try execution.taskSubmitted(token: token, output: output, at: done) }
                return try execution.taskSucceeded(token: token, output: output, at: done)
            }
        case .failure(let error):
            let name = integration.errorName(error)
            try? await apply(arn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in
                try execution.taskFailed(token: token, error: name, cause: error.message, at: done)
            }
        }
    }

    // MARK: Activities

    /// GetActivityTask: the next offer for `activity` whose task is still pending, marked started.
    func takeTask(activity: String, workerName: String?, until deadline: MonotonicInstant) async -> ActivityOffer? {
        await ensureLoaded()
        while let offer = await board.take(activity: activity, until: deadline) {
            let at = now(), token = offer.token
            do {
                // Handing a task out, if lost to a power loss, only means it is offered again
                // (workers must be idempotent, as with AWS): the fsync can wait for the outcome.
                try await apply(offer.executionArn, durability: .committed) { (execution: inout Execution) throws(ExecutionInputError) -> Step in
                    try execution.taskStarted(token: token, workerName: workerName, at: at)
                }
                return offer
            } catch {
                continue
            }
        }
        return nil
    }

    // MARK: Storage helpers

    private func encode(_ execution: Execution) throws(AWSError) -> String {
        try Self.encodeState(execution)
    }

    /// An execution's storage form (the `state` column).
    static func encodeState(_ execution: Execution) throws(AWSError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(execution), as: UTF8.self)
        } catch {
            throw AWSError.internalFailure("execution cannot be stored: \(error)")
        }
    }

    private static func append(_ db: Database, arn: String, events: [HistoryEvent], tokens: [String]) throws {
        let insertEvent = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO sfn_history (execution_arn, id, previous_id, timestamp, type, details) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for event in events {
            try insertEvent.execute(arguments: [arn, event.id, event.previousEventId, event.timestamp.timeIntervalSince1970,
                                                event.type, event.details.map { JSONValue.object($0).serialized }])
        }
        if !tokens.isEmpty {
            let insertToken = try db.cachedStatement(sql: "INSERT OR IGNORE INTO sfn_token (token, execution_arn) VALUES (?, ?)")
            for token in tokens { try insertToken.execute(arguments: [token, arn]) }
        }
    }

    /// The stream frames of a step about to be committed; none when nobody watches `executions`.
    private func streamFrames(_ execution: Execution, step: Step, previousStatus: ExecutionStatus?) -> [StreamMessage] {
        guard let hub, hub.hasSubscribers(.executions) else { return [] }
        return ExecutionFrames.messages(for: execution, events: step.events, previousStatus: previousStatus)
    }

    /// Publishes `frames` right after the transaction holding them commits, on the writer's
    /// queue: viewers see history events exactly in commit order, and never one that was not
    /// committed. Publishing never waits (slow viewers lose frames, see StreamHub).
    static func publishOnCommit(_ db: Database, _ messages: [StreamMessage], hub: StreamHub?) {
        guard let hub, !messages.isEmpty else { return }
        db.afterNextTransaction(onCommit: { _ in
            for message in messages {
                hub.publish(message, subject: message.data)
            }
        })
    }

    private static func timerKey(_ arn: String, _ id: String) -> String { arn + "\u{0}" + id }

    static func wire(_ error: ExecutionInputError) -> AWSError {
        switch error {
        case .taskDoesNotExist: SagaError.taskMissing()
        case .executionNotRunning: SagaError.make("ExecutionDoesNotExist", error.description)
        case .notRedrivable(let reason): SagaError.notRedrivable(reason)
        case .invalidOutput(let reason): SagaError.invalidOutput(reason)
        case .mapRunDoesNotExist(let arn): SagaError.mapRunMissing(arn)
        }
    }

    var runningCount: Int { running.count }

    /// The running executions, by ARN (Map Run recovery looks for the parents that wait).
    var runningExecutions: [(String, Execution)] { running.map { ($0.key, $0.value.execution) } }
}

extension Step {
    var scheduledTokens: [String] {
        effects.compactMap { if case .scheduleTask(let request) = $0 { request.token } else { nil } }
    }
}

extension Date {
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
    /// AWS JSON timestamps: epoch seconds.
    var epochSeconds: JSONValue { .number((timeIntervalSince1970 * 1000).rounded() / 1000) }
}
