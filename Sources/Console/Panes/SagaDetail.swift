import Foundation
import Provider
import SagaTimeline
import Terminal

/// The drill-down of one saga: who it is (business key), where it is, why it is stuck (the
/// rules that fired, with their numbers), and the states it went through with their times.
enum SagaDetail {
    /// `states`: list the states entered before the events (the timeline already draws them).
    static func lines(_ saga: SagaAnalysis, now: Date, states: Bool = true) -> [DetailLine] {
        let e = saga.execution
        var lines: [DetailLine] = [
            ("execution      " + e.name, .text),
            ("               " + e.arn, .muted),
            ("business key   " + (saga.businessKey ?? "- (" + (saga.keyProblem ?? "unknown") + ")"), saga.businessKey == nil ? .muted : .accent),
            ("state machine  " + e.stateMachineName, .text),
            ("status         " + saga.status.rawValue, SagasPane.role(saga.status)),
        ]
        if let why = saga.stuckExplanation(now: now) {
            lines.append(("stuck          " + why, .sagaStuck))
            lines.append(("rules fired    " + saga.stuck.map { ruleName($0.rule) }.joined(separator: ", "), .warn))
        }
        lines.append(("started        " + Format.clock(e.startDate) + " UTC · " + (e.stopDate == nil ? "age " : "took ")
                      + SagaDuration.text(saga.age(now: now)), .text))
        if let state = saga.currentState {
            lines.append(("current state  " + state + (saga.compensation.contains(state) ? " (compensation)" : ""),
                          saga.compensation.contains(state) ? .sagaCompensating : .text))
        }
        if let waiting = saga.waitingFor { lines.append(("waiting for    " + waiting, .text)) }
        if let error = saga.spans.executionError {
            lines.append(("error          " + error + (saga.spans.executionCause.map { ": " + $0 } ?? ""), .error))
        }
        if let problem = saga.historyProblem {
            lines.append(("history        " + problem, .warn))
        }
        if let note = saga.historyNote(now: now) {
            lines.append(("history        " + note, .warn))
        }
        if let problem = saga.definitionProblem {
            lines.append(("definition     " + problem + "; compensation is not shown", .warn))
        }
        lines.append(("", .text))
        if states {
            lines.append(("states", .title))
            if saga.spans.spans.isEmpty { lines.append(("no state entered yet, or the history is not fetched yet", .muted)) }
            for index in saga.spans.treeOrder {
                let span = saga.spans.spans[index]
                let mark: String, role: Role
                switch span.outcome {
                case .succeeded: (mark, role) = ("✓", saga.compensation.contains(span.name) ? .sagaCompensating : .sagaSucceeded)
                case .failed: (mark, role) = ("✗", .sagaFailed)
                case .running: (mark, role) = ("▶", saga.status == .stuck ? .sagaStuck : .sagaRunning)
                }
                var text = String(repeating: "  ", count: span.depth + 1) + mark + " " + span.name
                text += "  " + SagaDuration.text(span.duration(now: now)) + (span.exited == nil ? "…" : "")
                if !span.retries.isEmpty { text += "  \(span.retries.count) retr" + (span.retries.count == 1 ? "y" : "ies") }
                if saga.compensation.contains(span.name) { text += "  compensation" }
                if let error = span.error { text += "  " + error + (span.cause.map { ": " + $0 } ?? "") }
                lines.append((text, role))
            }
            lines.append(("", .text))
        }
        let count = e.timeline.count
        lines.append(("history, oldest first (\(count) event\(count == 1 ? "" : "s"))", .title))
        for entry in e.timeline {
            let role: Role = entry.type.hasSuffix("Failed") || entry.type.hasSuffix("TimedOut") ? .error : .text
            lines.append((clock(entry.timestamp) + "  " + entry.type + "  " + (entry.stateName ?? "") + "  " + (entry.detail ?? ""), role))
        }
        if e.timeline.isEmpty { lines.append(("no history events fetched yet", .muted)) }
        return lines
    }

    /// `11:06:21.042`: history events are milliseconds apart.
    static func clock(_ date: Date) -> String {
        let ms = Int((date.timeIntervalSince1970 * 1000).rounded()) % 1000
        return Format.clock(date) + "." + (ms < 10 ? "00" : ms < 100 ? "0" : "") + String(ms)
    }

    static func ruleName(_ rule: StuckReason.Rule) -> String {
        switch rule {
        case .timeout: "(a) TimeoutSeconds"
        case .heartbeat: "(a) HeartbeatSeconds"
        case .slowerThanUsual: "(b) k × the state's p99"
        case .silent: "(c) no history event"
        }
    }
}
