import Foundation
import JSON
import StackProtocol

/// What the stack provider knows about the system, merged from polls and live-stream frames.
/// A value with no I/O: the provider's actor owns the one instance, tests drive it directly.
struct LiveState: Sendable {
    var buses: [EventBus] = []
    var rules: [Rule] = []
    var queues: [Queue] = []
    var machines: [StateMachine] = []
    /// Definition text per state machine ARN, described once (LiveState+Sagas.swift).
    var definitions: [String: String] = [:]
    /// The executions listed by the last poll, newest first, timelines not yet attached.
    var executions: [Execution] = []
    var histories: [String: ExecutionHistory] = [:]
    var registry: [RegistryService] = []
    var breakers: [Breaker] = []
    /// Failure rate per breaker id at recent polls (sparkline), oldest first.
    var breakerRates: [String: [Int]] = [:]
    /// Recent events, newest last, at most `eventLimit`.
    var events: [FlowEvent] = []
    var dropped = 0
    /// Histories applied so far: orders running executions' turns in `historyPlan`.
    var fetches = 0

    let eventLimit: Int
    let timelineLimit: Int

    init(eventLimit: Int, timelineLimit: Int) {
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
            return .changed
        case .delivery(let outcome):
            return applyDelivery(outcome) ? .changed : .ignored
        case .queueStatistics(let statistics):
            return applyQueueStats(statistics) ? .changed : .ignored
        case .execution(let change):
            return applyExecutionChange(change)
        case .history(let frame):
            return applyHistoryFrame(frame)
        case .breaker(let change):
            upsert(WireDecoding.breaker(change.entry, history: []))
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

    mutating func append(_ event: FlowEvent) {
        if let index = events.lastIndex(where: { $0.id == event.id }) {
            events[index] = event
            return
        }
        events.append(event)
        if events.count > eventLimit { events.removeFirst(events.count - eventLimit) }
    }

    /// A later outcome of a retried delivery: replaces that target's entry on the event.
    private mutating func applyDelivery(_ outcome: DeliveryOutcome) -> Bool {
        guard let index = events.lastIndex(where: { $0.id == outcome.eventId }) else { return false }
        let delivery = WireDecoding.delivery(outcome)
        var deliveries = events[index].deliveries
        if let existing = deliveries.firstIndex(where: { $0.rule == delivery.rule && $0.targetId == delivery.targetId }) {
            deliveries[existing] = delivery
        } else {
            deliveries.append(delivery)
        }
        events[index].deliveries = deliveries
        return true
    }

    /// An execution's new status, as the frame carries it whole: no fetch needed.
    private mutating func applyExecutionChange(_ change: ExecutionChange) -> FrameEffect {
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
        guard let status = Execution.Status(rawValue: frame.status), let id = frame.event["id"]?.intValue,
              let index = executions.firstIndex(where: { $0.arn == arn })
        else { return .refreshExecution(arn) }
        let held = histories[arn]?.lastEventId ?? 0
        if id <= held { return .ignored }
        guard id == held + 1 else { return .refreshExecution(arn) }
        executions[index].status = status
        applyHistory([frame.event], arn: arn, status: status)
        return .changed
    }

    /// A machine's name from the machines listed, else from its ARN's last part.
    private func machineName(of arn: String) -> String {
        machines.first { $0.arn == arn }?.name ?? String(arn.split(separator: ":").last ?? Substring(arn))
    }

    private mutating func applyQueueStats(_ statistics: QueueStatistics) -> Bool {
        var changed = false
        for counts in statistics.queues {
            guard let index = queues.firstIndex(where: { $0.name == counts.name }) else { continue }
            var queue = queues[index]
            queue.visibleMessages = counts.visible
            queue.inFlightMessages = counts.inFlight
            queue.delayedMessages = counts.delayed
            if queue != queues[index] {
                queues[index] = queue
                changed = true
            }
        }
        return changed
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

    /// Which executions need history fetched now, most urgent first, at most `budget`:
    /// running ones (new events; the least recently fetched first, so with more running than the
    /// budget each gets its turn), ones never fetched, and ended ones whose history does not end
    /// yet (the listing can see the new status before the closing event is readable). Once the
    /// closing event is in — or after a few tries on an endpoint that never writes one — an
    /// ended execution is never fetched again. While `streamCarriesHistory`, a running
    /// execution's new events arrive as frames (a gap asks for a fetch of its own), so only the
    /// ones never fetched are planned.
    func historyPlan(budget: Int, streamCarriesHistory: Bool = false) -> [(arn: String, after: Int?)] {
        var running: [(String, Int?)] = []
        var others: [(String, Int?)] = []
        for execution in executions {
            let cached = histories[execution.arn]
            if execution.status == .running {
                if streamCarriesHistory && cached != nil { continue }
                running.append((execution.arn, cached?.lastEventId))
            } else if let cached {
                if !cached.isClosed && cached.fetchesAfterEnd < ExecutionHistory.maximumFetchesAfterEnd {
                    others.append((execution.arn, cached.lastEventId))
                }
            } else {
                others.append((execution.arn, nil))
            }
        }
        // Stable: among equals (never fetched), the listing's order — newest first — holds.
        let byTurn = running.enumerated().sorted { a, b in
            let (x, y) = (histories[a.element.0]?.fetchSerial ?? -1, histories[b.element.0]?.fetchSerial ?? -1)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        return Array((byTurn + others).prefix(budget)).map { (arn: $0.0, after: $0.1) }
    }

    /// New history events (oldest first) of an execution whose status was `status` when asked.
    mutating func applyHistory(_ events: [JSONValue], arn: String, status: Execution.Status) {
        var history = histories[arn] ?? ExecutionHistory()
        for event in events {
            guard let entry = WireDecoding.timelineEntry(event, state: history.currentState) else { continue }
            if let last = history.lastEventId, entry.id <= last { continue }
            if entry.type.hasSuffix("StateEntered") { history.currentState = entry.stateName }
            history.entries.append(entry)
            history.lastEventId = entry.id
        }
        if history.entries.count > timelineLimit { history.entries.removeFirst(history.entries.count - timelineLimit) }
        history.fetchedStatus = status
        fetches += 1
        history.fetchSerial = fetches
        history.fetchesAfterEnd = status == .running ? 0 : history.fetchesAfterEnd + 1
        histories[arn] = history
    }

    /// A fresh execution list from a poll; histories of executions no longer listed are dropped.
    mutating func applyExecutions(_ listed: [Execution]) {
        executions = listed
        let shown = Set(listed.map(\.arn))
        histories = histories.filter { shown.contains($0.key) }
    }

    /// One execution re-described after a stream frame said it changed.
    mutating func update(_ execution: Execution) {
        if let index = executions.firstIndex(where: { $0.arn == execution.arn }) {
            executions[index].status = execution.status
            executions[index].stopDate = execution.stopDate
        } else {
            executions.insert(execution, at: 0)
        }
    }

    /// The executions with their timelines and current state attached.
    var executionsWithTimelines: [Execution] {
        executions.map { execution in
            var execution = execution
            if let history = histories[execution.arn] {
                execution.timeline = history.entries
                execution.currentState = history.currentState
            }
            return execution
        }
    }

    func snapshot(connection: ConnectionState, endpoint: EndpointDescription, at time: Date) -> SystemSnapshot {
        SystemSnapshot(connection: connection, endpoint: endpoint, takenAt: time, buses: buses, rules: rules,
                       recentEvents: events, droppedEvents: dropped, queues: queues, breakers: breakers,
                       stateMachines: machinesWithDefinitions, executions: executionsWithTimelines, registry: registry)
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

    /// Tries to read an ended execution's closing event before giving up (moto never writes one).
    static let maximumFetchesAfterEnd = 5
    static let closingEvents: Set<String> = ["ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"]

    /// The history ends with the execution's closing event.
    var isClosed: Bool { entries.last.map { Self.closingEvents.contains($0.type) } ?? false }
}
