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

/// What a table pane shows, derived from a snapshot: pure, shared by rendering and navigation
/// so the selection always refers to what is on screen.
public struct PaneTable<RowID: Hashable & Sendable>: Sendable, Hashable {
    public var columns: [Column]
    public var rows: [PaneRow<RowID>]
    /// What to say when there are no rows on a live connection.
    public var emptyMessage: String
    /// A one-line summary above the table (counts, dropped events).
    public var summary: String?

    public init(columns: [Column], rows: [PaneRow<RowID>], emptyMessage: String, summary: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.emptyMessage = emptyMessage
        self.summary = summary
    }

    func mapIDs<T>(_ transform: (RowID) -> T) -> PaneTable<T> {
        PaneTable<T>(columns: columns,
                     rows: rows.map { PaneRow<T>(id: transform($0.id), cells: $0.cells, roles: $0.roles, searchText: $0.searchText) },
                     emptyMessage: emptyMessage, summary: summary)
    }

    func filtered(_ filter: String) -> PaneTable {
        var table = self
        if !filter.isEmpty { table.rows = rows.filter { $0.matches(filter) } }
        return table
    }
}
