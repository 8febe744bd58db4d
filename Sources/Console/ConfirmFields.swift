import Foundation
import JSON
import Provider
import Timekeeping

/// One text field of a confirmation dialog: the reason every dangerous action asks for, and the
/// values an action needs typed (a stop's cause, a task's output, error and cause).
public struct DialogField: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case text
        /// Must parse as JSON before the action is sent.
        case json
        /// An RFC 3339 time (`2026-12-07T03:10:00Z`).
        case time
    }
    /// The action's parameter it fills (`reason`, `cause`, `output`, `error`).
    public var name: String
    public var label: String
    public var text: String
    public var kind: Kind
    /// Most characters AWS accepts for it.
    public var limit: Int
}

extension OperatorAction {
    /// The fields the dialog shows for this action, the reason last.
    var dialogFields: [DialogField] {
        var fields: [DialogField] = []
        switch self {
        case .stopExecution:
            fields.append(DialogField(name: "cause", label: "cause", text: "", kind: .text, limit: 32_768))
        case .sendTaskSuccess:
            fields.append(DialogField(name: "output", label: "output", text: "{}", kind: .json, limit: 262_144))
        case .sendTaskFailure:
            fields.append(DialogField(name: "error", label: "error", text: "Signalbox.OperatorFailure", kind: .text, limit: 256))
            fields.append(DialogField(name: "cause", label: "cause", text: "", kind: .text, limit: 32_768))
        case .startReplay(let replay):
            // Seconds are enough to type; the window is taken as typed (UTC unless an offset is given).
            fields.append(DialogField(name: "from", label: "from", text: CivilTime(UnixTime(replay.from)).rfc3339Seconds, kind: .time, limit: 40))
            fields.append(DialogField(name: "to", label: "to", text: CivilTime(UnixTime(replay.to)).rfc3339Seconds, kind: .time, limit: 40))
            fields.append(DialogField(name: "replayName", label: "name", text: replay.name, kind: .text, limit: 64))
        default:
            break
        }
        fields.append(DialogField(name: "reason", label: "reason", text: "", kind: .text, limit: 512))
        return fields
    }

    /// Checks the typed fields; nil when they are fine, else what is wrong, naming the field.
    static func problem(in fields: [DialogField]) -> (index: Int, text: String)? {
        for (index, field) in fields.enumerated() {
            if field.kind == .json {
                do {
                    _ = try JSONValue(parsing: field.text)
                } catch {
                    return (index, "\(field.label) is not JSON: \(error)")
                }
            }
            if field.kind == .time, RFC3339.parse(field.text) == nil {
                return (index, "\(field.label) is not a time like 2026-12-07T03:10:00Z")
            }
            if field.name == "error" && field.text.trimmingCharacters(in: .whitespaces).isEmpty {
                return (index, "error must not be empty (it is what a Catch's ErrorEquals matches)")
            }
            if field.name == "replayName", !ReplayNaming.isValid(field.text) {
                return (index, "replay name must be 1 to 64 of A-Z a-z 0-9 . - _ (EventBridge's ReplayName)")
            }
        }
        if let from = fields.firstIndex(where: { $0.name == "from" && $0.kind == .time }),
           let to = fields.firstIndex(where: { $0.name == "to" && $0.kind == .time }),
           let start = RFC3339.parse(fields[from].text), let end = RFC3339.parse(fields[to].text), start >= end {
            return (to, "to must be after from")
        }
        return nil
    }

    /// This action with the typed values in; an empty value keeps the action's own default.
    func filled(with fields: [DialogField]) -> OperatorAction {
        func value(_ name: String) -> String? {
            fields.first { $0.name == name }.map(\.text).flatMap { $0.isEmpty ? nil : $0 }
        }
        switch self {
        case .forceBreaker(let service, let dependency, let force, let reason):
            return .forceBreaker(service: service, dependency: dependency, force, reason: value("reason") ?? reason)
        case .releaseBreaker(let service, let dependency, let reason):
            return .releaseBreaker(service: service, dependency: dependency, reason: value("reason") ?? reason)
        case .stopExecution(let arn, let cause):
            return .stopExecution(arn: arn, cause: value("cause") ?? cause)
        case .sendTaskSuccess(let arn, let token, let output):
            return .sendTaskSuccess(execution: arn, token: token, output: value("output") ?? output)
        case .sendTaskFailure(let arn, let token, let error, let cause):
            return .sendTaskFailure(execution: arn, token: token, error: value("error") ?? error, cause: value("cause") ?? cause)
        case .startReplay(var replay):
            replay.name = value("replayName") ?? replay.name
            replay.from = value("from").flatMap(RFC3339.parse) ?? replay.from
            replay.to = value("to").flatMap(RFC3339.parse) ?? replay.to
            return .startReplay(replay)
        default:
            return self
        }
    }

    /// What the audit trail records the action was sent with.
    var auditParameters: [String: String] {
        switch self {
        case .forceBreaker(let service, let dependency, let force, let reason):
            ["service": service, "dependency": dependency, "force": force.rawValue, "reason": reason]
        case .releaseBreaker(let service, let dependency, let reason):
            ["service": service, "dependency": dependency, "reason": reason]
        case .redriveDeadLetterQueue(let arn): ["sourceArn": arn]
        case .purgeQueue(let url): ["queueUrl": url]
        case .stopExecution(let arn, let cause): ["executionArn": arn, "cause": cause]
        case .redriveExecution(let arn): ["executionArn": arn]
        case .sendTaskSuccess(let arn, let token, let output): ["executionArn": arn, "taskToken": token, "output": output]
        case .sendTaskFailure(let arn, let token, let error, let cause):
            ["executionArn": arn, "taskToken": token, "error": error, "cause": cause]
        case .sendTaskHeartbeat(let arn, let token): ["executionArn": arn, "taskToken": token]
        case .startExecution(let machine, let input, let basedOn): ["stateMachineArn": machine, "input": input, "basedOn": basedOn]
        case .openTap(let pattern): ["pattern": pattern ?? TapPlan.everyEvent]
        case .removeTaps(let taps): ["taps": taps.map(\.summary).joined(separator: "; ")]
        case .startReplay(let replay):
            ["replayName": replay.name, "eventSourceArn": replay.archiveArn, "destination": replay.busArn,
             "eventStartTime": RFC3339.format(replay.from), "eventEndTime": RFC3339.format(replay.to)]
        }
    }
}
