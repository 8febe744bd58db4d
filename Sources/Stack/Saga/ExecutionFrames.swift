import Foundation
import JSON
import StackProtocol
import StatesLanguage

/// The messages the saga engine publishes on the live stream's `executions` topic, so the
/// console draws saga timelines as they happen instead of polling GetExecutionHistory:
/// `history` (`ExecutionHistoryEvent`) for each history event once committed, and `execution`
/// (`ExecutionChange`) when an execution's status changes (started, closed, redriven).
///
/// Each frame's data is also its subject, so a viewer's pattern can select executions by
/// machine, name or status (`{"stateMachineArn":["…"]}`).
enum ExecutionFrames {
    /// The messages of one committed step (`previousStatus` nil for a start): `execution`
    /// RUNNING first when it (re)starts, its history events, then `execution` with the closed
    /// status when it ends — a start that runs to the end at once gets both.
    static func messages(for execution: Execution, events: [HistoryEvent], previousStatus: ExecutionStatus?) -> [StreamMessage] {
        let context = execution.context
        let identity = ExecutionIdentity(executionArn: context.executionArn, stateMachineArn: context.stateMachineArn,
                                         name: context.name)
        var messages: [StreamMessage] = []
        messages.reserveCapacity(events.count + 2)
        if previousStatus != .running {
            messages.append(.execution(change(execution, identity, status: .running)))
        }
        let closing = execution.status != .running ? events.lastIndex(where: { Self.closes($0.type) }) : nil
        for (index, event) in events.enumerated() {
            let status = closing.map { index >= $0 } == true ? execution.status.rawValue : ExecutionStatus.running.rawValue
            messages.append(.history(ExecutionHistoryEvent(
                execution: identity, status: status, event: .object(event.wireObject(includeExecutionData: true)))))
        }
        if execution.status != .running {
            messages.append(.execution(change(execution, identity, status: execution.status)))
        }
        return messages
    }

    static func change(_ execution: Execution, _ identity: ExecutionIdentity, status: ExecutionStatus) -> ExecutionChange {
        var change = ExecutionChange(execution: identity, status: status.rawValue,
                                     startDate: seconds(execution.startDate), redriveCount: execution.redriveCount)
        if let stop = execution.stopDate, status != .running { change.stopDate = seconds(stop) }
        if let failure = execution.failure, status != .running, status != .succeeded {
            if !failure.error.isEmpty { change.error = failure.error }
            change.cause = failure.cause
        }
        return change
    }

    /// AWS JSON timestamps: epoch seconds to the millisecond (as `Date.epochSeconds`).
    private static func seconds(_ date: Date) -> Double {
        (date.timeIntervalSince1970 * 1000).rounded() / 1000
    }

    /// The history event types that close an execution.
    static func closes(_ type: String) -> Bool {
        type == "ExecutionSucceeded" || type == "ExecutionFailed" || type == "ExecutionTimedOut" || type == "ExecutionAborted"
    }
}
