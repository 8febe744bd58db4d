import Terminal

extension Role {
    /// Trend bars (▁▂▃…), drawn by any pane that shows a trend.
    public static let sparkline = Role("sparkline")

    /// Roles no single pane owns; themes list them after the panes' own.
    static let sharedByPanes: [Role] = [.sparkline]
}
