import Foundation
import Provider
import Terminal

/// One column of a pane's table.
public struct Column: Sendable, Hashable {
    public var title: String
    public var width: Int
    /// Columns with `flex` > 0 share the spare width in proportion.
    public var flex: Int
    public var alignRight: Bool
    /// When the pane is too narrow, columns with the highest number are dropped first, so the
    /// state an operator triages by survives on a small terminal.
    public var priority: Int

    public init(_ title: String, width: Int, flex: Int = 0, alignRight: Bool = false, priority: Int = 5) {
        self.title = title
        self.width = width
        self.flex = flex
        self.alignRight = alignRight
        self.priority = priority
    }
}

/// One row: its typed id (an ARN, an event id, an edge) for drill-down and actions, and its
/// cells with their roles.
public struct PaneRow<RowID: Hashable & Sendable>: Sendable, Hashable {
    public var id: RowID
    public var cells: [String]
    public var roles: [Role]
    /// Text the `/` filter matches besides the cells (an ARN, a full id).
    public var searchText: String

    /// `searchText` defaults to the id when the id is a string (an ARN, an event id).
    public init(id: RowID, cells: [String], roles: [Role], searchText: String? = nil) {
        self.id = id
        self.cells = cells
        self.roles = roles
        self.searchText = searchText ?? (id as? String) ?? ""
    }

    func matches(_ filter: String) -> Bool {
        if filter.isEmpty { return true }
        return cells.contains { $0.range(of: filter, options: [.caseInsensitive]) != nil }
            || searchText.range(of: filter, options: [.caseInsensitive]) != nil
    }
}

/// A table's rows, built when read: a pane with 10,000 rows (the Sagas list) hands the console
/// how to build row `i`, and a frame builds only the rows on screen. A pane with few rows hands
/// an array. Reading a row twice builds it twice: the builder must be pure.
public struct PaneRows<RowID: Hashable & Sendable>: RandomAccessCollection, Sendable {
    public let count: Int
    private let build: @Sendable (Int) -> PaneRow<RowID>

    public init(_ rows: [PaneRow<RowID>]) {
        count = rows.count
        build = { rows[$0] }
    }

    /// `count` rows, row `i` built by `row(i)` when it is read.
    public init(count: Int, row: @escaping @Sendable (Int) -> PaneRow<RowID>) {
        self.count = count
        build = row
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(index: Int) -> PaneRow<RowID> {
        precondition(index >= 0 && index < count, "row \(index) of \(count)")
        return build(index)
    }

    /// The same rows with their ids transformed as each is read.
    func mapIDs<T>(_ transform: @escaping @Sendable (RowID) -> T) -> PaneRows<T> {
        let build = self.build
        return PaneRows<T>(count: count) { index in
            let row = build(index)
            return PaneRow<T>(id: transform(row.id), cells: row.cells, roles: row.roles, searchText: row.searchText)
        }
    }
}

/// What a table pane shows, derived from a snapshot: pure, shared by rendering and navigation
/// so the selection always refers to what is on screen.
public struct PaneTable<RowID: Hashable & Sendable>: Sendable {
    public var columns: [Column]
    public var rows: PaneRows<RowID>
    /// What to say when there are no rows on a live connection.
    public var emptyMessage: String
    /// A one-line summary above the table (counts, dropped events).
    public var summary: String?
    /// Lines between the summary and the column titles (a tail's rates strip); left out when
    /// the pane is too short for them and a few rows.
    public var strip: [DetailLine] = []
    /// The pane applied the `/` filter itself (a tail's event patterns): the console does not
    /// filter the rows again.
    public var filteredByPane = false
    /// Where the row with an id is, found without building every row (a tail of 10,000 events
    /// numbers its rows); nil: the console searches the rows.
    public var locate: (@Sendable (RowID) -> Int?)?

    public init(columns: [Column], rows: [PaneRow<RowID>], emptyMessage: String, summary: String? = nil) {
        self.init(columns: columns, rows: PaneRows(rows), emptyMessage: emptyMessage, summary: summary)
    }

    public init(columns: [Column], rows: PaneRows<RowID>, emptyMessage: String, summary: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.emptyMessage = emptyMessage
        self.summary = summary
    }

    /// The same table with its ids transformed (`back` turns a transformed id into the
    /// pane's own, for `locate`).
    func mapIDs<T>(_ transform: @escaping @Sendable (RowID) -> T, back: @escaping @Sendable (T) -> RowID? = { _ in nil }) -> PaneTable<T> {
        var table = PaneTable<T>(columns: columns, rows: rows.mapIDs(transform), emptyMessage: emptyMessage, summary: summary)
        table.filteredByPane = filteredByPane
        table.strip = strip
        if let locate { table.locate = { back($0).flatMap(locate) } }
        return table
    }

    /// The rows matching the `/` filter (every row is built to be matched), unless the pane
    /// filtered them itself.
    func filtered(_ filter: String) -> PaneTable {
        var table = self
        if !filter.isEmpty && !filteredByPane {
            table.rows = PaneRows(rows.filter { $0.matches(filter) })
            table.locate = nil
        }
        return table
    }

    /// The index of the row with `id`: through `locate` when the pane gives it, else by search.
    func index(of id: RowID) -> Int? {
        if let locate { return locate(id) }
        return rows.firstIndex { $0.id == id }
    }
}

/// What j/k walk and Enter opens in a pane, in order, read as asked.
struct PaneTargets: RandomAccessCollection {
    let count: Int
    let target: (Int) -> (id: OpaqueValue, title: String)

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(index: Int) -> (id: OpaqueValue, title: String) { target(index) }
}
