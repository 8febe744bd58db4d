import Foundation
import JSON
import StackProtocol
import Terminal
import Timekeeping

/// How `signalbox tail` writes what the live stream carries: one line per frame, as JSON for
/// scripts (`jq`) or as text for a person. Only published frames and `dropped` are written;
/// the subscription's acknowledgement and pongs are the tail's own business.
public enum TailFormat: String, Sendable, CaseIterable {
    /// The frame exactly as the stream's one encoder writes it (`docs/stream.md`): a JSON
    /// object on one line.
    case json
    /// A line a person reads: time, then what the frame says, every outside string sanitised.
    case text

    /// The line for `frame`, or nil for a frame that is not written. `throughTap`: the frame was
    /// made from a tap's message, which cannot tell the rules an event matched nor its
    /// deliveries (JSON keeps the stream's shape, with both lists empty).
    public func line(_ frame: StreamFrame, throughTap: Bool = false) -> String? {
        switch frame {
        case .published, .dropped:
            return self == .json ? StreamFrameCodec.encode(frame) : Self.text(frame, throughTap: throughTap)
        case .subscribed, .pong, .error:
            return nil
        }
    }

    // MARK: text

    static func text(_ frame: StreamFrame, throughTap: Bool = false) -> String? {
        switch frame {
        case .dropped(let count):
            return "-- \(count) frame\(count == 1 ? "" : "s") dropped here: this tail fell behind the stream"
        case .published(let message, _):
            return text(message, throughTap: throughTap)
        default:
            return nil
        }
    }

    static func text(_ message: StreamMessage, throughTap: Bool = false) -> String {
        switch message {
        case .event(let frame):
            let event = frame.event.summary
            let rules = frame.matched.map(\.rule)
            let outcomes = frame.deliveries.map { "\($0.rule)→\(shortName($0.targetArn)) \(symbol($0.status))" }
            return columns(time(iso: event.time), "event", frame.bus, event.source ?? "", event.detailType ?? "",
                           throughTap ? "rules and deliveries not visible through a tap"
                               : rules.isEmpty ? "no rule matched" : "rules: " + rules.joined(separator: ","),
                           outcomes.joined(separator: "  "))
        case .delivery(let outcome):
            return columns(time(epochSeconds: nil), "delivery", outcome.bus, outcome.rule, "→ " + shortName(outcome.targetArn),
                           symbol(outcome.status) + (outcome.errorCode.map { " " + $0 } ?? ""), outcome.eventId)
        case .queueStatistics(let statistics):
            let counts = statistics.queues.map { "\($0.name) \($0.visible)/\($0.inFlight)/\($0.delayed)" }
            return columns(time(epochSeconds: nil), "queues", "visible/in flight/delayed:", counts.joined(separator: "  "))
        case .execution(let change):
            return columns(time(epochSeconds: change.stopDate ?? change.startDate), "execution", shortName(change.execution.stateMachineArn),
                           change.execution.name, change.status, [change.error, change.cause].compactMap { $0 }.joined(separator: ": "))
        case .history(let history):
            let event = history.event
            let state = event.objectValue?.values.lazy.compactMap { $0["name"]?.stringValue }.first ?? ""
            return columns(time(epochSeconds: event["timestamp"]?.doubleValue), "history", shortName(history.execution.stateMachineArn),
                           history.execution.name, "#\(event["id"]?.intValue ?? 0) \(event["type"]?.stringValue ?? "")", state)
        case .breaker(let change):
            let breaker = change.entry.snapshot
            return columns(time(epochSeconds: change.entry.reportedAt), "breaker", "\(breaker.service) → \(breaker.dependency)",
                           (change.previousState.map { "\($0.rawValue) → " } ?? "") + breaker.state.rawValue)
        case .breakerOverride(let result):
            let audit = result.audit
            return columns(time(epochSeconds: audit.at), "override", "\(audit.service) → \(audit.dependency)",
                           "\(audit.from.rawValue) → \(audit.to.rawValue) by \(audit.actor)", audit.reason)
        case .message(let change):
            var what = change.change.rawValue
            if let count = change.receiveCount { what += " (receive \(count))" }
            if let dlq = change.deadLetterQueue { what += " → " + dlq }
            let sender = change.sender.map { "from \($0.rule) (event \($0.eventId))" }
                ?? change.execution.map { "from state \($0.stateName) of \(shortName($0.executionArn))" } ?? ""
            return columns(time(epochSeconds: Double(change.time) / 1000), "message", change.queue, change.messageId, what, sender,
                           change.body.map { ($0.count > 120 ? String($0.prefix(120)) + "…" : $0) } ?? "")
        case .messageMoved(let move):
            return columns(time(epochSeconds: Double(move.time) / 1000), "message", move.queue, move.messageId,
                           "moved → \(move.toQueue) as \(move.toMessageId)")
        case .queueEmptied(let emptied):
            let count = "\(emptied.count) message\(emptied.count == 1 ? "" : "s")"
            return columns(time(epochSeconds: Double(emptied.time) / 1000), "queue", emptied.queue,
                           emptied.reason == .purged ? "purged: \(count) removed" : "deleted with \(count)")
        case .other(let type, let topic, let data):
            return columns(time(epochSeconds: nil), type, topic.rawValue, data.serialized)
        }
    }

    /// Fields separated by two spaces, each sanitised and cut, empty ones left out.
    static func columns(_ fields: String...) -> String {
        fields.filter { !$0.isEmpty }.map { Sanitizer.sanitize($0, limit: 400) }.joined(separator: "  ")
    }

    static func symbol(_ status: DeliveryOutcome.Status) -> String {
        switch status {
        case .delivered: "✓"
        case .retrying: "retrying"
        case .deadLettered: "dead-lettered"
        case .failed: "✗"
        }
    }

    /// The last part of an ARN (`…:queue-name`, `…:stateMachine:order-saga` → `order-saga`).
    static func shortName(_ arn: String) -> String {
        String(arn.split(separator: ":").last.map { $0.split(separator: "/").last ?? $0 } ?? Substring(arn))
    }

    /// `HH:mm:ss.SSS` in UTC, from an ISO 8601 text or epoch seconds; the time now when the
    /// frame carries none.
    static func time(iso: String?) -> String {
        guard let iso, let date = try? Date(iso, strategy: .iso8601) else { return time(epochSeconds: nil) }
        return clock(date)
    }

    static func time(epochSeconds: Double?) -> String {
        clock(epochSeconds.map(Date.init(timeIntervalSince1970:)) ?? Date())
    }

    static func clock(_ date: Date) -> String {
        CivilTime.timeOfDayMilliseconds(date)
    }
}
