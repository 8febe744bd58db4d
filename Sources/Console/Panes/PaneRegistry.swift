import Foundation
import Provider
import SagaTimeline
import Terminal

/// The panes of the console, in order: the order gives their `pane-N` names and default place
/// on the dashboard. Keys, `:commands`, completion, help, the dashboard and theme roles are
/// all derived from it. Injectable: tests build a registry with a pane of their own.
public struct PaneRegistry: Sendable, Hashable {
    /// The built-in panes. Adding a pane: its file in Panes/ and one line here.
    public static let standard = standard(sagas: SagaSettings())

    /// The built-in panes, the Sagas pane with the operator's saga settings.
    public static func standard(sagas: SagaSettings) -> PaneRegistry {
        PaneRegistry([
            TopologyPane(),
            FlowsPane(settings: sagas),
            QueuesPane(),
            CircuitsPane(),
            SagasPane(settings: sagas),
            RegistryPane(),
            TracePane(settings: sagas),
        ])
    }

    public private(set) var panes: [AnyPane]

    public init(_ panes: [any Pane]) {
        self.panes = panes.map { AnyPane($0) }
    }

    /// This registry with `pane` appended.
    public func adding(_ pane: some Pane) -> PaneRegistry {
        var copy = self
        copy.panes.append(AnyPane(pane))
        return copy
    }

    public var ids: [PaneID] { panes.map(\.id) }

    public func pane(_ id: PaneID) -> AnyPane? { panes.first { $0.id == id } }

    /// 1-based place in the registry (the N of `pane-N`).
    public func number(of id: PaneID) -> Int? { ids.firstIndex(of: id).map { $0 + 1 } }

    /// The panes on the dashboard at start, in registry order.
    public var dashboard: [PaneID] { panes.filter(\.onDashboard).map(\.id) }

    /// Every role a theme can style: the terminal's chrome, the panes' own, then the roles
    /// panes share (each once, in that order).
    public var themeRoles: [Role] {
        var roles = Role.chrome
        for role in panes.flatMap(\.roles) + Role.sharedByPanes where !roles.contains(role) { roles.append(role) }
        return roles
    }

    public static func == (a: PaneRegistry, b: PaneRegistry) -> Bool { a.ids == b.ids }
    public func hash(into hasher: inout Hasher) { hasher.combine(ids) }
}

/// A value of some hashable, sendable type whose type the holder does not know: a pane's row id
/// or view state, kept by the console and handed back to the pane that made it.
public struct OpaqueValue: Sendable, Hashable {
    let base: any Hashable & Sendable

    public init(_ base: some Hashable & Sendable) { self.base = base }

    /// The value, when it is a `T`.
    public func typed<T>(_: T.Type = T.self) -> T? { base as? T }

    public static func == (a: OpaqueValue, b: OpaqueValue) -> Bool { AnyHashable(a.base) == AnyHashable(b.base) }
    public func hash(into hasher: inout Hasher) { AnyHashable(base).hash(into: &hasher) }
}

/// What a pane action asked of the console.
enum PaneActionOutcome {
    case ask(OperatorAction)
    case refuse(String)
    case nothing
    /// The pane's new view state, and the row to select when the action chose one, or where
    /// the opened detail's cursor goes.
    case viewChanged(OpaqueValue, select: OpaqueValue? = nil, cursor: Int? = nil)
    /// Open another pane about the row.
    case link(PaneLink)
    /// Copy or write this out of the console.
    case export(ExportDestination, PaneExport)
}

/// A pane as the console holds it: its row ids and view state opaque. Built only from a
/// `Pane`, which gets its own types back.
public struct AnyPane: Sendable, Hashable {
    public let id: PaneID
    public let title: String
    public let defaultKey: Key?
    public let onDashboard: Bool
    public let roles: [Role]
    public let dataSections: Set<DataSection>
    public let anchorsSelection: Bool
    /// Name, keys, help, and whether it changes the system, per action.
    let actionInfo: [(name: String, keys: [Key], help: String, changesSystem: Bool, inDetailOnly: Bool)]
    let initialViewState: OpaqueValue
    private let render: @Sendable (PaneContext, OpaqueValue) -> PaneBody<OpaqueValue>
    private let describe: @Sendable (OpaqueValue, PaneContext) -> [DetailLine]?
    private let alert: @Sendable (PaneContext) -> String?
    private let drawDetail: @Sendable (OpaqueValue, PaneContext, OpaqueValue) -> DetailCanvas?
    private let act: @Sendable (String, OpaqueValue?, OpaqueValue, PaneContext) -> PaneActionOutcome
    private let subject: @Sendable (OpaqueValue, PaneContext) -> TraceSubject?
    private let resolve: @Sendable (TraceSubject, PaneContext) -> Result<String, TraceRefusal>?
    private let complete: @Sendable (PaneContext) -> [String]
    private let checkFilter: @Sendable (String) -> String?
    private let sourceFilter: @Sendable (String) -> String?

    init<P: Pane>(_ pane: P) {
        id = pane.id
        title = pane.title
        defaultKey = pane.defaultKey
        onDashboard = pane.onDashboard
        roles = pane.roles
        dataSections = pane.dataSections
        anchorsSelection = pane.anchorsSelection
        let actions = pane.actions
        actionInfo = actions.map { ($0.name, $0.keys, $0.help, $0.changesSystem, $0.inDetailOnly) }
        let initial = pane.initialViewState
        initialViewState = OpaqueValue(initial)
        @Sendable func view(_ value: OpaqueValue) -> P.ViewState { value.typed() ?? initial }
        render = { context, state in
            switch pane.body(context, view: view(state)) {
            case .table(let table): .table(table.mapIDs({ OpaqueValue($0) }, back: { $0.typed(P.RowID.self) }))
            case .canvas(let canvas):
                .canvas(PaneCanvas(targets: canvas.targets.map { .init(id: OpaqueValue($0.id), title: $0.title) }) { buffer, rect, selected, focused in
                    canvas.draw(&buffer, rect, selected?.typed(P.RowID.self), focused)
                })
            }
        }
        describe = { row, context in row.typed(P.RowID.self).flatMap { pane.detail(of: $0, context) } }
        alert = { context in pane.badge(context) }
        subject = { row, context in row.typed(P.RowID.self).flatMap { pane.traceSubject(of: $0, context) } }
        resolve = { subject, context in pane.traceKey(for: subject, context) }
        complete = { context in pane.argumentCompletions(context) }
        checkFilter = { pane.filterProblem($0) }
        sourceFilter = { pane.streamFilter($0) }
        drawDetail = { row, context, state in row.typed(P.RowID.self).flatMap { pane.detailCanvas(of: $0, context, view: view(state)) } }
        act = { name, row, state, context in
            guard let action = actions.first(where: { $0.name == name }) else { return .nothing }
            switch action.effect {
            case .system(let decide):
                guard let row = row?.typed(P.RowID.self) else { return .nothing }
                switch decide(row, context) {
                case .ask(let operatorAction): return .ask(operatorAction)
                case .refuse(let why): return .refuse(why)
                case .nothing: return .nothing
                }
            case .view(let change):
                var value = view(state)
                change(&value, context)
                return .viewChanged(OpaqueValue(value))
            case .move(let change):
                var value = view(state)
                let select = change(row?.typed(P.RowID.self), &value, context)
                return .viewChanged(OpaqueValue(value), select: select.map { OpaqueValue($0) })
            case .detail(let change):
                var value = view(state)
                let cursor = change(row?.typed(P.RowID.self), &value, context)
                return .viewChanged(OpaqueValue(value), cursor: cursor)
            case .link(let decide):
                guard let row = row?.typed(P.RowID.self) else { return .nothing }
                switch decide(row, context) {
                case .open(let link): return .link(link)
                case .refuse(let why): return .refuse(why)
                }
            case .export(let destination, let make):
                guard let row = row?.typed(P.RowID.self), let export = make(row, context) else { return .nothing }
                return .export(destination, export)
            }
        }
    }

    func body(_ context: PaneContext, view: OpaqueValue?) -> PaneBody<OpaqueValue> {
        render(context, view ?? initialViewState)
    }

    func detail(of row: OpaqueValue, _ context: PaneContext) -> [DetailLine]? { describe(row, context) }

    func badge(_ context: PaneContext) -> String? { alert(context) }

    func traceSubject(of row: OpaqueValue, _ context: PaneContext) -> TraceSubject? { subject(row, context) }

    func traceKey(for subject: TraceSubject, _ context: PaneContext) -> Result<String, TraceRefusal>? { resolve(subject, context) }

    func argumentCompletions(_ context: PaneContext) -> [String] { complete(context) }

    func filterProblem(_ text: String) -> String? { checkFilter(text) }

    func streamFilter(_ text: String) -> String? { sourceFilter(text) }

    func detailCanvas(of row: OpaqueValue, _ context: PaneContext, view: OpaqueValue?) -> DetailCanvas? {
        drawDetail(row, context, view ?? initialViewState)
    }

    func perform(_ action: String, row: OpaqueValue?, view: OpaqueValue?, _ context: PaneContext) -> PaneActionOutcome {
        act(action, row, view ?? initialViewState, context)
    }

    public static func == (a: AnyPane, b: AnyPane) -> Bool { a.id == b.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
