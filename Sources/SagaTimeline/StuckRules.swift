import Foundation

/// Why a running saga counts as stuck: one of three rules, with the numbers that made it fire.
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
    /// The operator's sentence: "TimeoutSeconds 60 exceeded".
    public var text: String
}

/// The three stuck rules, as a pure function of the execution's spans, its definition's limits,
/// the machine's recent durations and the time.
public enum StuckRules {
    /// The rules that fire for a running execution whose current state is `current`.
    public static func evaluate(current: StateSpan?, lastEvent: Date?, started: Date, timeoutSeconds: Double?,
                                heartbeatSeconds: Double?, recent: DurationSample?, settings: SagaSettings, now: Date) -> [StuckReason] {
        var reasons: [StuckReason] = []
        if let span = current {
            let inState = now.timeIntervalSince(span.entered)
            if let timeout = timeoutSeconds, inState > timeout {
                reasons.append(StuckReason(rule: .timeout, text: "TimeoutSeconds \(number(timeout)) exceeded"))
            }
            if let heartbeat = heartbeatSeconds, span.waiting != .worker {
                let quiet = now.timeIntervalSince(span.lastEvent)
                if quiet > heartbeat {
                    reasons.append(StuckReason(rule: .heartbeat,
                                               text: "heartbeat \(number(heartbeat))s missed (last sign \(SagaDuration.text(quiet)) ago)"))
                }
            }
            if let recent, recent.count >= settings.minimumSamples {
                let limit = recent.p99 * settings.stuckFactor
                if inState > limit {
                    reasons.append(StuckReason(rule: .slowerThanUsual,
                                               text: "p99 of the last \(recent.count) is \(SagaDuration.text(recent.p99)); "
                                                   + "\(number(settings.stuckFactor))× that is \(SagaDuration.text(limit))"))
                }
            }
        }
        let quiet = now.timeIntervalSince(lastEvent ?? started)
        if quiet > settings.silence {
            reasons.append(StuckReason(rule: .silent, text: "no history event for \(SagaDuration.text(quiet)) "
                                           + "(threshold \(SagaDuration.text(settings.silence)))"))
        }
        return reasons
    }

    /// `60`, `2.5`: numbers as definitions write them.
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
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
