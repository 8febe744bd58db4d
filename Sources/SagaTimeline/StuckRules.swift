import Foundation

/// Why a running saga counts as stuck: one of three rules, with the numbers that made it fire.
/// Its sentence counts time since a moment where a rule is about silence, so a verdict holds
/// from one second to the next while only its sentence changes.
public struct StuckReason: Sendable, Hashable {
    public enum Rule: String, Sendable, Hashable {
        /// (a) In one state longer than its `TimeoutSeconds` allows.
        case timeout
        /// (a) No sign of life from the worker for longer than its `HeartbeatSeconds`.
        case heartbeat
        /// (b) Longer than k × the p99 of the same state's recent durations.
        case slowerThanUsual
        /// (c) No history event for longer than the silence threshold.
        case silent
    }

    public var rule: Rule
    /// The limit passed: TimeoutSeconds, HeartbeatSeconds, k × p99 or the silence threshold.
    var limit: Double
    /// The last sign of life, for heartbeat and silence.
    var since: Date?
    /// Rule (b)'s sample and factor.
    var recent: DurationSample?
    var factor: Double = 0
    /// Rule (c) on a polled history: when it was read (the silence is proven up to then).
    var readAt: Date?

    /// The operator's sentence at `now`: "TimeoutSeconds 60 exceeded".
    public func text(now: Date) -> String {
        let quiet = since.map { SagaDuration.text(now.timeIntervalSince($0)) } ?? "?"
        switch rule {
        case .timeout: return "TimeoutSeconds \(StuckRules.number(limit)) exceeded"
        case .heartbeat: return "heartbeat \(StuckRules.number(limit))s missed (last sign \(quiet) ago)"
        case .slowerThanUsual:
            return "p99 of the last \(recent?.count ?? 0) is \(SagaDuration.text(recent?.p99 ?? 0)); "
                + "\(StuckRules.number(factor))× that is \(SagaDuration.text(limit))"
        case .silent:
            guard let readAt, let since else { return "no history event for \(quiet) (threshold \(SagaDuration.text(limit)))" }
            return "no history event for \(SagaDuration.text(readAt.timeIntervalSince(since))) up to its last read "
                + "\(SagaDuration.text(now.timeIntervalSince(readAt))) ago (threshold \(SagaDuration.text(limit)))"
        }
    }
}

/// The three stuck rules, as a pure function of what the execution's history and its
/// definition say about the state it is in, the machine's recent durations and the time.
public enum StuckRules {
    /// What the rules read besides the time; unchanged while the execution's history is.
    public struct Inputs: Sendable, Hashable {
        /// When the current state was entered, and its last event (nil: no state entered).
        public var entered: Date?
        public var stateLastEvent: Date?
        /// The state's activity waits for a worker to pick it up (heartbeats start after that).
        public var waitingForWorker: Bool
        /// The history's last event, else the execution's start.
        public var lastEvent: Date
        public var timeoutSeconds: Double?
        public var heartbeatSeconds: Double?
        public var recent: DurationSample?
        /// How far the history is known: read up to a time, followed live, or never read.
        public var coverage: HistoryCoverage

        public init(entered: Date?, stateLastEvent: Date?, waitingForWorker: Bool, lastEvent: Date,
                    timeoutSeconds: Double?, heartbeatSeconds: Double?, recent: DurationSample?, coverage: HistoryCoverage = .current) {
            self.coverage = coverage
            self.entered = entered
            self.stateLastEvent = stateLastEvent
            self.waitingForWorker = waitingForWorker
            self.lastEvent = lastEvent
            self.timeoutSeconds = timeoutSeconds
            self.heartbeatSeconds = heartbeatSeconds
            self.recent = recent
        }
    }

    /// The rules that fire at `now`, and until when that verdict holds: it is the same at any
    /// time from `now` to `until` included (a rule fires once the time passes its deadline, and
    /// stays fired while the inputs are the same; `until` is the earliest unfired deadline).
    public static func judge(_ inputs: Inputs, settings: SagaSettings, now: Date) -> (reasons: [StuckReason], until: Date) {
        var reasons: [StuckReason] = []
        var until = Date.distantFuture
        func check(_ reason: StuckReason, from start: Date) {
            let deadline = start.addingTimeInterval(reason.limit)
            if now > deadline { reasons.append(reason) } else { until = min(until, deadline) }
        }
        if let entered = inputs.entered {
            if let timeout = inputs.timeoutSeconds { check(StuckReason(rule: .timeout, limit: timeout), from: entered) }
            if let heartbeat = inputs.heartbeatSeconds, !inputs.waitingForWorker {
                let last = inputs.stateLastEvent ?? entered
                check(StuckReason(rule: .heartbeat, limit: heartbeat, since: last), from: last)
            }
            if let recent = inputs.recent, recent.count >= settings.minimumSamples {
                check(StuckReason(rule: .slowerThanUsual, limit: recent.p99 * settings.stuckFactor, recent: recent,
                                  factor: settings.stuckFactor), from: entered)
            }
        }
        switch inputs.coverage {
        case .current:
            check(StuckReason(rule: .silent, limit: settings.silence, since: inputs.lastEvent), from: inputs.lastEvent)
        case .readAt(let read):
            // The silence is known only up to the read: a history the console has not read
            // again is not evidence of silence (the sagas views say "history not read" instead).
            if read.timeIntervalSince(inputs.lastEvent) > settings.silence {
                reasons.append(StuckReason(rule: .silent, limit: settings.silence, since: inputs.lastEvent, readAt: read))
            }
        case .neverRead:
            break
        }
        return (reasons, until)
    }

    /// `60`, `2.5`: numbers as definitions write them.
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// How much of an execution's history the console has.
public enum HistoryCoverage: Sendable, Hashable {
    /// Complete up to now: followed live, or from a provider that does not say when it read.
    case current
    /// Complete up to this read; nothing is known of later events.
    case readAt(Date)
    /// Not read at all.
    case neverRead
}

/// Recent durations of one state of one machine: how many, and their p99.
public struct DurationSample: Sendable, Hashable {
    public var count: Int
    public var p99: TimeInterval

    /// The nearest-rank p99 of `durations`; nil when there are none.
    public init?(_ durations: [TimeInterval]) {
        guard !durations.isEmpty else { return nil }
        let sorted = durations.sorted()
        let rank = Int((0.99 * Double(sorted.count)).rounded(.up))
        count = sorted.count
        p99 = sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
