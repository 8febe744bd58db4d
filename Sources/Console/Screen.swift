import Foundation
import Provider
import Terminal

/// Renders the console: a pure function from the view state and a size to a cell buffer.
/// No I/O, no clock of its own (the state carries `now`), so frames are golden-testable.
public enum Screen {
    /// Below this the console shows a "terminal too small" screen instead of a broken layout.
    public static let minimumSize = Size(columns: 60, rows: 16)

    /// The frame for `state` at `size`, and the page size of the focused pane's list.
    public static func render(_ state: ConsoleState, size: Size) -> (buffer: CellBuffer, pageSize: Int) {
        var buffer = CellBuffer(size: size)
        guard size.columns >= minimumSize.columns, size.rows >= minimumSize.rows else {
            renderTooSmall(into: &buffer)
            return (buffer, 1)
        }
        let bounds = buffer.bounds
        let (header, rest) = bounds.splitTop(1)
        let (middle, status) = rest.splitBottom(1)
        let (paneArea, messageLine) = middle.splitBottom(1)

        renderHeader(state, into: &buffer, rect: header)
        var pageSize = 1
        for (slot, rect) in paneRects(state, paneArea: paneArea) {
            let focused = slot == state.focusedSlot
            let rows = renderPane(state.slots[slot], state: state, focused: focused, rect: rect, into: &buffer)
            if focused { pageSize = rows }
        }
        renderMessageLine(state, into: &buffer, rect: messageLine)
        renderStatusBar(state, into: &buffer, rect: status)

        switch state.mode {
        case .help(let scroll):
            renderOverlay(title: "Help — Esc closes", lines: helpLines(state), scroll: scroll, into: &buffer, area: paneArea)
        case .messages(let scroll):
            renderOverlay(title: "Messages, newest first — Esc closes", lines: messageLines(state), scroll: scroll,
                          into: &buffer, area: paneArea)
        case .confirm(let dialog): renderConfirm(dialog, into: &buffer, area: paneArea)
        default: break
        }
        return (buffer, max(1, pageSize))
    }

    /// The area between the header and the message line, where panes go.
    static func paneArea(size: Size) -> Rect {
        let (_, rest) = Rect(x: 0, y: 0, width: size.columns, height: size.rows).splitTop(1)
        return rest.splitBottom(1).0.splitBottom(1).0
    }

    /// Where each visible slot is drawn: the focused one alone when zoomed or drilled into,
    /// else the dashboard's slots two to a row (45% | 55%), rows sharing the height; a last
    /// slot alone on its row takes the full width.
    static func paneRects(_ state: ConsoleState, paneArea: Rect) -> [(slot: Int, rect: Rect)] {
        if state.zoomed || !state.drill.isEmpty { return [(state.focusedSlot, paneArea)] }
        var rects: [(slot: Int, rect: Rect)] = []
        var remaining = paneArea
        let rowCount = (state.slots.count + 1) / 2
        for row in 0..<rowCount {
            let (line, rest) = remaining.splitTop(remaining.height / (rowCount - row))
            remaining = rest
            let first = row * 2
            if first + 1 < state.slots.count {
                let (left, right) = line.splitLeft(line.width * 45 / 100)
                rects += [(first, left), (first + 1, right)]
            } else {
                rects.append((first, line))
            }
        }
        return rects
    }

    // MARK: chrome

    static func renderTooSmall(into buffer: inout CellBuffer) {
        let b = buffer.bounds
        let lines = [
            "Terminal too small",
            "\(b.width)×\(b.height) — needs at least \(minimumSize.columns)×\(minimumSize.rows)",
            "Enlarge the window, or press q to quit.",
        ]
        let top = max(0, b.height / 2 - 1)
        for (i, line) in lines.enumerated() where top + i < b.height {
            let width = DisplayWidth.of(line)
            buffer.put(line, x: max(0, (b.width - width) / 2), y: top + i, role: i == 0 ? .warn : .text, maxWidth: b.width)
        }
    }

    static func renderHeader(_ state: ConsoleState, into buffer: inout CellBuffer, rect: Rect) {
        buffer.fill(rect, role: .statusBar)
        var x = rect.x + 1
        x += buffer.put("signalbox", x: x, y: rect.y, role: .statusBar)
        var crumbs: [String] = []
        if let origin = state.linkedFrom {
            // Where the link was taken, then the linked pane: the way back Esc takes.
            crumbs = [origin.zoomed || !origin.drill.isEmpty ? state.title(of: origin.slots[origin.focusedSlot]) : "Dashboard"]
            crumbs += origin.drill.map(\.title) + [state.title(of: state.focusedPane)]
        } else {
            crumbs = [state.zoomed || !state.drill.isEmpty ? state.title(of: state.focusedPane) : "Dashboard"]
        }
        crumbs += state.drill.map(\.title)
        let hint = "?:help  :cmd  /:filter  q:quit "
        let hintWidth = DisplayWidth.of(hint)
        let crumbText = "  " + crumbs.joined(separator: " › ")
        buffer.put(crumbText, x: x, y: rect.y, role: .statusBar, maxWidth: rect.maxX - x - hintWidth - 1)
        if rect.width > hintWidth + 30 {
            buffer.put(hint, x: rect.maxX - hintWidth, y: rect.y, role: .statusBar)
        }
    }

    static func renderMessageLine(_ state: ConsoleState, into buffer: inout CellBuffer, rect: Rect) {
        buffer.fill(rect, role: .background)
        switch state.mode {
        case .command(let bar):
            var x = rect.x
            x += buffer.put(":" + bar.text, x: x, y: rect.y, role: .commandBar, maxWidth: rect.width - 1)
            buffer.put(" ", x: x, y: rect.y, role: .selection)
            if !bar.candidates.isEmpty {
                buffer.put("  " + bar.candidates.joined(separator: "  "), x: x + 1, y: rect.y, role: .muted,
                           maxWidth: rect.maxX - x - 1)
            }
        case .filter(let text):
            var x = rect.x
            x += buffer.put("/" + text, x: x, y: rect.y, role: .commandBar, maxWidth: rect.width - 1)
            buffer.put(" ", x: x, y: rect.y, role: .selection)
            buffer.put("  Enter keep · Esc clear", x: x + 1, y: rect.y, role: .muted, maxWidth: rect.maxX - x - 1)
        case .save(let prompt):
            var x = rect.x
            let label = "write " + prompt.export.what + " to: "
            x += buffer.put(label, x: x, y: rect.y, role: .muted, maxWidth: rect.width / 2)
            x += buffer.put(prompt.path, x: x, y: rect.y, role: .commandBar, maxWidth: rect.maxX - x - 1)
            buffer.put(" ", x: x, y: rect.y, role: .selection)
            let hint = prompt.overwrite ? "  it exists: Enter replaces it · Esc cancels" : "  Enter write · Esc cancel"
            buffer.put(hint, x: x + 1, y: rect.y, role: prompt.overwrite ? .warn : .muted, maxWidth: rect.maxX - x - 1)
        default:
            if let toast = state.toast {
                let role: Role = switch toast.level {
                case .info: .info
                case .warn: .warn
                case .error: .error
                }
                buffer.put(toast.text, x: rect.x + 1, y: rect.y, role: role, maxWidth: rect.width - 2)
            } else {
                buffer.put("Tab focus · " + paneKeysHint(state) + "j/k move · Enter open · Esc back · z zoom", x: rect.x + 1, y: rect.y,
                           role: .muted, maxWidth: rect.width - 2)
            }
        }
    }

    /// `1-6 panes · `: the keys that focus the first and last pane, from the keymap.
    static func paneKeysHint(_ state: ConsoleState) -> String {
        let keys = state.registry.ids.compactMap { state.keymap.focusBinding(for: $0)?.keys.first?.description }
        guard let first = keys.first, let last = keys.last else { return "" }
        return (first == last ? first : first + "-" + last) + " panes · "
    }

    static func renderStatusBar(_ state: ConsoleState, into buffer: inout CellBuffer, rect: Rect) {
        buffer.fill(rect, role: .statusBar)
        let s = state.snapshot
        var parts = [s.endpoint.name + (s.endpoint.url.map { " " + $0 } ?? "")]
        if let profile = s.endpoint.profile {
            // An account: who the keys are, and where; the region matters as much as the account.
            parts.append("profile " + Sanitizer.sanitize(profile)
                + (s.endpoint.account.map { " · account " + $0 } ?? "")
                + (s.endpoint.region.map { " · " + $0 } ?? ""))
        } else if let region = s.endpoint.region {
            // A stack holds each region apart, as AWS does: which one is on screen.
            parts[0] += " · " + Sanitizer.sanitize(region)
        }
        parts.append("● " + s.connection.label)
        // What a pane calls out ("Sagas 3 stuck") stays in sight whichever pane is shown.
        for pane in state.registry.panes {
            if let badge = pane.badge(state.context(for: pane.id, filtered: false)) { parts.append(pane.title + " " + badge) }
        }
        if state.readOnly {
            parts.append("READ-ONLY")
        } else if s.endpoint.profile?.lowercased().contains("prod") == true {
            // A suggestion, not a decision: the operator chose to act.
            parts.append("prod profile: --readonly suggested")
        }
        parts.append("theme " + state.themeName)
        // What watching costs the account: the provider's calls over the last minute.
        if let polling = s.polling {
            parts.append("\(polling.callsPerMinute) calls/min" + (polling.throttled.isEmpty ? "" : " · throttled, backing off"))
            // A listing stopped at the page bound shows the start of the list only: say which.
            if !polling.cutLists.isEmpty {
                parts.append("lists cut short: " + polling.cutLists.map { "\($0.api) (first \($0.shown))" }.joined(separator: ", "))
            }
        }
        // The reason goes last: it can be long, and what is before it must never be cut off.
        if case .connected = s.connection {} else if let detail = s.connection.detail { parts.append(detail) }
        let clock = Format.clock(state.now) + " UTC "
        let clockWidth = DisplayWidth.of(clock)
        buffer.put(" " + parts.joined(separator: " │ "), x: rect.x, y: rect.y, role: .statusBar,
                   maxWidth: rect.width - clockWidth - 1)
        buffer.put(clock, x: rect.maxX - clockWidth, y: rect.y, role: .statusBar)
    }

    // MARK: panes

    /// Draws one pane; returns how many list rows it shows (the page size).
    @discardableResult
    static func renderPane(_ pane: PaneID, state: ConsoleState, focused: Bool, rect: Rect,
                           into buffer: inout CellBuffer) -> Int {
        let paneState = state.paneState(pane)
        var title = state.title(of: pane)
        // The pane's focus key before its title ("4 Circuits"), when it is one character.
        if let key = state.keymap.focusBinding(for: pane)?.keys.first, case .character = key { title = key.description + " " + title }
        if let badge = state.registry.pane(pane)?.badge(state.context(for: pane)) { title += " · " + badge }
        if !paneState.filter.isEmpty { title += " /" + paneState.filter }
        buffer.fill(rect, role: .background)
        buffer.box(rect, role: focused ? .borderFocus : .border, title: title,
                   titleRole: focused ? .titleFocus : .title, heavy: focused)
        let inner = innerRect(of: rect)
        guard !inner.isEmpty else { return 1 }

        if let frame = state.drill.last, frame.pane == pane {
            if let canvas = state.registry.pane(pane)?.detailCanvas(of: frame.row, state.context(for: pane), view: paneState.view) {
                canvas.draw(&buffer, inner, frame.scroll)
                return inner.height
            }
            let lines = state.registry.pane(pane)?.detail(of: frame.row, state.context(for: pane))
                ?? [("\(frame.title) is no longer in the latest snapshot.", .warn)]
            let scroll = min(frame.scroll, max(0, lines.count - inner.height))
            for (i, line) in lines.dropFirst(scroll).prefix(inner.height).enumerated() {
                buffer.put(line.text, x: inner.x, y: inner.y + i, role: line.role, maxWidth: inner.width)
            }
            if lines.count > inner.height {
                buffer.put(" \(scroll + 1)-\(min(lines.count, scroll + inner.height)) of \(lines.count) ",
                           x: rect.maxX - 20, y: rect.maxY - 1, role: .muted, maxWidth: 18)
            }
            return inner.height
        }

        let table: PaneTable<OpaqueValue>
        switch state.body(for: pane) {
        case .table(let t): table = t
        case .canvas(let canvas):
            let targets = canvas.targets
            let selected = targets.isEmpty ? nil : targets[min(paneState.selected, targets.count - 1)].id
            canvas.draw(&buffer, inner, selected, focused)
            return inner.height
        }
        if table.rows.isEmpty {
            renderEmpty(pane, state: state, table: table, filter: paneState.filter, inner: inner, into: &buffer)
            return 1
        }
        let layout = tableLayout(table, selected: paneState.selected, inner: inner)
        if let summary = table.summary, let summaryY = layout.summaryY {
            buffer.put(summary, x: inner.x, y: summaryY, role: .muted, maxWidth: inner.width)
        }
        for (i, line) in table.strip.prefix(layout.stripLines).enumerated() {
            buffer.put(line.text, x: inner.x, y: layout.headerY - layout.stripLines + i, role: line.role, maxWidth: inner.width)
        }
        let widths = columnWidths(table.columns, available: inner.width)
        var x = inner.x
        for (column, width) in zip(table.columns, widths) where width > 0 {
            putAligned(column.title, x: x, y: layout.headerY, width: width, right: column.alignRight, role: .title, into: &buffer)
            x += width + 1
        }
        let y = layout.firstRowY, visible = layout.visible, offset = layout.offset, selected = layout.selected
        for (i, row) in table.rows.dropFirst(offset).prefix(visible).enumerated() {
            let isSelected = focused && offset + i == selected
            if isSelected { buffer.fill(Rect(x: inner.x - 1, y: y + i, width: inner.width + 2, height: 1), role: .selection) }
            var x = inner.x
            for (index, width) in widths.enumerated() where width > 0 && index < row.cells.count {
                putAligned(row.cells[index], x: x, y: y + i, width: width, right: table.columns[index].alignRight,
                           role: isSelected ? .selection : row.roles[index], into: &buffer)
                x += width + 1
            }
        }
        if table.rows.count > visible {
            let label = " \(offset + 1)-\(min(table.rows.count, offset + visible)) of \(table.rows.count) "
            let width = DisplayWidth.of(label)
            buffer.put(label, x: rect.maxX - width - 2, y: rect.maxY - 1, role: .muted)
        }
        return visible
    }

    /// Where a table's parts go inside a pane: shared by drawing and mouse hits.
    struct TableLayout {
        var summaryY: Int?
        /// Lines of the table's strip shown, just above the column titles.
        var stripLines = 0
        var headerY: Int
        var firstRowY: Int
        /// Rows that fit.
        var visible: Int
        /// The first row shown (the list scrolls to keep the selection on screen).
        var offset: Int
        var selected: Int
    }

    static func tableLayout(_ table: PaneTable<OpaqueValue>, selected: Int, inner: Rect) -> TableLayout {
        let summaryY: Int? = table.summary != nil && inner.height > 3 ? inner.y : nil
        let top = inner.y + (summaryY == nil ? 0 : 1)
        // The strip only when a few rows still fit under it.
        let stripLines = inner.maxY - top >= table.strip.count + 6 ? table.strip.count : 0
        let headerY = top + stripLines
        let visible = max(1, inner.maxY - headerY - 1)
        let selected = min(selected, table.rows.count - 1)
        return TableLayout(summaryY: summaryY, stripLines: stripLines, headerY: headerY, firstRowY: headerY + 1, visible: visible,
                           offset: max(0, selected - visible + 1), selected: selected)
    }

    /// The slot under (`x`, `y`) in the frame last drawn at `state.screenSize`, and the row of
    /// its table there, if any.
    static func hit(_ state: ConsoleState, x: Int, y: Int) -> (slot: Int, row: Int?)? {
        let size = state.screenSize
        guard size.columns >= minimumSize.columns, size.rows >= minimumSize.rows else { return nil }
        guard let (slot, rect) = paneRects(state, paneArea: paneArea(size: size)).first(where: { $0.rect.contains(x: x, y: y) }) else {
            return nil
        }
        let pane = state.slots[slot]
        if state.drill.last?.pane == pane { return (slot, nil) }
        guard case .table(let table) = state.body(for: pane), !table.rows.isEmpty else { return (slot, nil) }
        let layout = tableLayout(table, selected: state.paneState(pane).selected, inner: innerRect(of: rect))
        let index = y - layout.firstRowY
        guard index >= 0, index < layout.visible, layout.offset + index < table.rows.count, x > rect.x, x < rect.maxX - 1 else {
            return (slot, nil)
        }
        return (slot, layout.offset + index)
    }

    /// The inside of a pane's border, with a column of padding each side.
    static func innerRect(of rect: Rect) -> Rect {
        Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
    }

    static func renderEmpty(_ pane: PaneID, state: ConsoleState, table: PaneTable<OpaqueValue>, filter: String, inner: Rect,
                            into buffer: inout CellBuffer) {
        let s = state.snapshot
        var lines: [(String, Role)]
        if !filter.isEmpty, case .table(let unfiltered) = state.body(for: pane, filtered: false), !unfiltered.rows.isEmpty {
            lines = [("No rows match /\(filter)", .warn), ("Esc clears the filter.", .muted)]
        } else if s.connection.isLive {
            lines = [(table.emptyMessage, .muted)]
        } else {
            lines = [(s.connection.label, .warn)]
            if let detail = s.connection.detail { lines.append((detail, .muted)) }
            lines.append(("endpoint: " + s.endpoint.name, .muted))
        }
        let top = inner.y + max(0, (inner.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < inner.maxY {
            let width = min(DisplayWidth.of(line.0), inner.width)
            buffer.put(line.0, x: inner.x + (inner.width - width) / 2, y: top + i, role: line.1, maxWidth: inner.width)
        }
    }

    static func putAligned(_ text: String, x: Int, y: Int, width: Int, right: Bool, role: Role,
                           into buffer: inout CellBuffer) {
        if right {
            let w = DisplayWidth.of(Sanitizer.sanitize(text))
            if w < width {
                buffer.put(text, x: x + width - w, y: y, role: role, maxWidth: w)
                return
            }
        }
        buffer.put(text, x: x, y: y, role: role, maxWidth: width)
    }

    /// Column widths for `available` columns (one space between columns): minimums first;
    /// while they do not fit, the least important column is dropped (width 0); spare width goes
    /// to flex columns.
    static func columnWidths(_ columns: [Column], available: Int) -> [Int] {
        var kept = Array(columns.indices)
        func needed() -> Int { kept.map { columns[$0].width }.reduce(0, +) + max(0, kept.count - 1) }
        while kept.count > 1 && needed() > available {
            let drop = kept.max { (columns[$0].priority, $0) < (columns[$1].priority, $1) }!
            kept.removeAll { $0 == drop }
        }
        var widths = Array(repeating: 0, count: columns.count)
        for i in kept { widths[i] = columns[i].width }
        if kept.count == 1 { widths[kept[0]] = available; return widths }
        var spare = max(0, available - needed())
        let flexible = kept.filter { columns[$0].flex > 0 }
        let flexTotal = flexible.map { columns[$0].flex }.reduce(0, +)
        if flexTotal > 0 {
            let share = spare
            for i in flexible {
                let extra = share * columns[i].flex / flexTotal
                widths[i] += extra
                spare -= extra
            }
            widths[flexible.last!] += spare
        } else {
            widths[kept.last!] += spare
        }
        return widths
    }

    // MARK: overlays

    /// Help lines, generated from the keymap: each binding's keys and its help text.
    static func helpLines(_ state: ConsoleState) -> [(String, Role)] {
        var lines: [(String, Role)] = []
        for group in state.keymap.groups(titles: state.title(of:)) {
            if !lines.isEmpty { lines.append(("", .dialog)) }
            lines.append((group.title + (group.global ? "" : " pane"), .titleFocus))
            for binding in group.bindings {
                let keys = binding.keys.map(\.description).joined(separator: " ")
                let keyColumn = keys.padding(toLength: max(14, keys.count), withPad: " ", startingAt: 0)
                var text = "  " + keyColumn + "  " + binding.help
                if binding.dangerous { text += state.readOnly ? "  ⚠ refused: read-only" : "  ⚠ asks to confirm" }
                lines.append((text, binding.dangerous ? .warn : .dialog))
            }
        }
        lines.append(("", .dialog))
        lines.append(("Commands", .titleFocus))
        lines.append(("  :" + state.commands.filter { $0 != "q" && $0 != "theme" }.joined(separator: " :") + " :theme NAME", .dialog))
        lines.append(("  Tab completes (after :trace, the business keys held), ↑/↓ recall history.", .dialog))
        return lines
    }

    /// `:messages`: every toast this session showed, newest first, with its time (UTC) and a
    /// mark for its level, so one that vanished while the operator looked away can be read.
    static func messageLines(_ state: ConsoleState) -> [(String, Role)] {
        guard !state.messageLog.isEmpty else { return [("No messages yet.", .muted)] }
        return state.messageLog.reversed().map { message in
            let (mark, role): (String, Role) = switch message.level {
            case .info: ("·", .dialog)
            case .warn: ("!", .warn)
            case .error: ("✗", .error)
            }
            return (Format.clock(message.time) + " " + mark + " " + message.text, role)
        }
    }

    /// A boxed, scrolling list of lines over the panes (the help and the messages).
    static func renderOverlay(title: String, lines: [(String, Role)], scroll: Int, into buffer: inout CellBuffer, area: Rect) {
        let width = min(area.width - 4, 76)
        let height = min(area.height, lines.count + 2)
        let rect = area.centered(width: width, height: height)
        buffer.fill(rect, role: .dialog)
        buffer.box(rect, role: .borderFocus, title: title, titleRole: .titleFocus, heavy: true)
        let inner = Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        let start = min(scroll, max(0, lines.count - inner.height))
        for (i, line) in lines.dropFirst(start).prefix(inner.height).enumerated() {
            buffer.put(line.0, x: inner.x, y: inner.y + i, role: line.1, maxWidth: inner.width)
        }
        if lines.count > inner.height {
            buffer.put(" j/k scroll \(start + 1)-\(start + inner.height)/\(lines.count) ", x: rect.maxX - 26,
                       y: rect.maxY - 1, role: .muted, maxWidth: 24)
        }
    }

    static func renderConfirm(_ dialog: ConfirmDialog, into buffer: inout CellBuffer, area: Rect) {
        let width = min(area.width - 4, 72)
        let height = 9 + dialog.fields.count + (dialog.problem == nil ? 0 : 1)
        let rect = area.centered(width: width, height: min(area.height, height))
        buffer.fill(rect, role: .dialog)
        buffer.box(rect, role: .borderFocus, title: "Confirm: " + dialog.title, titleRole: .titleFocus, heavy: true)
        let inner = Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        buffer.put(dialog.message, x: inner.x, y: inner.y + 1, role: .dialog, maxWidth: inner.width)
        buffer.put("This changes the live system.", x: inner.x, y: inner.y + 2, role: .warn, maxWidth: inner.width)
        var y = inner.y + 3
        // One line per field: its label, then the text typed (its end, when longer than the line).
        for (index, field) in dialog.fields.enumerated() {
            let focused = dialog.focus == .field(index)
            let label = field.label.padding(toLength: 8, withPad: " ", startingAt: 0)
            buffer.put(label, x: inner.x, y: y, role: focused ? .titleFocus : .dialog)
            let boxWidth = inner.width - 9
            var text = field.text + (focused ? "▏" : "")
            while DisplayWidth.of(text) > boxWidth, !text.isEmpty { text.removeFirst() }
            buffer.fill(Rect(x: inner.x + 9, y: y, width: boxWidth, height: 1), role: focused ? .selection : .commandBar)
            buffer.put(text, x: inner.x + 9, y: y, role: focused ? .selection : .commandBar, maxWidth: boxWidth)
            y += 1
        }
        if let problem = dialog.problem {
            buffer.put(problem, x: inner.x, y: y, role: .error, maxWidth: inner.width)
            y += 1
        }
        let cancel = dialog.focus == .cancel ? "[ Cancel ]" : "  Cancel  "
        let confirm = dialog.confirmFocused ? "[ Confirm ]" : "  Confirm  "
        let buttonsWidth = DisplayWidth.of(cancel) + 3 + DisplayWidth.of(confirm)
        var x = inner.x + max(0, (inner.width - buttonsWidth) / 2)
        x += buffer.put(cancel, x: x, y: y + 1, role: dialog.focus == .cancel ? .dialogButtonDefault : .dialogButton)
        x += 3
        buffer.put(confirm, x: x, y: y + 1, role: dialog.confirmFocused ? .dialogButtonDefault : .dialogButton)
        buffer.put("Tab moves (fields take keys) · Enter chooses · Esc cancels", x: inner.x, y: y + 3, role: .muted, maxWidth: inner.width)
    }

}
