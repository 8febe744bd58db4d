import Foundation
import Provider
import Terminal

/// Step Functions executions as sagas: running, compensating, stuck, done.
struct SagasPane: Pane {
    /// The execution ARN.
    typealias RowID = String

    let id = PaneID.sagas
    let title = "Sagas"
    let defaultKey: Key? = .character("5")
    let onDashboard = true
    let roles: [Role] = [.sagaRunning, .sagaSucceeded, .sagaFailed, .sagaCompensating, .sagaStuck]

    var actions: [PaneAction<String, NoViewState>] {
        [
            .system("stop-execution", [.character("S")], "Stop the execution") { arn, context in
                guard let execution = context.snapshot.executions.first(where: { $0.arn == arn }), execution.status == .running else {
                    return .refuse("only a running execution can be stopped")
                }
                return .ask(.stopExecution(arn: arn, cause: "stopped by operator from signalbox"))
            },
            .system("redrive-execution", [.character("R")], "Redrive the failed execution") { arn, context in
                guard let execution = context.snapshot.executions.first(where: { $0.arn == arn }),
                      [.failed, .timedOut, .aborted].contains(execution.status) else {
                    return .refuse("only a failed, timed-out or aborted execution can be redriven")
                }
                return .ask(.redriveExecution(arn: arn))
            },
        ]
    }

    func body(_ context: PaneContext, view: NoViewState) -> PaneBody<String> {
        let s = context.snapshot, now = context.now
        let rows = s.executions.map { e in
            let state = e.sagaState(now: now)
            let role: Role = switch state {
            case .running: .sagaRunning
            case .succeeded: .sagaSucceeded
            case .failed: .sagaFailed
            case .compensating: .sagaCompensating
            case .stuck: .sagaStuck
            }
            return PaneRow(id: e.arn,
                           cells: [e.name, e.stateMachineName, state.rawValue.uppercased(), e.currentState ?? "-",
                                   Format.duration(Duration.seconds(max(0, (e.stopDate ?? now).timeIntervalSince(e.startDate))))],
                           roles: [.text, .muted, role, .text, .muted])
        }
        let stuck = s.executions.filter { $0.sagaState(now: now) == .stuck }.count
        return .table(PaneTable(columns: [Column("EXECUTION", width: 10, flex: 3, priority: 0), Column("MACHINE", width: 8, flex: 2, priority: 4),
                                          Column("STATUS", width: 12, priority: 1), Column("STATE", width: 8, flex: 2, priority: 2),
                                          Column("AGE", width: 6, alignRight: true, priority: 3)],
                                rows: rows, emptyMessage: "No saga executions.",
                                summary: s.executions.isEmpty ? nil : "\(s.executions.count) executions" + (stuck > 0 ? ", \(stuck) stuck" : "")))
    }

    func detail(of row: String, _ context: PaneContext) -> [DetailLine]? {
        guard let e = context.snapshot.executions.first(where: { $0.arn == row }) else { return nil }
        var lines: [DetailLine] = [
            ("execution      " + e.arn, .muted), ("state machine  " + e.stateMachineName, .text),
            ("status         " + e.status.rawValue + " (" + e.sagaState(now: context.now).rawValue + ")", .text),
            ("started        " + Format.clock(e.startDate) + " UTC", .text),
            ("current state  " + (e.currentState ?? "-"), .text), ("", .text), ("timeline", .title),
        ]
        for entry in e.timeline {
            let role: Role = entry.type.hasSuffix("Failed") || entry.type.hasSuffix("TimedOut") ? .error : .text
            lines.append(("\(Format.clock(entry.timestamp))  \(entry.type)  \(entry.stateName ?? "")  \(entry.detail ?? "")", role))
        }
        if e.timeline.isEmpty { lines.append(("no history events", .muted)) }
        return lines
    }
}

extension PaneID {
    public static let sagas = PaneID("sagas")
}

extension Role {
    public static let sagaRunning = Role("saga-running")
    public static let sagaSucceeded = Role("saga-succeeded")
    public static let sagaFailed = Role("saga-failed")
    public static let sagaCompensating = Role("saga-compensating")
    public static let sagaStuck = Role("saga-stuck")
}
