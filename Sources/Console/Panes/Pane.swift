import Foundation
import Provider
import Synchronization
import Terminal

// MARK: - Writing a pane
//
// A pane is one file in `Sources/Console/Panes/`: a value conforming to `Pane`, plus one line in
// `PaneRegistry.standard` (PaneRegistry.swift). Nothing else changes: its digit key and
// `pane-N` config name, its `:name` command, Tab completion, the `?` help overlay, the dashboard
// layout and the theme roles it adds all come from the registry.
//
// What a pane states:
// - `id` (its `:command` name), `title`, `defaultKey` (the key that focuses it), whether it is
//   on the dashboard at start (`onDashboard`, in registry order), and `dataSections`: the
//   provider's data it shows, so the provider polls what no pane on screen shows less often
//   (default: everything — polling too much is safe, too little would leave a pane stale).
// - `RowID`: the typed id of what can be selected and opened (an ARN, an enum such as
//   `TopologyPane.RowID.edge(from:to:via:)`). The console keeps it, opaque, in the selection and
//   the drill-down breadcrumb and hands it back typed to `detail(of:)` and the actions, so
//   nothing is ever encoded into a string and parsed back.
// - `body(_:view:)`: how it renders, from the snapshot and its own view state:
//   - `.table(PaneTable)`: columns and rows; the console draws it, filters it with `/`, moves
//     the selection with j/k/PgUp/PgDn/g/G and drops columns by priority when narrow.
//   - `.canvas(PaneCanvas)`: a free drawing into the cell buffer (a graph, a Gantt chart, a
//     tail). The canvas lists the `targets` j/k walk and Enter opens, in order; `draw` gets
//     its rectangle, the selected target and whether the pane has focus. Draw with the
//     buffer's `put`, `fill`, `box`; text is sanitised by the buffer.
// - `ViewState` (default `NoViewState`): the pane's own typed view state (pan offsets, zoom,
//   paused, …), kept per pane by the console, starting at `initialViewState`.
// - `detail(of:_:)`: the drill-down lines for a row, or nil when it is gone from the snapshot.
// - `badge(_:)` (optional): a short alert ("3 stuck") shown after the title and in the status bar.
// - `detailCanvas(of:_:view:)` (optional): a drill-down drawn into the cell buffer (the Sagas
//   pane's Gantt chart); view actions (zoom, pan) change the `ViewState` it is drawn with.
// - `actions`: each with a config name (`[keys]` in config.toml), default keys and help text:
//   - `.system`: changes the watched system. It returns `.ask(OperatorAction)`, and the console
//     asks to confirm (the dialog's title is the help text, its message the action's
//     `summary`, Cancel focused), refuses it in `--readonly`, audits it; or `.refuse(why)`.
//   - `.view`: changes only the pane's `ViewState` (space pauses a tail, +/- zoom, hjkl pan).
//   - `.move`: a view action that also reads the selected target and may select another (a
//     map's hjkl walking from box to box); it returns the target to select, nil to keep it.
//   - `.link`: opens another pane about the selected (or opened) row, through that pane's `/`
//     filter (a map node's queue, saga or breaker): it returns a `PaneLink`, or why there is
//     none. The linked pane takes the screen; Esc there returns to where the link was taken.
//   A pane's keys apply only while it has focus and win over global keys there (a canvas may
//   take h/j/k/l), but only view actions may shadow a global key: a system action never
//   hides one.
// - `roles`: theme roles the pane introduces (`extension Role { static let … = Role("…") }`),
//   so theme files can style them and the theme parser knows their names.

/// A pane's identity: its `:command` name, also the key of its per-pane state.
public struct PaneID: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { self.rawValue = name }
    public var description: String { rawValue }
}

/// What a pane renders from: the latest snapshot, the console's clock and the pane's filter.
public struct PaneContext: Sendable {
    public var snapshot: SystemSnapshot
    public var now: Date
    /// The `/` filter of this pane ("" when none). Tables are filtered by the console; a canvas
    /// applies it itself.
    public var filter: String
    /// The console's memory for panes (nil in a context made without a console).
    public var memory: PaneMemory?
    /// Where the cursor is in the pane's opened detail (nil when none is open): an action on
    /// a drill-down canvas reads what is selected in it (the Gantt row to fold).
    public var detailCursor: Int?

    public init(snapshot: SystemSnapshot, now: Date, filter: String = "", memory: PaneMemory? = nil) {
        self.snapshot = snapshot
        self.now = now
        self.filter = filter
        self.memory = memory
    }
}

/// What a pane may keep from one frame to the next so its picture stays stable (the map's
/// last layout, so that a new node does not reshuffle it) or is not recomputed for every
/// call. One per console, shared by its copies; not part of the console's value (all
/// memories compare equal). A pane must draw correctly without it.
public final class PaneMemory: Sendable, Hashable {
    private let values = Mutex<[PaneID: any Sendable]>([:])

    public init() {}

    public func value<T: Sendable>(for pane: PaneID, as type: T.Type = T.self) -> T? {
        values.withLock { $0[pane] as? T }
    }

    public func set(_ value: some Sendable, for pane: PaneID) {
        values.withLock { $0[pane] = value }
    }

    public static func == (a: PaneMemory, b: PaneMemory) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}

/// One line of a detail view.
public typealias DetailLine = (text: String, role: Role)

/// The view state of a pane that has none of its own.
public struct NoViewState: Sendable, Hashable {
    public init() {}
}

/// One pane of the console. See "Writing a pane" above.
public protocol Pane: Sendable {
    associatedtype RowID: Hashable & Sendable
    associatedtype ViewState: Hashable & Sendable = NoViewState

    var id: PaneID { get }
    var title: String { get }
    /// The key that focuses this pane (bound as action `pane-N`, N its place in the registry).
    var defaultKey: Key? { get }
    /// Whether the pane is on the dashboard at start.
    var onDashboard: Bool { get }
    /// Theme roles this pane adds to the chrome roles.
    var roles: [Role] { get }
    /// The provider's data this pane shows.
    var dataSections: Set<DataSection> { get }
    var actions: [PaneAction<RowID, ViewState>] { get }
    var initialViewState: ViewState { get }
    /// A tail: rows arrive at the end and the oldest leave, and the selection stays on its row
    /// as they do (the table's `locate` finds it), or on the last row when it was there. Off
    /// by default: a list's selection keeps its place.
    var anchorsSelection: Bool { get }
    /// Why the `/` filter `text` cannot be applied (an invalid event pattern), or nil. A filter
    /// with a problem is not applied as it is typed, and Enter on it keeps the previous filter
    /// and shows the problem.
    func filterProblem(_ text: String) -> String?
    /// The event pattern the provider should ask its stream for while the pane is filtered by
    /// `text` (server-side filtering), or nil.
    func streamFilter(_ text: String) -> String?

    func body(_ context: PaneContext, view: ViewState) -> PaneBody<RowID>
    /// A short alert after the pane's title and in the status bar ("3 stuck"); nil when there
    /// is nothing to call out.
    func badge(_ context: PaneContext) -> String?
    /// The drill-down view of `row`; nil when the row is no longer in the snapshot.
    func detail(of row: RowID, _ context: PaneContext) -> [DetailLine]?
    /// A drill-down drawn into the cell buffer (a Gantt chart, a graph) instead of the lines of
    /// `detail(of:_:)`; nil (the default) for lines.
    func detailCanvas(of row: RowID, _ context: PaneContext, view: ViewState) -> DetailCanvas?
    /// What `row` is, for `t` (the Trace pane reads its business key); nil (the default) for
    /// rows that carry no key.
    func traceSubject(of row: RowID, _ context: PaneContext) -> TraceSubject?
    /// The business key `subject` carries, or why none: answered by the Trace pane only (nil,
    /// the default, for the others).
    func traceKey(for subject: TraceSubject, _ context: PaneContext) -> Result<String, TraceRefusal>?
    /// What Tab offers after the pane's `:command ` in the command bar (the Trace pane: the
    /// business keys the console holds), most recent first; [] (the default) for none.
    func argumentCompletions(_ context: PaneContext) -> [String]
}

extension Pane {
    public var onDashboard: Bool { false }
    public var roles: [Role] { [] }
    public var dataSections: Set<DataSection> { Set(DataSection.allCases) }
    public var actions: [PaneAction<RowID, ViewState>] { [] }
    public var anchorsSelection: Bool { false }
    public func filterProblem(_ text: String) -> String? { nil }
    public func streamFilter(_ text: String) -> String? { nil }
    public func badge(_ context: PaneContext) -> String? { nil }
    public func detailCanvas(of row: RowID, _ context: PaneContext, view: ViewState) -> DetailCanvas? { nil }
    public func traceSubject(of row: RowID, _ context: PaneContext) -> TraceSubject? { nil }
    public func traceKey(for subject: TraceSubject, _ context: PaneContext) -> Result<String, TraceRefusal>? { nil }
    public func argumentCompletions(_ context: PaneContext) -> [String] { [] }
}

/// A drill-down the pane draws itself. j/k (and the wheel, PgUp/PgDn) move `cursor` from 0;
/// the canvas clamps it to what it shows. A canvas that says how many `positions` the cursor
/// walks (a Gantt chart's rows) has the cursor kept within them, and G/End go to the last.
public struct DetailCanvas {
    public var positions: Int?
    public var draw: (_ buffer: inout CellBuffer, _ rect: Rect, _ cursor: Int) -> Void

    public init(positions: Int? = nil, draw: @escaping (_ buffer: inout CellBuffer, _ rect: Rect, _ cursor: Int) -> Void) {
        self.positions = positions
        self.draw = draw
    }
}

extension Pane where ViewState == NoViewState {
    public var initialViewState: NoViewState { NoViewState() }
}

/// How a pane renders.
public enum PaneBody<RowID: Hashable & Sendable>: Sendable {
    case table(PaneTable<RowID>)
    case canvas(PaneCanvas<RowID>)
}

/// A pane that draws freely into the cell buffer.
public struct PaneCanvas<RowID: Hashable & Sendable>: Sendable {
    /// Something on the canvas that can be selected and opened; `title` names it in the
    /// breadcrumb.
    public struct Target: Sendable {
        public var id: RowID
        public var title: String
        public init(id: RowID, title: String) {
            self.id = id
            self.title = title
        }
    }

    /// In the order j/k walk them.
    public var targets: [Target]
    /// Draws into `rect` (inside the pane's border). `selected` is the selected target when the
    /// canvas has any.
    /// Sendable: a body is kept between the calls of a frame (`PaneBodies`).
    public var draw: @Sendable (_ buffer: inout CellBuffer, _ rect: Rect, _ selected: RowID?, _ focused: Bool) -> Void

    public init(targets: [Target] = [],
                draw: @escaping @Sendable (_ buffer: inout CellBuffer, _ rect: Rect, _ selected: RowID?, _ focused: Bool) -> Void) {
        self.targets = targets
        self.draw = draw
    }
}

/// Another pane about one row of this one: `pane`, filtered with its own `/` filter (the one
/// the operator types, shown in its title) and with `select` selected when that row is there.
/// The filter is a substring, as typed: it may let through rows beside the one selected (a
/// queue's name also finds its `-dlq`); the selection is exact.
public struct PaneLink: Sendable, Hashable {
    public var pane: PaneID
    public var filter: String
    /// The row to select, as the linked pane's `RowID` (nil: the first row).
    public var select: OpaqueValue?

    public init(pane: PaneID, filter: String) {
        self.pane = pane
        self.filter = filter
    }

    public init(pane: PaneID, filter: String, select: some Hashable & Sendable) {
        self.init(pane: pane, filter: filter)
        self.select = OpaqueValue(select)
    }
}

/// Something a pane hands out of the console (an event as JSON): copied to the terminal's
/// clipboard or written to a file. The console does the I/O; the pane only says what.
public struct PaneExport: Sendable, Hashable {
    /// What it is, for the status line (`event 5f2c…`).
    public var what: String
    public var text: String
    /// The file name offered when it is written (`event-5f2c….json`).
    public var fileName: String

    public init(what: String, text: String, fileName: String) {
        self.what = what
        self.text = text
        self.fileName = fileName
    }
}

/// Where an export goes.
public enum ExportDestination: Sendable, Hashable {
    /// The terminal's clipboard, through OSC 52.
    case clipboard
    /// A file, at a path the operator confirms.
    case file
}

/// A key-bound action of one pane.
public struct PaneAction<RowID: Hashable & Sendable, ViewState: Hashable & Sendable>: Sendable {
    /// What a system action decided for the selected row.
    public enum Decision: Sendable {
        /// Ask the operator to confirm this action (then send it).
        case ask(OperatorAction)
        /// Say why not, as a warning.
        case refuse(String)
        /// Do nothing (the row vanished between the key and the snapshot).
        case nothing
    }

    public enum Effect: Sendable {
        /// Changes the watched system: confirmed, refused in read-only, audited.
        case system(@Sendable (RowID, PaneContext) -> Decision)
        /// Changes only how this pane shows things.
        case view(@Sendable (inout ViewState, PaneContext) -> Void)
        /// Changes how this pane shows things, from the selected row (nil when none), and
        /// returns the row to select instead (nil keeps the selection).
        case move(@Sendable (RowID?, inout ViewState, PaneContext) -> RowID?)
        /// Changes how the opened row's drill-down shows things, from the row and the detail's
        /// cursor (`PaneContext.detailCursor`), and returns where the cursor goes (nil: it
        /// stays, within what the canvas shows).
        case detail(@Sendable (RowID?, inout ViewState, PaneContext) -> Int?)
        /// Opens another pane about the row (see `PaneLink`).
        case link(@Sendable (RowID, PaneContext) -> LinkDecision)
        /// Hands the row (or the opened one) out of the console: to the clipboard or a file.
        case export(ExportDestination, @Sendable (RowID, PaneContext) -> PaneExport?)
    }

    /// Where a link action leads from a row.
    public enum LinkDecision: Sendable {
        case open(PaneLink)
        /// Say why there is nothing to open, as a warning.
        case refuse(String)
    }

    /// The action's name in `[keys]` of config.toml (`force-open`); unique across panes.
    public var name: String
    public var keys: [Key]
    /// The help overlay's text, and the confirmation dialog's title for a system action.
    public var help: String
    public var effect: Effect
    /// Bound only while a row of the pane is opened (a timeline's zoom, pan, graph): in the
    /// list the key keeps its global meaning (`g` is still the first row).
    public var inDetailOnly = false

    public static func system(_ name: String, _ keys: [Key], _ help: String,
                              _ decide: @escaping @Sendable (RowID, PaneContext) -> Decision) -> PaneAction {
        PaneAction(name: name, keys: keys, help: help, effect: .system(decide))
    }

    public static func view(_ name: String, _ keys: [Key], _ help: String,
                            _ change: @escaping @Sendable (inout ViewState, PaneContext) -> Void) -> PaneAction {
        PaneAction(name: name, keys: keys, help: help, effect: .view(change))
    }

    public static func move(_ name: String, _ keys: [Key], _ help: String,
                            _ change: @escaping @Sendable (RowID?, inout ViewState, PaneContext) -> RowID?) -> PaneAction {
        PaneAction(name: name, keys: keys, help: help, effect: .move(change))
    }

    /// A link bound only while a row is opened (see `inDetailOnly`): from a detail to the pane
    /// that lists what it shows.
    public static func detailLink(_ name: String, _ keys: [Key], _ help: String,
                                  _ decide: @escaping @Sendable (RowID, PaneContext) -> LinkDecision) -> PaneAction {
        PaneAction(name: name, keys: keys, help: help, effect: .link(decide), inDetailOnly: true)
    }

    /// An action on the opened row's drill-down (see `Effect.detail`), bound only while a row
    /// is opened.
    public static func detail(_ name: String, _ keys: [Key], _ help: String,
                              _ change: @escaping @Sendable (RowID?, inout ViewState, PaneContext) -> Int?) -> PaneAction {
        PaneAction(name: name, keys: keys, help: help, effect: .detail(change), inDetailOnly: true)
    }

    /// A view action bound only while a row is opened (see `inDetailOnly`).
    public static func detailView(_ name: String, _ keys: [Key], _ help: String,
                                  _ change: @escaping @Sendable (inout ViewState, PaneContext) -> Void) -> PaneAction {
        PaneAction(name: name, keys: keys, help: help, effect: .view(change), inDetailOnly: true)
    }

    /// Copies or writes the selected (or opened) row (see `Effect.export`).
    public static func export(_ name: String, _ keys: [Key], _ help: String, to destination: ExportDestination,
                              _ make: @escaping @Sendable (RowID, PaneContext) -> PaneExport?) -> PaneAction {
        PaneAction(name: name, keys: keys, help: help, effect: .export(destination, make))
    }

    public var changesSystem: Bool {
        if case .system = effect { return true }
        return false
    }
}
