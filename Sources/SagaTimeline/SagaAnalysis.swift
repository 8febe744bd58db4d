import Foundation
import JSON
import Provider
import Timekeeping

/// How the operator sees one execution: its saga status (stuck and compensating included,
/// each for a stated reason), business key, current state and what it waits for.
public struct SagaAnalysis: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case running = "RUNNING"
        case compensating = "COMPENSATING"
        case stuck = "STUCK"
        case succeeded = "SUCCEEDED"
        case failed = "FAILED"
        case timedOut = "TIMED_OUT"
        case aborted = "ABORTED"
        case pendingRedrive = "PENDING_REDRIVE"

        /// Running in any way (running, compensating or stuck).
        public var isRunning: Bool { self == .running || self == .compensating || self == .stuck }
        /// Ended without succeeding.
        public var isFailure: Bool { self == .failed || self == .timedOut || self == .aborted || self == .pendingRedrive }
    }

    public var execution: Execution
    public var status: Status
    public var spans: SagaSpans
    /// The business key read from the input; nil with `keyProblem` saying why.
    public var businessKey: String?
    public var keyProblem: String?
    /// The state the execution is in (or stopped in).
    public var currentState: String?
    public var waitingFor: String?
    /// The stuck rules that fired (empty unless stuck).
    public var stuck: [StuckReason]
    /// The current state is on the definition's compensation path.
    public var compensating: Bool
    /// States on the definition's compensation path, to colour the timeline.
    public var compensation: Set<String>
    /// Why the definition could not be used (missing, or the parser's first diagnostic).
    public var definitionProblem: String?
    /// The machine's definition text, when the provider has read it.
    public var definitionText: String?
    /// Why the endpoint's history is not shown: it contradicts the execution (moto answers
    /// GetExecutionHistory with a canned history dated 2020 naming states the machine does not
    /// have, for executions it never runs). Views say so instead of drawing it.
    public var historyProblem: String?

    /// Age since start while running, duration once ended.
    public func age(now: Date) -> TimeInterval { (execution.stopDate ?? now).timeIntervalSince(execution.startDate) }

    /// "in ChargePayment 4m12s; p99 of the last 200 is 1.20s; heartbeat 60s missed".
    public func stuckExplanation(now: Date) -> String? {
        guard !stuck.isEmpty else { return nil }
        var parts: [String] = []
        if let span = spans.current { parts.append("in \(span.name) \(SagaDuration.text(now.timeIntervalSince(span.entered)))") }
        parts += stuck.map { $0.text(now: now) }
        return parts.joined(separator: "; ")
    }

    /// What the stuck rules read for a running execution with a usable history (nil otherwise).
    var stuckInputs: StuckRules.Inputs?
    /// The stuck verdict (and so `status`) is the same at any time up to this one.
    var verdictHolds = Date.distantFuture
    /// Rule (c)'s threshold the saga is judged by.
    var silence: TimeInterval = 0

    /// The stuck rules judged again at `now`, without reading the history or definition again.
    /// A history read at some time is judged as of that read (what it says held until then;
    /// nothing is known of later), so its verdict holds until the next read.
    mutating func judge(settings: SagaSettings, now: Date) {
        guard let inputs = stuckInputs else { return }
        if case .readAt(let read) = inputs.coverage {
            stuck = StuckRules.judge(inputs, settings: settings, now: min(now, read)).reasons
            verdictHolds = .distantFuture
        } else {
            (stuck, verdictHolds) = StuckRules.judge(inputs, settings: settings, now: now)
        }
        status = !stuck.isEmpty ? .stuck : compensating ? .compensating : .running
    }

    /// Why a running saga is not judged silent although it may be: its history has not been
    /// read (again) since the silence threshold passed. nil when nothing needs saying.
    public func historyNote(now: Date) -> String? {
        guard let inputs = stuckInputs else { return nil }
        switch inputs.coverage {
        case .current:
            return nil
        case .neverRead:
            return "history not read yet (the console reads the histories on screen first; the stuck rules wait for it)"
        case .readAt(let read):
            guard now.timeIntervalSince(inputs.lastEvent) > silence, !stuck.contains(where: { $0.rule == .silent }) else { return nil }
            return "history not read for \(SagaDuration.text(now.timeIntervalSince(read))): no event in the "
                + "\(SagaDuration.text(read.timeIntervalSince(inputs.lastEvent))) before that read; not judged silent until it is read again"
        }
    }

    /// `live`: the snapshot's live stream carries the histories the provider has read.
    init(execution: Execution, definitionText: String?, definition: Result<SagaDefinition, SagaDefinitionProblem>,
         statistics: SagaStatistics, settings: SagaSettings, now: Date, live: Bool = false) {
        self.execution = execution
        self.definitionText = definitionText
        silence = settings.silence
        let saga = try? definition.get()
        historyProblem = SagaMemo.contradiction(of: execution, definition: saga)
        let memo = historyProblem == nil ? SagaMemo.spans(of: execution, settings: settings) : nil
        spans = memo?.spans ?? SagaSpans(timeline: [])
        if case .failure(let problem) = definition { definitionProblem = problem.text }
        compensation = saga?.compensation ?? []
        let current = spans.current
        currentState = current?.name ?? execution.currentState
        (businessKey, keyProblem) = memo.map { ($0.key, $0.keyProblem) } ?? (nil, "the endpoint's history is not usable")
        compensating = false
        stuck = []
        waitingFor = nil
        switch execution.status {
        case .succeeded: status = .succeeded
        case .failed: status = .failed
        case .timedOut: status = .timedOut
        case .aborted: status = .aborted
        case .pendingRedrive: status = .pendingRedrive
        case .running:
            status = .running
            if historyProblem != nil {
                // Without a history there is nothing to judge: no stuck verdict, no guess.
                currentState = nil
                keyProblem = "the endpoint's history is not usable"
                return
            }
            waitingFor = current.map { Self.waitingFor($0, definition: saga) }
            compensating = currentState.map(compensation.contains) ?? false
            let recent = current.flatMap { statistics.sample(machine: execution.stateMachineName, state: $0.name) }
            stuckInputs = StuckRules.Inputs(entered: current?.entered, stateLastEvent: current?.lastEvent,
                                            waitingForWorker: current?.waiting == .worker,
                                            lastEvent: spans.lastEvent ?? execution.timeline.last?.timestamp ?? execution.startDate,
                                            timeoutSeconds: current.flatMap { saga?.timeoutSeconds(of: $0.name) ?? $0.timeoutSeconds },
                                            heartbeatSeconds: current.flatMap { saga?.heartbeatSeconds(of: $0.name) ?? $0.heartbeatSeconds },
                                            recent: recent, coverage: Self.coverage(execution, live: live))
            judge(settings: settings, now: now)
        }
    }

    /// How much of `execution`'s history is known: followed live (or from a provider that does
    /// not say when it read), read up to a time, or never read.
    static func coverage(_ execution: Execution, live: Bool) -> HistoryCoverage {
        if execution.timeline.isEmpty && execution.historyReadAt == nil { return .neverRead }
        if live { return .current }
        return execution.historyReadAt.map(HistoryCoverage.readAt) ?? .current
    }

    /// Why the history cannot be this execution's: events dated before it started, or states
    /// the definition does not have. nil when nothing contradicts it.
    static func contradiction(_ execution: Execution, definition: SagaDefinition?) -> String? {
        if let early = execution.timeline.first(where: { $0.timestamp < execution.startDate.addingTimeInterval(-1) }) {
            return "the endpoint's history is dated \(SagaAnalysis.clockDate(early.timestamp)), before the execution started at "
                + "\(SagaAnalysis.clockDate(execution.startDate)): it is not this execution's (moto answers with a canned history "
                + "and does not run executions), so it is not shown"
        }
        if let definition {
            let unknown = execution.timeline.compactMap { $0.type.hasSuffix("StateEntered") ? $0.stateName : nil }
                .filter { definition.definition.states[$0] == nil }
            if let name = unknown.first {
                return "the endpoint's history enters state \"\(name)\", which the definition does not have: it is not shown"
            }
        }
        return nil
    }

    /// `2020-01-01 00:00:00 UTC`.
    static func clockDate(_ date: Date) -> String {
        let (year, month, day) = CivilCalendar.date(days: Int64((date.timeIntervalSince1970 / 86_400).rounded(.down)))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) " + clock(date)
    }

    /// The first key path that selects a string or a number in the input.
    static func key(_ input: String?, clipped: Int?, paths settings: SagaSettings) -> (String?, String?) {
        guard let input else { return (nil, "the history's ExecutionStarted event is not held") }
        if let clipped { return (nil, "input is \(clipped / 1024) KB; only the first \(TimelineEntry.payloadLimit / 1024) KB is held") }
        guard let value = try? JSONValue(parsing: input) else { return (nil, "input is not JSON") }
        if let key = BusinessKey.find(in: value, paths: settings.keyPaths) { return (key, nil) }
        return (nil, "no key at " + settings.keyPaths.map(\.text).joined(separator: ", "))
    }

    /// What a running state waits on, in words.
    static func waitingFor(_ span: StateSpan, definition: SagaDefinition?) -> String {
        switch span.waiting {
        case .callback?: return "callback token" + (span.resource.map { " (" + shortResource($0) + ")" } ?? "")
        case .worker?: return "worker for " + (span.resource.map(shortResource) ?? "activity")
        default: break
        }
        if span.type == "Wait" {
            if let seconds = definition?.waitSeconds(of: span.name) {
                return "Wait until " + clock(span.entered.addingTimeInterval(seconds))
            }
            if let date = definition?.waitTimestamp(of: span.name) { return "Wait until " + clock(date) }
            return "Wait"
        }
        if span.type == "Parallel" { return "Parallel branches" }
        if span.type == "Map" { return "Map iterations" }
        guard let resource = span.resource else { return span.type }
        if resource.contains(":states:::states:startExecution") { return "child execution" }
        return shortResource(resource)
    }

    /// `Lambda payment-charge`, `activity approve`, `sqs:sendMessage.waitForTaskToken`.
    static func shortResource(_ arn: String) -> String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 7, parts[2] == "lambda", parts[5] == "function" { return "Lambda " + parts[6] }
        if parts.count >= 7, parts[2] == "states", parts[5] == "activity" { return "activity " + parts[6] }
        if parts.count >= 7, parts[2] == "states", parts[3].isEmpty { return parts[5] + ":" + parts[6...].joined(separator: ":") }
        return arn
    }

    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let s = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return two(s / 3600) + ":" + two((s / 60) % 60) + ":" + two(s % 60) + " UTC"
    }
}

/// Why a machine's definition cannot be read for an execution.
public struct SagaDefinitionProblem: Error, Sendable, Hashable {
    public var text: String
}

extension Result where Success == SagaDefinition, Failure == SagaDefinitionProblem {
    /// The problem's text; nil for a definition.
    var problem: String? {
        if case .failure(let problem) = self { return problem.text }
        return nil
    }
}
