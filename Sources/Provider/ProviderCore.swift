import Foundation
import JSON
import StackProtocol
import Timekeeping

/// Everything the stack provider decides, as one value: what the system looks like
/// (`LiveState`), how the connection is doing (`ConnectionTracker`), when to poll what
/// (`PollSchedule`), when to publish (`PublishGate`) and when to reopen the live stream. It
/// takes inputs with the moment they happened and returns effects; it reads no clock, starts no
/// task and does no I/O. `StackProvider` runs the effects and feeds their outcomes back.
struct ProviderCore: Sendable {
    /// The timers the core asks for; each fires as `Input.timer`.
    enum Timer: Sendable, Hashable {
        /// The poll tick (numbered: only the newest counts).
        case poll(Int)
        /// A coalesced snapshot is due.
        case publish
        /// Reopen the live stream after its backoff.
        case streamRetry
        /// Re-read the executions live-stream frames said changed.
        case refreshExecutions
        /// Re-read the breaker board after a frame it cannot apply.
        case refreshBoard
    }

    /// An execution to re-read: its arn, machine name and the last history event held.
    struct ExecutionRefresh: Sendable, Hashable {
        var arn: String
        var machine: String
        var after: Int?
    }

    enum Effect: Sendable {
        /// Hand this snapshot to every subscriber.
        case publish(SystemSnapshot)
        case startTimer(Timer, after: Duration)
        case poll(PollRequest)
        /// Fetch these executions' histories (after the event id given); answer `historiesFetched`.
        case fetchHistories([(arn: String, after: Int?)])
        /// DescribeExecution and new history for each; answer `executionsRefreshed`.
        case refreshExecutions([ExecutionRefresh])
        /// Read the breaker board; answer `boardRefreshed`.
        case refreshBoard
        /// Read these executions' Map Runs (DescribeMapRun and the first page of children);
        /// answer `mapRunsFetched`.
        case fetchMapRuns([(execution: String, mapRuns: [String])])
        /// Follow the live stream with `streamSubscriptions` (ending the one followed so far);
        /// its frames come as `frame`, its end as `streamEnded`.
        case openStream
    }

    enum Input: Sendable {
        case timer(Timer)
        case polled(PollResults)
        /// Histories fetched for the round in flight, with each execution's status when asked.
        case historiesFetched(Result<[(String, [JSONValue])], APIFailure>, statuses: [String: Execution.Status])
        case executionsRefreshed([(Execution, [JSONValue])])
        case boardRefreshed(Result<BreakerBoardListing?, APIFailure>)
        case mapRunsFetched([(execution: String, mapRuns: [MapRun])])
        case frame(StreamFrame)
        /// The frames the stream delivered since the last batch, in order: one input (one
        /// reading of the clock, one snapshot asked for) for all of them.
        case frames([StreamFrame])
        case streamEnded(reason: String)
        /// The endpoint refused the stream's path (a stack run with `--no-stream`): polling only,
        /// the stream is not asked for again.
        case streamAbsent(reason: String)
        /// The tap the provider runs now (nil: closed), as it stands after its last read.
        case tap(TapStatus?)
        /// An operator action succeeded with this answer.
        case actionAnswered(breakerEntry: BreakerBoardEntry?, changed: Set<PollPart>)
    }

    private(set) var state: LiveState
    private(set) var connection: ConnectionTracker
    private(set) var schedule: PollSchedule
    private var gate = PublishGate()
    /// The last snapshot published, its time left out: a poll that learned nothing new
    /// publishes nothing, so an idle console does not redraw (`nil` after a start).
    private var lastPublished: SystemSnapshot?
    private var streamBackoff = StreamRetry.backoff

    let endpoint: EndpointDescription
    let options: StackProviderOptions
    /// Whether the endpoint can have Signalbox's extensions at all (AWS itself cannot).
    let extensionsPossible: Bool
    /// Breakers are read from a board elsewhere (`[endpoints.NAME] board = URL`), whatever
    /// the endpoint itself serves.
    let boardElsewhere: Bool
    /// Whether the endpoint serves `/_signalbox/` (nil: not known yet).
    private(set) var hasExtensions: Bool?
    private var lastProbe: Date?
    /// The tap feeding the tail instead of the stream, when one runs.
    private(set) var tap: TapStatus?
    /// Why the stack refused its stream, once it did.
    private var streamRefused: String?

    /// The event pattern the operator filters the tail by (EventBridge pattern JSON text): sent
    /// to the stack as the subscription's pattern, so it filters the events it sends.
    private(set) var eventPattern: String?
    /// The stack acknowledged a subscription with `eventPattern` (`"filtered":true`).
    private var patternAcknowledged = false
    /// Events and deliveries a second over the last minute, from the stream's frames.
    private(set) var rates: TrafficRates

    /// Which queues' attributes and which rules' targets the next poll reads.
    private(set) var queueFreshness = QueueFreshness()
    private(set) var targetsFreshness = RuleTargetsFreshness()
    /// When ListArchives was last refused (not throttled: refused). It is asked again only
    /// after `archivesRetry`, and the refusal is shown meanwhile.
    private var archivesRefusedAt: MonotonicInstant?
    static let archivesRetry: Duration = .seconds(300)
    /// The Step Functions calls of the round in flight before its histories: the part is
    /// spaced again by the whole round's cost once they are in.
    private var stepFunctionsRound: (part: PollPart, calls: Int)?
    /// What the last listing of the executions cost in ListExecutions calls.
    private var lastListCalls = 0

    private var executionsToRefresh: Set<String> = []
    private var refreshingExecutions = false
    private var boardRefreshPending = false

    /// Seconds between probes of an endpoint that answered without the extensions.
    static let probeInterval: TimeInterval = 30
    /// Frames arriving within this of each other share one re-read.
    static let refreshDelay: Duration = .milliseconds(100)

    enum StreamRetry {
        static var backoff: Backoff { Backoff(initial: .milliseconds(500), maximum: .seconds(15)) }
    }

    init(endpoint: EndpointDescription, endpointName: String, extensionsPossible: Bool, boardElsewhere: Bool = false,
         options: StackProviderOptions, at start: Moment) {
        self.endpoint = endpoint
        self.options = options
        self.extensionsPossible = extensionsPossible
        self.boardElsewhere = boardElsewhere
        self.state = LiveState(eventLimit: options.recentEventLimit, timelineLimit: options.timelineLimit)
        self.connection = ConnectionTracker(endpointName: endpointName, refreshInterval: options.refreshInterval, at: start.date)
        self.schedule = PollSchedule(refresh: options.refreshInterval, unwatchedFactor: options.unwatchedPollFactor)
        self.rates = TrafficRates(at: start.instant)
    }

    // MARK: running

    /// The provider starts (its first subscriber came): publish what is known and poll at once.
    /// Whatever an earlier run left in flight is forgotten; what it learned is kept.
    mutating func start(at now: Moment) -> [Effect] {
        let watched = schedule.watched
        schedule = PollSchedule(refresh: options.refreshInterval, unwatchedFactor: options.unwatchedPollFactor)
        schedule.watch(watched)
        gate = PublishGate()
        lastPublished = nil
        answeredParts = []
        streamBackoff = StreamRetry.backoff
        connection.stream = .off
        executionsToRefresh = []
        stepFunctionsRound = nil
        refreshingExecutions = false
        boardRefreshPending = false
        return changed(at: now) + step(schedule.ticked(schedule.tick, at: now.instant, unreachable: false), at: now)
    }

    /// The sections a console shows; parts no watched section needs are polled less often from
    /// the next tick on.
    mutating func watch(_ sections: Set<DataSection>) {
        if sections != schedule.watched { schedule.watch(sections) }
    }

    /// The executions on screen (the opened one first): their histories are read first.
    private(set) var executionsOnScreen: [String] = []

    mutating func watch(executions: [String]) { executionsOnScreen = executions }

    /// The queues on screen (ARNs): their attributes are read at every poll of the queues.
    private(set) var queuesOnScreen: [String] = []

    mutating func watch(queues: [String]) { queuesOnScreen = queues }

    /// Filters the stream's events by `pattern` (nil: every event). A stream being followed is
    /// reopened with the new subscription; one that is down takes it when it reopens.
    mutating func filterEvents(pattern: String?, at now: Moment) -> [Effect] {
        guard pattern != eventPattern else { return [] }
        eventPattern = pattern
        patternAcknowledged = false
        switch connection.stream {
        case .up, .connecting:
            connection.stream = .connecting
            return changed(at: now) + [.openStream]
        case .off, .down:
            return changed(at: now)
        }
    }

    /// What the stream subscribes to. A subscription's pattern is matched against every topic's
    /// frames (`docs/stream.md`), so an event pattern gets a subscription of its own for
    /// `events`, and the other topics keep theirs, unfiltered.
    var streamSubscriptions: [(topics: [StreamTopic], pattern: String?)] {
        guard let eventPattern else { return [(StreamTopic.all, nil)] }
        return [(StreamTopic.all.filter { $0 != .events }, nil), ([.events], eventPattern)]
    }

    mutating func handle(_ input: Input, at now: Moment) -> [Effect] {
        let effects = respond(to: input, at: now)
        // The connection's state is stamped at the input that changed it, not at the snapshot
        // that next shows it (under sustained change up to a second later, `PublishGate`):
        // "connected since" is when the answer came.
        _ = connection.state(at: now.date)
        return effects
    }

    private mutating func respond(to input: Input, at now: Moment) -> [Effect] {
        switch input {
        case .timer(let timer):
            return fired(timer, at: now)
        case .polled(let results):
            return polled(results, at: now)
        case .historiesFetched(let result, let statuses):
            switch result {
            case .success(let fetched):
                connection.recordHistory(failure: nil)
                for (arn, events) in fetched { state.applyHistory(events, arn: arn, status: statuses[arn] ?? .running, readAt: now.date) }
            case .failure(let failure) where failure.isThrottled:
                connection.recordHistory(failure: throttled(.executions, failure, at: now))
            case .failure(let failure):
                connection.recordHistory(failure: failure.description)
            }
            if let round = stepFunctionsRound {
                spaceStepFunctions(round.part, calls: round.calls)
                stepFunctionsRound = nil
            }
            return changed(at: now) + step(schedule.roundEnded(at: now.instant, answered: true), at: now)
        case .executionsRefreshed(let refreshed):
            for (execution, events) in refreshed {
                state.update(execution)
                state.applyHistory(events, arn: execution.arn, status: execution.status, readAt: now.date)
            }
            var effects = changed(at: now)
            if executionsToRefresh.isEmpty {
                refreshingExecutions = false
            } else {
                effects.append(.startTimer(.refreshExecutions, after: Self.refreshDelay))
            }
            return effects
        case .boardRefreshed(let result):
            switch result {
            case .success(let entries?): connection.record(.breakers, failure: state.applyBoard(entries))
            case .success(nil): break
            case .failure(let failure): connection.record(.breakers, failure: failure.description)
            }
            return changed(at: now)
        case .mapRunsFetched(let read):
            state.applyMapRuns(read)
            return changed(at: now)
        case .frame(let frame):
            return received(frame, at: now)
        case .frames(let frames):
            return received(frames, at: now)
        case .streamAbsent(let reason):
            streamRefused = reason
            connection.stream = .off
            schedule.streaming = false
            return changed(at: now)
        case .streamEnded(let reason):
            connection.stream = .down(reason)
            schedule.streaming = false
            return changed(at: now) + [.startTimer(.streamRetry, after: streamBackoff.next())]
        case .tap(let status):
            tap = status
            return changed(at: now)
        case .actionAnswered(let entry, let parts):
            if parts.contains(.queues) { queueFreshness.listSoon = true }
            var parts = parts
            var effects: [Effect] = []
            if let entry {
                if state.applyBoardEntry(entry) { effects += changed(at: now) } else { parts.insert(.breakers) }
            }
            return effects + step(schedule.ask(parts, at: now.instant), at: now)
        }
    }

    /// The snapshot to publish at `now`.
    mutating func snapshot(at now: Moment) -> SystemSnapshot {
        var snapshot = state.snapshot(connection: connection.state(at: now.date), endpoint: endpoint, at: now.date)
        snapshot.liveStream = connection.stream == .up
        snapshot.liveStreamAbsent = streamAbsence
        snapshot.tap = tap
        snapshot.eventsFilteredOnStack = connection.stream == .up && patternAcknowledged ? eventPattern : nil
        snapshot.rates = rates
        snapshot.polling = pollingStatus(at: now)
        snapshot.discovered = discovered
        return snapshot
    }

    /// The parts that have answered since the start (with data, or with an error that says
    /// the data is not to be had: either way no more will come by waiting).
    private var answeredParts: Set<PollPart> = []

    /// Whether the first listing is whole (`SystemSnapshot.discovered`).
    var discovered: Bool {
        guard answeredParts.isSuperset(of: [.eventBridge, .queues, .registry]),
              !answeredParts.isDisjoint(with: [.stateMachines, .executions]) else { return false }
        // The board gives the dependencies' nodes: wait for it where there is one.
        if boardElsewhere || hasExtensions == true {
            guard answeredParts.contains(.breakers) else { return false }
        } else if hasExtensions == nil && extensionsPossible {
            return false
        }
        return state.machines.allSatisfy { $0.definition != nil || state.definitions[$0.arn] != nil }
    }

    // MARK: what polling costs

    /// Calls made over the last minute; shown as of `callsShownAt`, refreshed every
    /// `callsRefresh` so that the figure moving is not a new snapshot at every poll.
    private var calls = CallWindow()
    /// The provider's request count when it was last told (`requestsSent`).
    private var requestsCounted = 0
    private var callsShown: (count: Int, at: MonotonicInstant)?
    static let callsRefresh: Duration = .seconds(10)
    private var throttle = ThrottleBackoff()
    /// The API AWS throttled, per part backing off.
    private var throttledAPIs: [PollPart: String] = [:]
    /// Each part's listings that its last answered round cut at the page bound.
    private var cutLists: [PollPart: [String: Int]] = [:]

    /// Takes the provider's running count of requests sent (every call its clients made, not
    /// only the polls'); those since the last count are recorded at `now`.
    mutating func requestsSent(_ total: Int, at now: Moment) {
        calls.record(total - requestsCounted, at: now.instant)
        requestsCounted = total
    }

    private mutating func pollingStatus(at now: Moment) -> PollingStatus? {
        if callsShown.map({ now.instant - $0.at >= Self.callsRefresh }) ?? true {
            callsShown = (calls.lastMinute(at: now.instant), now.instant)
        }
        var cut: [String: Int] = [:]
        for lists in cutLists.values { cut.merge(lists) { max($0, $1) } }
        guard let shown = callsShown, shown.count > 0 || !throttledAPIs.isEmpty || !cut.isEmpty else { return nil }
        return PollingStatus(callsPerMinute: shown.count, throttled: Set(throttledAPIs.values).sorted(),
                             cutLists: cut.sorted { $0.key < $1.key }.map { PollingStatus.CutList(api: $0.key, shown: $0.value) })
    }

    /// AWS throttled `part`'s call: it is left alone for a backoff (exponential, full jitter).
    /// Returns the failure as the status bar says it.
    private mutating func throttled(_ part: PollPart, _ failure: APIFailure, at now: Moment) -> String {
        let parts: [PollPart] = part == .executions || part == .stateMachines ? [.executions, .stateMachines] : [part]
        let delay = throttle.throttled(part)
        for held in parts {
            schedule.hold(held, until: now.instant + delay)
            throttledAPIs[held] = failure.api
        }
        return "\(failure.api): throttled (\(failure.error.code ?? "throttled")), backing off " + String(format: "%.1f s", Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
    }

    private mutating func recovered(_ part: PollPart) {
        throttle.answered(part)
        throttledAPIs[part] = nil
        if part == .executions || part == .stateMachines {
            throttle.answered(.executions)
            throttledAPIs[.executions] = nil
            throttledAPIs[.stateMachines] = nil
        }
    }

    /// Why the endpoint has no live stream to follow (nil: it has one, or it is not known yet):
    /// AWS itself, an endpoint without Signalbox's extensions, or a stack that refused it.
    var streamAbsence: String? {
        if !extensionsPossible { return "AWS has no live stream" }
        if hasExtensions == false { return "the endpoint is not a Signalbox stack, so it has no live stream" }
        return streamRefused.map { "the stack serves no live stream (\($0))" }
    }

    // MARK: publishing

    private mutating func changed(at now: Moment) -> [Effect] {
        switch gate.changed(at: now.instant, wallClock: now.date) {
        case .now: publishIfNew(at: now)
        case .after(let wait): [.startTimer(.publish, after: wait)]
        case .pending: []
        }
    }

    private mutating func publishIfNew(at now: Moment) -> [Effect] {
        let snapshot = snapshot(at: now)
        var timeless = snapshot
        timeless.takenAt = nil
        guard Self.readTimesShown(timeless, at: now.date) != lastPublished.map({ Self.readTimesShown($0, at: now.date) }) else {
            return []
        }
        lastPublished = timeless
        return [.publish(snapshot)]
    }

    /// `snapshot` as far as the read times in it show at `now`: a queue's counts are shown
    /// with their age only once stale, so a poll that read the same counts again is no news
    /// unless the counts held were stale (a view says how old they are: it must learn they
    /// are fresh again). Both sides of a comparison are taken at the same `now`.
    static func readTimesShown(_ snapshot: SystemSnapshot, at now: Date) -> SystemSnapshot {
        var shown = snapshot
        for index in shown.queues.indices
        where shown.queues[index].countsReadAt != nil && shown.queues[index].staleCountsAge(at: now) == nil {
            shown.queues[index].countsReadAt = nil
        }
        return shown
    }

    private mutating func fired(_ timer: Timer, at now: Moment) -> [Effect] {
        switch timer {
        case .publish:
            gate.fired(at: now.instant)
            return publishIfNew(at: now)
        case .poll(let tick):
            return step(schedule.ticked(tick, at: now.instant, unreachable: connection.isUnreachable), at: now)
        case .streamRetry:
            connection.stream = .connecting
            return [.openStream]
        case .refreshExecutions:
            let batch = Array(executionsToRefresh.sorted().prefix(options.historyFetchesPerPoll))
            executionsToRefresh.subtract(batch)
            let machines = Dictionary(state.executions.map { ($0.arn, $0.stateMachineName) }, uniquingKeysWith: { first, _ in first })
            return [.refreshExecutions(batch.map { arn in
                ExecutionRefresh(arn: arn, machine: machines[arn] ?? Self.machineName(ofExecution: arn),
                                 after: state.histories[arn]?.lastEventId)
            })]
        case .refreshBoard:
            boardRefreshPending = false
            return [.refreshBoard]
        }
    }

    // MARK: polling

    private mutating func step(_ step: PollSchedule.Step, at now: Moment) -> [Effect] {
        switch step {
        case .none:
            return []
        case .wait(let delay, let tick):
            return [.startTimer(.poll(tick), after: delay)]
        case .poll(let parts):
            let probe = extensionsPossible && hasExtensions != true
                && (hasExtensions == nil || lastProbe.map { now.date.timeIntervalSince($0) > Self.probeInterval } ?? true)
            return [.poll(PollRequest(parts: parts, probe: probe, knownExtensions: hasExtensions, boardElsewhere: boardElsewhere,
                                      knownDefinitions: state.knownDefinitions(at: now.date, maxAge: options.definitionRefresh),
                                      describeAtMost: options.definitionsPerPoll,
                                      queues: queueFreshness.request(queues: state.queues, onScreen: queuesOnScreen, at: now.instant),
                                      targets: targetsFreshness.request(at: now.instant),
                                      listArchives: archivesRefusedAt.map { now.instant - $0 >= Self.archivesRetry } ?? true))]
        }
    }

    /// Spaces `part`'s polls by what its last poll cost (`calls`, first reads of new resources
    /// left out) against its share of the polling budget.
    private mutating func space(_ part: PollPart, calls: Int) {
        schedule.space(part, [(max(0, calls), options.pollingBudget * part.budgetShare)])
    }

    /// Both Step Functions parts share one budget (a round of either reads histories), so a
    /// round of either spaces both.
    private mutating func spaceStepFunctions(_ part: PollPart, calls: Int) {
        let budget = (calls, options.pollingBudget * part.budgetShare)
        schedule.space(.stateMachines, [budget])
        schedule.space(.executions, [budget, (lastListCalls, options.listExecutionsPerSecond)])
    }

    private mutating func polled(_ results: PollResults, at now: Moment) -> [Effect] {
        if results.request.probe, let found = results.probed {
            hasExtensions = found
            lastProbe = now.date
        }
        var answered = false
        var transport: String?
        func note<T>(_ part: PollPart, _ result: Result<T, APIFailure>?) -> T? {
            switch result {
            case nil:
                return nil
            case .success(let value)?:
                answered = true
                answeredParts.insert(part)
                connection.record(part, failure: nil)
                recovered(part)
                cutLists[part] = results.cutLists[part].flatMap { $0.isEmpty ? nil : $0 }
                return value
            case .failure(let failure)?:
                if failure.isTransport {
                    transport = transport ?? StackProvider.transportReason(failure.error)
                } else {
                    answered = true
                    if !failure.isThrottled { answeredParts.insert(part) }
                }
                connection.record(part, failure: failure.isThrottled ? throttled(part, failure, at: now) : failure.description)
                return nil
            }
        }
        if let found = note(.eventBridge, results.eventBridge) {
            let firstReads = targetsFreshness.record(found, at: now.instant)
            state.buses = found.buses
            state.rules = found.rules
            if results.request.listArchives {
                (state.archives, state.replays, state.archivesRefused) = (found.archives, found.replays, found.archivesRefused)
                archivesRefusedAt = found.archivesRefused == nil ? nil : now.instant
            }
            space(.eventBridge, calls: (results.calls[.eventBridge] ?? 0) - firstReads)
        }
        if var reads = note(.queues, results.queues) {
            for index in reads.queues.indices { reads.queues[index].countsReadAt = now.date }
            let firstReads = queueFreshness.record(reads, held: state.queues, at: now.instant)
            state.queues = QueueFreshness.merge(reads, into: state.queues)
            space(.queues, calls: (results.calls[.queues] ?? 0) - firstReads)
        }
        var stepFunctionsAnswered = false
        let stepFunctionsPart: PollPart = results.request.parts.contains(.executions) ? .executions : .stateMachines
        if let found = note(stepFunctionsPart, results.stepFunctions) {
            state.applyMachines(found.machines, at: now.date)
            stepFunctionsAnswered = true
            if let executions = found.executions {
                state.applyExecutions(executions)
                lastListCalls = results.listExecutionsCalls
            }
            // Listing every running execution costs a page per 1,000: spaced so that
            // ListExecutions stays within its share of AWS's quota, and the whole part (with
            // the histories read after it) within its share of the polling budget.
            spaceStepFunctions(stepFunctionsPart, calls: results.calls[stepFunctionsPart] ?? 0)
        }
        if let registry = note(.registry, results.registry) {
            state.registry = registry
            space(.registry, calls: results.calls[.registry] ?? 0)
        }
        if let entries = note(.breakers, results.breakers) {
            if let entries {
                connection.record(.breakers, failure: state.applyBoard(entries))
            } else {
                state.breakers = []
            }
            space(.breakers, calls: results.calls[.breakers] ?? 0)
        }
        // A round that asked nothing (only the breakers were due, and this endpoint has no
        // board) says nothing about the connection: it is not "no answer".
        let askedSomething = results.eventBridge != nil || results.queues != nil || results.stepFunctions != nil
            || results.registry != nil || results.breakers != nil || results.probed != nil
        if askedSomething {
            connection.roundEnded(answered: answered, transportReason: transport, at: now.date)
        } else {
            answered = !connection.isUnreachable
        }

        var effects = changed(at: now)
        if answered, options.useLiveStream, hasExtensions == true, streamRefused == nil, connection.stream == .off {
            connection.stream = .connecting
            effects.append(.openStream)
        }
        // Map Runs change without their parent's history doing so: read those still running
        // every round the machines are read, stream or not.
        if answered, stepFunctionsAnswered {
            let plan = state.mapRunPlan(budget: options.historyFetchesPerPoll)
            if !plan.isEmpty { effects.append(.fetchMapRuns(plan)) }
        }
        // Histories are read every round the machines are, the listing spaced or not.
        if answered, stepFunctionsAnswered, !state.executions.isEmpty {
            let plan = state.historyPlan(budget: options.historyFetchesPerPoll, streamCarriesHistory: connection.stream == .up,
                                         onScreen: executionsOnScreen, quietCheck: options.quietCheck, now: now.date)
            if !plan.isEmpty {
                // Histories count in full, first reads too: an account of thousands of running
                // executions would otherwise be discovering for minutes outside the budget.
                stepFunctionsRound = (stepFunctionsPart, (results.calls[stepFunctionsPart] ?? 0) + plan.count)
                return effects + [.fetchHistories(plan)]  // the round ends with the histories
            }
            connection.recordHistory(failure: nil)
        }
        return effects + step(schedule.roundEnded(at: now.instant, answered: answered), at: now)
    }

    // MARK: live stream

    private mutating func received(_ frame: StreamFrame, at now: Moment) -> [Effect] {
        var effects: [Effect] = []
        return apply(frame, at: now, effects: &effects) ? changed(at: now) + effects : effects
    }

    /// A batch of frames: each applied in order, then the snapshot asked for once (a batch of
    /// 3,000 frames is one publish check, not 3,000).
    private mutating func received(_ frames: [StreamFrame], at now: Moment) -> [Effect] {
        var effects: [Effect] = []
        var anyChanged = false
        for frame in frames {
            if apply(frame, at: now, effects: &effects) { anyChanged = true }
        }
        return anyChanged ? changed(at: now) + effects : effects
    }

    /// Applies one frame; appends the effects it asks for besides a snapshot, and returns
    /// whether it changed what a snapshot shows.
    private mutating func apply(_ frame: StreamFrame, at now: Moment, effects: inout [Effect]) -> Bool {
        if case .subscribed(let subscribed) = frame, subscribed.filtered, eventPattern != nil { patternAcknowledged = true }
        rates.record(frame, at: now.instant, date: now.date)
        switch state.apply(frame: frame) {
        case .ignored:
            return false
        case .changed:
            return true
        case .subscribed:
            connection.stream = .up
            schedule.streaming = true
            streamBackoff.reset()
            return true
        case .refreshExecution(let arn):
            executionsToRefresh.insert(arn)
            guard !refreshingExecutions else { return false }
            refreshingExecutions = true
            effects.append(.startTimer(.refreshExecutions, after: Self.refreshDelay))
            return false
        case .refreshBreakers:
            guard !boardRefreshPending else { return false }
            boardRefreshPending = true
            effects.append(.startTimer(.refreshBoard, after: Self.refreshDelay))
            return false
        case .refreshQueues:
            queueFreshness.listSoon = true
            effects += step(schedule.ask([.queues], at: now.instant), at: now)
            return true
        }
    }

    /// `arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME` → `MACHINE`.
    static func machineName(ofExecution arn: String) -> String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 8 ? String(parts[6]) : ""
    }
}
