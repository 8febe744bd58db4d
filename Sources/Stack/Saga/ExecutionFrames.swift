import Foundation
import JSON
import StatesLanguage

/// The frames the saga engine publishes on the live stream's `executions` topic, so the console
/// draws saga timelines as they happen instead of polling GetExecutionHistory:
///
/// - `history`: one per history event, once committed — `{"executionArn", "stateMachineArn",
///   "name", "status", "event": {…as GetExecutionHistory shapes it}}`; `status` is the
///   execution's status right after that event (`RUNNING` until the closing event).
/// - `execution`: when an execution's status changes (started, closed, redriven) —
///   `{"executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate"?,
///   "error"?, "cause"?, "redriveCount"}`.
///
/// Each frame's data is also its subject, so a viewer's pattern can select executions by
/// machine, name or status (`{"stateMachineArn":["…"]}`).
enum ExecutionFrames {
    static let topic = "executions"

    struct Frame: Sendable {
        var type: String
        var data: JSONValue
    }

    /// The frames of one committed step (`previousStatus` nil for a start): `execution`
    /// RUNNING first when it (re)starts, its history events, then `execution` with the closed
    /// status when it ends — a start that runs to the end at once gets both.
    static func frames(for execution: Execution, events: [HistoryEvent], previousStatus: ExecutionStatus?) -> [Frame] {
        let context = execution.context
        var frames: [Frame] = []
        frames.reserveCapacity(events.count + 2)
        if previousStatus != .running {
            frames.append(Frame(type: "execution", data: summary(execution, status: .running)))
        }
        let closing = execution.status != .running ? events.lastIndex(where: { Self.closes($0.type) }) : nil
        for (index, event) in events.enumerated() {
            let status = closing.map { index >= $0 } == true ? execution.status.rawValue : ExecutionStatus.running.rawValue
            frames.append(Frame(type: "history", data: [
                "executionArn": .string(context.executionArn), "stateMachineArn": .string(context.stateMachineArn),
                "name": .string(context.name), "status": .string(status),
                "event": .object(event.wireObject(includeExecutionData: true)),
            ]))
        }
        if execution.status != .running {
            frames.append(Frame(type: "execution", data: summary(execution, status: execution.status)))
        }
        return frames
    }

    static func summary(_ execution: Execution, status: ExecutionStatus) -> JSONValue {
        let context = execution.context
        var object: JSONObject = [
            "executionArn": .string(context.executionArn), "stateMachineArn": .string(context.stateMachineArn),
            "name": .string(context.name), "status": .string(status.rawValue),
            "startDate": execution.startDate.epochSeconds, "redriveCount": .number(Double(execution.redriveCount)),
        ]
        if let stop = execution.stopDate, status != .running { object["stopDate"] = stop.epochSeconds }
        if let failure = execution.failure, status != .running, status != .succeeded {
            if !failure.error.isEmpty { object["error"] = .string(failure.error) }
            if let cause = failure.cause { object["cause"] = .string(cause) }
        }
        return .object(object)
    }

    /// The history event types that close an execution.
    static func closes(_ type: String) -> Bool {
        type == "ExecutionSucceeded" || type == "ExecutionFailed" || type == "ExecutionTimedOut" || type == "ExecutionAborted"
    }
}
