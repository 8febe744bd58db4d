import Foundation
import JSON
import StackProtocol

/// What the stack provider knows about the system, merged from polls and live-stream frames.
/// A value with no I/O: the provider's actor owns the one instance, tests drive it directly.
struct LiveState: Sendable {
    var buses: [EventBus] = []
    var rules: [Rule] = []
    var archives: [EventArchive] = []
    var replays: [EventReplay] = []
    var archivesRefused: String?
    var queues: [Queue] = []
    var machines: [StateMachine] = []
    /// Definition text per state machine ARN, and when it was described (LiveState+Sagas.swift).
    var definitions: [String: String] = [:]
    var definitionsDescribed: [String: Date] = [:]
    /// The executions listed by the last poll, newest first, timelines not yet attached.
    var executions: [Execution] = []
    /// Where each execution is in `executions`, by ARN, counted from the end: a new execution
    /// goes in at the front, which moves every index but none counted from the end. A history
    /// frame (one per event the stream carries) finds its execution here instead of comparing
    /// ARNs down the list. A cache, checked on use (`executionIndex`), never the truth.
    private var executionPositions: [String: Int] = [:]
    var histories: [String: ExecutionHistory] = [:]
    /// The Map Runs read for each execution (by its ARN), kept apart from the listing as
    /// histories are.
    var mapRuns: [String: [MapRun]] = [:]
    var registry: [RegistryService] = []
    var breakers: [Breaker] = []
    /// Failure rate per breaker id at recent polls (sparkline), oldest first.
    var breakerRates: [String: [Int]] = [:]
    /// Recent events, newest last, at most `eventLimit`.
    var events: EventRing
    /// The sequence number of each event held, by id: a delivery frame or a repeated event
    /// finds its event without a scan of the ring. Kept beside the ring, not in it, so that the
    /// snapshots sharing the ring do not share (and copy on write) this index.
    private var eventSequences: [EventIdKey: Int] = [:]
    var dropped = 0
    /// Histories applied so far: orders running executions' turns in `historyPlan`.
    var fetches = 0
    /// The `messages` topic's recent messages (bounded, evictions counted).
    var messages = RecentMessages()
    /// Breaker state changes from the `breakers` topic, newest last, at most `breakerChangeLimit`.
    var breakerChanges: [BreakerChangeSeen] = []
    static let breakerChangeLimit = 1_000

    let eventLimit: Int
    let timelineLimit: Int

    init(eventLimit: Int, timelineLimit: Int) {
        self.events = EventRing(capacity: eventLimit)
        self.eventLimit = eventLimit
        self.timelineLimit = timelineLimit
    }

    /// What a frame asks of the provider besides the state change already applied.
    enum FrameEffect: Sendable, Equatable {
        case ignored
        case changed
        /// The stream acknowledged the subscription: it is live.
        case subscribed
        /// An execution changed in a way the frames held cannot tell (it is not listed yet,
        /// or its history has a gap): fetch its status and new history.
        case refreshExecution(String)
        /// A breaker changed in a way the frame does not carry: re-read the board.
        case refreshBreakers
        /// The stream counts a queue that is not listed, or no longer counts a listed one (a
        /// queue created or deleted since the last poll): list the queues again.
        case refreshQueues
    }

    // MARK: live stream

    mutating func apply(frame: StreamFrame) -> FrameEffect {
        switch frame {
        case .subscribed:
            return .subscribed
        case .dropped(let count):
            dropped += count
            return .changed
        case .pong, .error:
            return .ignored
        case .published(let message, _):
            return apply(message)
        }
    }

    private mutating func apply(_ message: StreamMessage) -> FrameEffect {
        switch message {
        case .event(let frame):
            append(WireDecoding.flowEvent(frame))
            applySent(by: frame)
            return .changed
        case .delivery(let outcome):
            return applyDelivery(outcome) ? .changed : .ignored
        case .queueStatistics(let statistics):
            return applyQueueStats(statistics)
        case .execution(let change):
            return applyExecutionChange(change)
        case .history(let frame):
            return applyHistoryFrame(frame)
        case .breaker(let change):
            let breaker = WireDecoding.breaker(change.entry, history: [])
            recordChange(of: breaker, previous: change.previousState.flatMap { Breaker.State(rawValue: $0.rawValue) })
            upsert(breaker)
            return .changed
        case .message(let change):
            var read = WireDecoding.messageChange(change)
            // The body the stack left out is the sending event's envelope, held in the ring
            // unless it was evicted (then the message shows no body, as one sent unseen).
            if change.bodyIsEvent, let eventId = change.sender?.eventId, let index = eventIndex(eventId) {
                read.body = events[index].received.text
            }
            messages.apply(read)
            return .changed
        case .messageMoved(let move):
            messages.apply(id: move.messageId, change: WireDecoding.moveChange(move))
            return .changed
        case .queueEmptied(let emptied):
            messages.applyEmptied(queue: emptied.queue, kind: emptied.reason == .purged ? .purged : .queueDeleted,
                                  at: WireDecoding.milliseconds(emptied.time), count: emptied.count)
            return .changed
        case .breakerOverride(let result):
            upsert(WireDecoding.breaker(result.entry, history: []))
            return .changed
        case .other(_, let topic, let data):
            // A message type newer than this reader: re-read what its topic is about.
            switch topic {
            case .executions:
                return data["executionArn"]?.stringValue.map(FrameEffect.refreshExecution) ?? .ignored
            case .breakers:
                return .refreshBreakers
            default:
                return .ignored
            }
        }
    }

    /// The messages an event's deliveries wrote, when they carry them (the stream's
    /// `sentWithEvents`): each kept inside the event's deliveries, read as the `sent` frame it
    /// stands for, its body the envelope the frame holds when it is the event itself.
    private mutating func applySent(by frame: BusEventFrame) {
        guard frame.carriesSent else { return }
        messages.applyCarried(by: frame.outcomes, texts: frame.sentTexts, eventText: frame.event.text)
    }

    /// Keeps a breaker's change of state (a first report is no change).
    private mutating func recordChange(of breaker: Breaker, previous: Breaker.State?) {
        guard let previous, previous != breaker.state else { return }
        let transition = breaker.lastTransition.flatMap { $0.to == breaker.state ? $0 : nil }
            ?? Breaker.Transition(from: previous, to: breaker.state, at: breaker.reportedAt ?? Date(), reason: "")
        breakerChanges.append(BreakerChangeSeen(breaker: breaker.id, transition: transition))
        if breakerChanges.count > Self.breakerChangeLimit { breakerChanges.removeFirst(breakerChanges.count - Self.breakerChangeLimit) }
    }

    mutating func append(_ event: FlowEvent) {
        if let index = eventIndex(event.id) {
            events.replace(at: index, with: event)
            return
        }
        // The events the ring evicts (past its count or its bytes) take their ids out of the
        // index with them, so it stays bounded. The index is moved out for the call, not copied:
        // the closure may not touch `self` while the ring is being changed.
        var sequences: [EventIdKey: Int] = [:]
        swap(&sequences, &eventSequences)
        sequences[EventIdKey(event.id)] = events.nextSequence
        events.append(event) { oldest in
            // One lookup: the entry goes, and comes back only if a newer event took the id.
            let key = EventIdKey(oldest.id)
            if let sequence = sequences.removeValue(forKey: key), sequence != oldest.sequence { sequences[key] = sequence }
        }
        swap(&sequences, &eventSequences)
    }

    private func eventIndex(_ id: String) -> Int? {
        eventSequences[EventIdKey(id)].flatMap { events.index(ofSequence: $0) }
    }

    /// A later outcome of a retried delivery: replaces that target's entry on the event.
    private mutating func applyDelivery(_ outcome: DeliveryOutcome) -> Bool {
        guard let index = eventIndex(outcome.eventId) else { return false }
        let delivery = WireDecoding.delivery(outcome)
        var event = events[index]
        if let existing = event.deliveries.firstIndex(where: { $0.rule == delivery.rule && $0.targetId == delivery.targetId }) {
            event.deliveries[existing] = delivery
        } else {
            event.deliveries.append(delivery)
        }
        events.replace(at: index, with: event)
        return true
    }

    /// An execution's new status, as the frame carries it whole: no fetch needed.
    private mutating func applyExecutionChange(_ change: ExecutionChange) -> FrameEffect {
        // A Map Run's child is shown under its Map Run, not as a saga of its own.
        if MapRun.isChild(stateMachineArn: change.execution.stateMachineArn) { return .ignored }
        guard let status = Execution.Status(rawValue: change.status) else {
            return .refreshExecution(change.execution.executionArn)
        }
        update(Execution(name: change.execution.name, arn: change.execution.executionArn,
                         stateMachineName: machineName(of: change.execution.stateMachineArn), status: status,
                         startDate: Date(timeIntervalSince1970: change.startDate),
                         stopDate: change.stopDate.map(Date.init(timeIntervalSince1970:))))
        return .changed
    }

    /// One new history event, applied where it follows the events held (ids are consecutive
    /// from 1). A gap (frames dropped, or the viewer joined mid-run) or an execution not listed
    /// yet asks for a fetch, which continues from the last event held.
    private mutating func applyHistoryFrame(_ frame: ExecutionHistoryEvent) -> FrameEffect {
        let arn = frame.execution.executionArn
        if MapRun.isChild(stateMachineArn: frame.execution.stateMachineArn) { return .ignored }
        guard let status = Execution.Status(rawValue: frame.status), let id = frame.event["id"]?.intValue,
              let index = executionIndex(arn)
        else { return .refreshExecution(arn) }
        let held = histories[arn]?.lastEventId ?? 0
        if id <= held { return .ignored }
        guard id == held + 1 else { return .refreshExecution(arn) }
        executions[index].status = status
        applyHistory([frame.event], arn: arn, status: status)
        return .changed
    }

    /// Where the execution `arn` is in `executions`. An entry of the index that no longer
    /// points at its execution (the list was changed elsewhere) is found by a search instead,
    /// and the index built again.
    private mutating func executionIndex(_ arn: String) -> Int? {
        if let fromEnd = executionPositions[arn] {
            let index = executions.count - 1 - fromEnd
            if executions.indices.contains(index) && executions[index].arn == arn { return index }
        }
        guard let index = executions.firstIndex(where: { $0.arn == arn }) else { return nil }
        indexExecutions()
        return index
    }

    private mutating func indexExecutions() {
        let last = executions.count - 1
        executionPositions = Dictionary(executions.enumerated().map { ($1.arn, last - $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A machine's name from the machines listed, else from its ARN's last part.
    private func machineName(of arn: String) -> String {
        machines.first { $0.arn == arn }?.name ?? String(arn.split(separator: ":").last ?? Substring(arn))
    }

    /// The counts of every queue (the frame lists them all).
    private mutating func applyQueueStats(_ statistics: QueueStatistics) -> FrameEffect {
        var changed = false
        var unlisted = false
        for counts in statistics.queues {
            guard let index = queues.firstIndex(where: { $0.name == counts.name }) else {
                unlisted = true
                continue
            }
            var queue = queues[index]
            queue.visibleMessages = counts.visible
            queue.inFlightMessages = counts.inFlight
            queue.delayedMessages = counts.delayed
            if queue != queues[index] {
                queues[index] = queue
                changed = true
            }
        }
        if unlisted || queues.count > statistics.queues.count { return .refreshQueues }
        return changed ? .changed : .ignored
    }

    private mutating func upsert(_ breaker: Breaker) {
        var breaker = breaker
        breaker.recentFailureRates = breakerRates[breaker.id] ?? []
        if let index = breakers.firstIndex(where: { $0.id == breaker.id }) {
            breakers[index] = breaker
        } else {
            breakers.append(breaker)
            breakers.sort { $0.id < $1.id }
        }
    }

    // MARK: polls and answers

    /// A board entry an action's answer carries (the committed override): replaces that
    /// breaker's row. False when the entry cannot be read.
    mutating func applyBoardEntry(_ entry: BreakerBoardEntry) -> Bool {
        upsert(WireDecoding.breaker(entry, history: []))
        return true
    }

    /// The board's entries from a poll; each breaker's failure rate joins its sparkline. An
    /// entry the protocol could not read is named in the returned error and left out.
    mutating func applyBoard(_ listing: BreakerBoardListing) -> String? {
        var breakers: [Breaker] = []
        var rates: [String: [Int]] = [:]
        for entry in listing.breakers {
            var breaker = WireDecoding.breaker(entry, history: [])
            var history = breakerRates[breaker.id] ?? []
            history.append(Int((breaker.failureRate ?? 0).rounded()))
            if history.count > 30 { history.removeFirst(history.count - 30) }
            rates[breaker.id] = history
            breaker.recentFailureRates = history
            breakers.append(breaker)
        }
        breakerRates = rates
        self.breakers = breakers.sorted { $0.id < $1.id }
        return listing.unreadable.first.map { "breaker board entry \($0.index): \($0.problem)" }
    }

    /// Which executions need history fetched now, most urgent first, at most `budget`, so the
    /// calls stay bounded however many executions run:
    /// 1. the executions on screen (`onScreen`, the console's opened one first, then the rows,
    ///    least recently read first, up to half the budget);
    /// 2. the changed ones: never read (new), and ended ones whose history does not end yet (the
    ///    listing can see the new status before the closing event is readable; once it is in —
    ///    or after a few tries on an endpoint that never writes one — an ended execution is
    ///    never fetched again);
    /// 3. the stuck candidates: running, quiet in the history held for longer than
    ///    `quietCheck`, and not read since that silence began — a read proves the silence (the
    ///    stuck rule judges only what was read) or shows the events that ended it;
    /// 4. with budget to spare, the rest of the rows on screen, then the other running ones,
    ///    least recently read first.
    /// While `streamCarriesHistory`, a running execution's new events arrive as frames (a gap
    /// asks for a fetch of its own), so only the ones never read are planned.
    func historyPlan(budget: Int, streamCarriesHistory: Bool = false, onScreen: [String] = [],
                     quietCheck: TimeInterval = 300, now: Date = Date()) -> [(arn: String, after: Int?)] {
        var planned: Set<String> = []
        var plan: [(arn: String, after: Int?)] = []
        func add(_ arn: String) {
            guard plan.count < budget, planned.insert(arn).inserted else { return }
            plan.append((arn, histories[arn]?.lastEventId))
        }
        func byTurn(_ arns: [String]) -> [String] {
            // Stable: among equals (never fetched), the given order — newest first — holds.
            arns.enumerated().sorted { a, b in
                let (x, y) = (histories[a.element]?.fetchSerial ?? -1, histories[b.element]?.fetchSerial ?? -1)
                return x != y ? x < y : a.offset < b.offset
            }.map(\.element)
        }
        var byArn: [String: Execution] = [:]
        var changed: [String] = [], candidates: [String] = [], others: [String] = []
        for execution in executions {
            byArn[execution.arn] = execution
            let cached = histories[execution.arn]
            if execution.status == .running {
                if streamCarriesHistory && cached != nil { continue }
                guard let cached else {
                    changed.append(execution.arn)
                    continue
                }
                let lastEvent = cached.entries.last?.timestamp ?? execution.startDate
                let quietSince = lastEvent.addingTimeInterval(quietCheck)
                if quietSince < now, (cached.readAt ?? .distantPast) < quietSince {
                    candidates.append(execution.arn)
                } else {
                    others.append(execution.arn)
                }
            } else if let cached {
                if !cached.isClosed && cached.fetchesAfterEnd < ExecutionHistory.maximumFetchesAfterEnd { changed.append(execution.arn) }
            } else {
                changed.append(execution.arn)
            }
        }
        let shown = onScreen.filter { arn in
            guard let execution = byArn[arn] else { return false }
            if execution.status == .running { return !(streamCarriesHistory && histories[arn] != nil) }
            return histories[arn].map { !$0.isClosed && $0.fetchesAfterEnd < ExecutionHistory.maximumFetchesAfterEnd } ?? true
        }
        // The rows on screen take at most half the budget, so that a full screen does not starve
        // the changed executions and the stuck candidates; what those leave goes back to them.
        let rows = byTurn(Array(shown.dropFirst()))
        if let opened = shown.first { add(opened) }
        for arn in rows.prefix(max(1, budget / 2)) { add(arn) }
        for arn in changed { add(arn) }
        for arn in byTurn(candidates) { add(arn) }
        for arn in rows { add(arn) }
        for arn in byTurn(others) { add(arn) }
        return plan
    }

    /// New history events (oldest first) of an execution whose status was `status` when asked.
    mutating func applyHistory(_ events: [JSONValue], arn: String, status: Execution.Status, readAt: Date? = nil) {
        fetches += 1
        // Changed where it lies in the dictionary: a copy taken out and put back would make
        // each new event copy the whole history (one frame at a time, 20 times a second).
        Self.append(events, status: status, readAt: readAt, serial: fetches, limit: timelineLimit,
                    to: &histories[arn, default: ExecutionHistory()])
    }

    private static func append(_ events: [JSONValue], status: Execution.Status, readAt: Date?, serial: Int, limit: Int,
                               to history: inout ExecutionHistory) {
        history.readAt = readAt ?? history.readAt
        for event in events {
            guard let entry = WireDecoding.timelineEntry(event, state: history.currentState) else { continue }
            if let last = history.lastEventId, entry.id <= last { continue }
            if entry.type.hasSuffix("StateEntered") { history.currentState = entry.stateName }
            history.entries.append(entry)
            history.lastEventId = entry.id
        }
        if history.entries.count > limit { history.entries.removeFirst(history.entries.count - limit) }
        history.fetchedStatus = status
        history.fetchSerial = serial
        history.fetchesAfterEnd = status == .running ? 0 : history.fetchesAfterEnd + 1
    }

    /// A fresh execution list from a poll; histories of executions no longer listed are dropped.
    mutating func applyExecutions(_ listed: [Execution]) {
        executions = listed
        indexExecutions()
        let shown = Set(listed.map(\.arn))
        histories = histories.filter { shown.contains($0.key) }
    }

    /// One execution re-described after a stream frame said it changed.
    /// The executions whose Map Runs to read this round (at most `budget`): those whose history
    /// names a Map Run not read yet, or read while it was running.
    func mapRunPlan(budget: Int) -> [(execution: String, mapRuns: [String])] {
        var plan: [(execution: String, mapRuns: [String])] = []
        for execution in executions where plan.count < budget {
            guard let history = histories[execution.arn] else { continue }
            let arns = MapRun.arns(in: history.entries)
            guard !arns.isEmpty else { continue }
            let read = Dictionary((mapRuns[execution.arn] ?? []).map { ($0.arn, $0) }, uniquingKeysWith: { _, last in last })
            if arns.contains(where: { read[$0]?.isRunning ?? true }) { plan.append((execution.arn, arns)) }
        }
        return plan
    }

    mutating func applyMapRuns(_ read: [(execution: String, mapRuns: [MapRun])]) {
        for (execution, runs) in read { mapRuns[execution] = runs }
    }

    mutating func update(_ execution: Execution) {
        if let index = executionIndex(execution.arn) {
            executions[index].status = execution.status
            executions[index].stopDate = execution.stopDate
        } else {
            executions.insert(execution, at: 0)
            executionPositions[execution.arn] = executions.count - 1
        }
    }

    /// The executions with their timelines and current state attached.
    var executionsWithTimelines: [Execution] {
        executions.map { execution in
            var execution = execution
            if let history = histories[execution.arn] {
                execution.timeline = history.entries
                execution.currentState = history.currentState
                execution.historyReadAt = history.readAt
            }
            execution.mapRuns = mapRuns[execution.arn] ?? []
            return execution
        }
    }

    func snapshot(connection: ConnectionState, endpoint: EndpointDescription, at time: Date) -> SystemSnapshot {
        var snapshot = SystemSnapshot(connection: connection, endpoint: endpoint, takenAt: time, buses: buses, rules: rules,
                                      recentEvents: events, droppedEvents: dropped, queues: queues, breakers: breakers,
                                      stateMachines: machinesWithDefinitions, executions: executionsWithTimelines, registry: registry,
                                      recentMessages: messages, breakerChanges: breakerChanges)
        snapshot.archives = archives
        snapshot.replays = replays
        snapshot.archivesUnavailable = archivesRefused
        return snapshot
    }
}

/// The part of an execution's history the provider holds: the newest `timelineLimit` entries
/// and where to continue from.
struct ExecutionHistory: Sendable, Hashable {
    var lastEventId: Int?
    var entries: [TimelineEntry] = []
    var currentState: String?
    /// The execution's status when the history was last fetched.
    var fetchedStatus: Execution.Status?
    /// Fetches made while the listing said the execution had ended.
    var fetchesAfterEnd = 0
    /// When it was last fetched, in `LiveState.fetches` order.
    var fetchSerial = 0
    /// When a GetExecutionHistory answer was last applied (frames do not count).
    var readAt: Date?

    /// Tries to read an ended execution's closing event before giving up (moto never writes one).
    static let maximumFetchesAfterEnd = 5
    static let closingEvents: Set<String> = ["ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"]

    /// The history ends with the execution's closing event.
    var isClosed: Bool { entries.last.map { Self.closingEvents.contains($0.type) } ?? false }
}
