import Foundation
import Provider
import SagaTimeline
import Synchronization
import Terminal
import TopologyLayout

/// Step Functions executions as sagas: every running one first, then the recent ended ones;
/// business key, what each waits for, stuck (by three stated rules) and compensating (from the
/// definition's Catch paths).
struct SagasPane: Pane {
    /// The execution ARN.
    typealias RowID = String

    /// The list's status filter (`s` cycles) and sort order (`o` cycles).
    struct ViewState: Sendable, Hashable {
        enum Filter: String, Sendable, Hashable, CaseIterable {
            /// In the order `s` cycles them, from `all`.
            case running, failed, stuck, all
        }
        enum Sort: String, Sendable, Hashable, CaseIterable {
            /// Running first, newest first: the provider's order.
            case listed
            case age, status, machine
        }
        /// What Enter on a saga shows.
        enum Mode: Sendable, Hashable {
            case gantt, table, graph
        }
        var filter = Filter.all
        var sort = Sort.listed
        var mode = Mode.gantt
        /// Timeline zoom (0: the whole run; each level doubles) and pan (quarters of the window).
        var zoom = 0
        var pan = 0
        /// The Parallel and Map states (by the id of their entered event) whose branches and
        /// iterations are folded into their row.
        var folded: Set<Int> = []
        /// The selected state's detail fills the timeline.
        var stepOnly = false
    }

    let id = PaneID.sagas
    let title = "Sagas"
    let defaultKey: Key? = .character("5")
    let onDashboard = true
    let dataSections: Set<DataSection> = [.sagas]
    let roles: [Role] = [.sagaRunning, .sagaSucceeded, .sagaFailed, .sagaCompensating, .sagaStuck]
    let initialViewState = ViewState()
    let settings: SagaSettings

    init(settings: SagaSettings = SagaSettings()) {
        self.settings = settings
    }

    var actions: [PaneAction<String, ViewState>] {
        [
            .view("saga-status-filter", [.character("s")], "Show running / failed / stuck / all sagas") { view, _ in
                let all = ViewState.Filter.allCases
                view.filter = all[((all.firstIndex(of: view.filter) ?? 0) + 1) % all.count]
            },
            .view("saga-sort", [.character("o")], "Sort sagas by age / status / machine / as listed") { view, _ in
                let all = ViewState.Sort.allCases
                view.sort = all[((all.firstIndex(of: view.sort) ?? 0) + 1) % all.count]
            },
            .detailView("saga-zoom-in", [.character("+"), .character("=")], "Timeline: zoom in") { view, _ in view.zoom = min(view.zoom + 1, 20) },
            .detailView("saga-zoom-out", [.character("-")], "Timeline: zoom out") { view, _ in
                view.zoom = max(0, view.zoom - 1)
                view.pan = min(view.pan, view.zoom == 0 ? 0 : view.pan)
            },
            .detail("saga-pan-left", [.character("h"), .left], "Timeline: pan earlier (graph: the state to the left)") { arn, view, context in
                if view.mode == .graph { return graphNeighbour(arn, .left, view, context) }
                view.pan = max(0, view.pan - 1)
                return nil
            },
            .detail("saga-pan-right", [.character("l"), .right], "Timeline: pan later (graph: the state to the right)") { arn, view, context in
                if view.mode == .graph { return graphNeighbour(arn, .right, view, context) }
                view.pan = min(view.pan + 1, 4 * ((1 << view.zoom) - 1))
                return nil
            },
            .detail("saga-fold", [.character("f")], "Timeline: fold / unfold the selected Parallel / Map") { arn, view, context in
                // The graph draws every branch; its cursor walks states, not the chart's rows.
                guard view.mode == .gantt, let arn, let saga = SagaBoard.of(context.snapshot, settings: settings, now: context.now).saga(arn) else { return nil }
                let spans = saga.spans.spans
                var index = selectedSpan(saga, view, context)
                while let at = index, !spans[at].isContainer { index = spans[at].parent }
                guard let container = index else { return nil }
                let id = spans[container].enteredEventId
                if view.folded.remove(id) == nil { view.folded.insert(id) }
                // The cursor stays on the state folded or unfolded.
                return SagaTimelineView.rows(saga, folded: view.folded).firstIndex(of: container)
            },
            .detail("saga-fold-all", [.character("a")], "Timeline: fold / unfold every Parallel and Map state") { arn, view, context in
                guard view.mode == .gantt, let arn, let saga = SagaBoard.of(context.snapshot, settings: settings, now: context.now).saga(arn) else { return nil }
                let containers = Set(saga.spans.spans.filter(\.isContainer).map(\.enteredEventId))
                let selected = selectedSpan(saga, view, context)
                view.folded = containers.isSubset(of: view.folded) ? [] : containers
                // The cursor stays on the selected state, or on the state it is folded into.
                var index = selected
                let shown = SagaTimelineView.rows(saga, folded: view.folded)
                while let at = index, !shown.contains(at) { index = saga.spans.spans[at].parent }
                return index.flatMap { shown.firstIndex(of: $0) } ?? 0
            },
            .detailView("saga-step", [.character("e"), .enter], "Saga: the selected state's whole detail (again: back)") { view, _ in
                view.stepOnly.toggle()
            },
            .detailView("saga-history", [.character("t")], "Saga: timeline / history table") { view, _ in
                view.mode = view.mode == .table ? .gantt : .table
            },
            .detail("saga-graph", [.character("g")], "Saga: timeline / graph of the definition") { arn, view, context in
                // The same state stays selected across the two views.
                let saga = arn.flatMap { SagaBoard.of(context.snapshot, settings: settings, now: context.now).saga($0) }
                let graph = saga.flatMap { SagaGraph($0, now: context.now) }
                let name: String? = switch view.mode {
                case .gantt: saga.flatMap { selectedSpan($0, view, context) }.map { saga!.spans.spans[$0].name }
                case .graph: graph.flatMap { $0.order.isEmpty ? nil : $0.states[$0.order[min(context.detailCursor ?? 0, $0.order.count - 1)]].name }
                case .table: nil
                }
                view.mode = view.mode == .graph ? .gantt : .graph
                view.stepOnly = false
                guard let saga, let name else { return 0 }
                if view.mode == .graph {
                    return graph.flatMap { graph in graph.order.firstIndex { graph.states[$0].name == name } } ?? 0
                }
                let spans = saga.spans.spans
                return SagaTimelineView.rows(saga, folded: view.folded).lastIndex { spans[$0].name == name } ?? 0
            },
            .system("stop-execution", [.character("S")], "Stop the execution") { arn, context in
                guard let execution = context.snapshot.executions.first(where: { $0.arn == arn }), execution.status == .running else {
                    return .refuse("only a running execution can be stopped")
                }
                return .ask(.stopExecution(arn: arn, cause: "stopped by operator from signalbox"))
            },
            .system("send-task-success", [.character("Y")], "Send task success (output typed as JSON) to the waiting step") { arn, context in
                waitingStep(arn, context).map { .ask(.sendTaskSuccess(execution: arn, token: $0, output: "{}")) } ?? .refuse(noToken(arn, context))
            },
            .system("send-task-failure", [.character("F")], "Send task failure (error and cause typed) to the waiting step") { arn, context in
                waitingStep(arn, context).map { .ask(.sendTaskFailure(execution: arn, token: $0, error: "Signalbox.OperatorFailure", cause: "")) }
                    ?? .refuse(noToken(arn, context))
            },
            .system("send-task-heartbeat", [.character("H")], "Send a task heartbeat for the waiting step") { arn, context in
                waitingStep(arn, context).map { .ask(.sendTaskHeartbeat(execution: arn, token: $0)) } ?? .refuse(noToken(arn, context))
            },
            .system("retry-as-new", [.character("N")], "Start a new execution with the same input") { arn, context in
                let board = SagaBoard.of(context.snapshot, settings: settings, now: context.now)
                guard let saga = board.saga(arn) else { return .nothing }
                guard let machine = context.snapshot.stateMachines.first(where: { $0.name == saga.execution.stateMachineName }) else {
                    return .refuse("state machine \(saga.execution.stateMachineName) is not listed")
                }
                guard let input = saga.spans.executionInput, saga.spans.executionInputClipped == nil else {
                    return .refuse(saga.spans.executionInputClipped == nil ? "the execution's input is not known yet (its history is not fetched)"
                                   : "the execution's input is over 32 KB and only its start is held: start it from your own tooling")
                }
                return .ask(.startExecution(machineArn: machine.arn, input: input, basedOn: arn))
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

    /// The span the timeline's cursor is on.
    private func selectedSpan(_ saga: SagaAnalysis, _ view: ViewState, _ context: PaneContext) -> Int? {
        let rows = SagaTimelineView.rows(saga, folded: view.folded)
        return rows.isEmpty ? nil : rows[min(context.detailCursor ?? 0, rows.count - 1)]
    }

    /// In the graph: the position (in reading order) of the state nearest the selected one
    /// in `direction`; nil (the cursor stays) when there is none that way.
    private func graphNeighbour(_ arn: String?, _ direction: MapLayout.Direction, _ view: ViewState, _ context: PaneContext) -> Int? {
        guard let arn, let saga = SagaBoard.of(context.snapshot, settings: settings, now: context.now).saga(arn),
              let graph = SagaGraph(saga, now: context.now), !graph.order.isEmpty else { return nil }
        let from = graph.order[min(context.detailCursor ?? 0, graph.order.count - 1)]
        return graph.layout.neighbour(of: from, direction).flatMap { graph.order.firstIndex(of: $0) }
    }

    /// The task token of the step `arn` is in, when its history carries one.
    private func waitingStep(_ arn: String, _ context: PaneContext) -> String? {
        let board = SagaBoard.of(context.snapshot, settings: settings, now: context.now)
        guard let saga = board.saga(arn), saga.status.isRunning else { return nil }
        return saga.spans.current?.taskToken
    }

    private func noToken(_ arn: String, _ context: PaneContext) -> String {
        guard let execution = context.snapshot.executions.first(where: { $0.arn == arn }), execution.status == .running else {
            return "only a running execution has a step waiting on a task token"
        }
        return "no task token in this step's history: Step Functions records one only when the state passes $$.Task.Token in its parameters"
    }

    func badge(_ context: PaneContext) -> String? {
        let stuck = SagaBoard.of(context.snapshot, settings: settings, now: context.now).stuckCount
        return stuck > 0 ? "\(stuck) stuck" : nil
    }

    func body(_ context: PaneContext, view: ViewState) -> PaneBody<String> {
        let board = SagaBoard.of(context.snapshot, settings: settings, now: context.now)
        return .table(table(board, view: view, now: context.now))
    }

    /// Which sagas the list shows, in which order: kept while the statuses are the same (a new
    /// second mostly changes none), and for the age order while the time is.
    private struct OrderKey: Hashable {
        var statuses: Int
        var filter: ViewState.Filter
        var sort: ViewState.Sort
        var now: Date?
    }

    /// The last two orders (as `SagaBoard.of` keeps two boards).
    private static let lastOrders = Mutex<[(key: OrderKey, order: [Int])]>([])

    private func order(_ board: SagaBoard, view: ViewState, now: Date) -> [Int] {
        let key = OrderKey(statuses: board.statusGeneration, filter: view.filter, sort: view.sort, now: view.sort == .age ? now : nil)
        if let kept = Self.lastOrders.withLock({ orders in orders.first { $0.key == key }?.order }) { return kept }
        // Indices, not copies: an analysis is a large value and there may be 10,000.
        let all = board.sagas
        var order = all.indices.filter { index in
            switch view.filter {
            case .all: true
            case .running: all[index].status.isRunning
            case .failed: all[index].status.isFailure
            case .stuck: all[index].status == .stuck
            }
        }
        switch view.sort {
        case .listed: break
        case .age: order.sort { (all[$0].age(now: now), all[$0].execution.arn) > (all[$1].age(now: now), all[$1].execution.arn) }
        case .status:
            order.sort { (Self.urgency(all[$0].status), all[$0].execution.startDate) < (Self.urgency(all[$1].status), all[$1].execution.startDate) }
        case .machine:
            order.sort { (all[$0].execution.stateMachineName, all[$0].execution.startDate) < (all[$1].execution.stateMachineName, all[$1].execution.startDate) }
        }
        Self.lastOrders.withLock { orders in
            orders.append((key, order))
            if orders.count > 2 { orders.removeFirst() }
        }
        return order
    }

    private func table(_ board: SagaBoard, view: ViewState, now: Date) -> PaneTable<String> {
        let all = board.sagas
        let order = self.order(board, view: view, now: now)
        // Only the rows on screen are built, each frame (AGE moves every second): a row costs
        // microseconds, 10,000 of them a frame budget.
        let rows = PaneRows<String>(count: order.count) { position in
            let saga = all[order[position]]
            let e = saga.execution
            return PaneRow(id: e.arn,
                           cells: [e.name, saga.businessKey ?? "-", e.stateMachineName, saga.status.rawValue, saga.currentState ?? "-",
                                   saga.historyProblem == nil ? saga.waitingFor ?? "" : "history not usable", SagaDuration.text(saga.age(now: now)), Self.clock(e.startDate)],
                           roles: [.text, .accent, .muted, Self.role(saga.status), .text, .muted, .muted, .muted],
                           searchText: e.arn + " " + (saga.businessKey ?? ""))
        }
        let running = board.runningCount
        var summary = "\(running) running, \(board.sagas.count - running) ended"
        if board.stuckCount > 0 { summary += ", \(board.stuckCount) stuck" }
        summary += " · \(view.filter.rawValue)" + (view.sort == .listed ? "" : " by \(view.sort.rawValue)") + " (s/o)"
        return PaneTable(columns: [Column("EXECUTION", width: 10, flex: 2, priority: 0), Column("KEY", width: 10, flex: 1, priority: 1),
                                          Column("MACHINE", width: 8, flex: 1, priority: 5), Column("STATUS", width: 12, priority: 0),
                                          Column("STATE", width: 8, flex: 2, priority: 2), Column("WAITING FOR", width: 11, flex: 2, priority: 4),
                                          Column("AGE", width: 7, alignRight: true, priority: 3), Column("STARTED", width: 8, priority: 6)],
                                rows: rows,
                                emptyMessage: view.filter == .all ? "No saga executions." : "No \(view.filter.rawValue) sagas (s shows others).",
                                summary: board.sagas.isEmpty ? nil : summary)
    }

    func detail(of row: String, _ context: PaneContext) -> [DetailLine]? {
        let board = SagaBoard.of(context.snapshot, settings: settings, now: context.now)
        guard let saga = board.saga(row) else { return nil }
        return SagaDetail.lines(saga, now: context.now)
    }

    func detailCanvas(of row: String, _ context: PaneContext, view: ViewState) -> DetailCanvas? {
        let board = SagaBoard.of(context.snapshot, settings: settings, now: context.now)
        guard let saga = board.saga(row) else { return nil }
        return SagaTimelineView.canvas(saga, view: view, now: context.now)
    }

    /// Stuck first, then compensating, running, failed, succeeded.
    static func urgency(_ status: SagaAnalysis.Status) -> Int {
        switch status {
        case .stuck: 0
        case .compensating: 1
        case .running: 2
        case .failed, .timedOut, .aborted, .pendingRedrive: 3
        case .succeeded: 4
        }
    }

    static func role(_ status: SagaAnalysis.Status) -> Role {
        switch status {
        case .running: .sagaRunning
        case .compensating: .sagaCompensating
        case .stuck: .sagaStuck
        case .succeeded: .sagaSucceeded
        case .failed, .timedOut, .aborted, .pendingRedrive: .sagaFailed
        }
    }

    static func clock(_ date: Date) -> String { Format.clock(date) }
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
