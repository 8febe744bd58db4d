import Foundation
import Provider
import Terminal

/// The whole view state of the console: a value, changed only by `handle(_:)` and the app
/// loop, rendered by `Screen`. Tests drive it with keys and read frames, no terminal needed.
public struct ConsoleState: Sendable, Hashable {
    /// The panes this console has; keys, commands, help and the dashboard come from it.
    public let registry: PaneRegistry
    /// The panes on screen in the dashboard, in layout order.
    public var slots: [PaneID]
    public var focusedSlot = 0
    public var zoomed = false
    public var panes: [PaneID: PaneState] = [:]
    public var drill: [DrillFrame] = []
    /// Set while a pane opened by a link (`PaneLink`) has focus: where Esc returns.
    public var linkedFrom: LinkOrigin?
    public var mode: Mode = .normal
    public var toast: Toast?
    /// Every toast shown, oldest first, at most `messageLogLimit` (`:messages`).
    public private(set) var messageLog: [LoggedMessage] = []
    static let messageLogLimit = 200
    public var readOnly: Bool
    public var themeName: String
    public var availableThemes: [String]
    public var history: [String] = []
    public var keymap: Keymap
    public var snapshot: SystemSnapshot {
        didSet { snapshotSerial = SnapshotSerial() }
    }
    /// Names `snapshot` for the bodies kept (`bodies`); renewed whenever it changes.
    var snapshotSerial = SnapshotSerial()
    public var now: Date
    /// Rows a page moves; the renderer's layout sets it from the focused pane's height.
    public var pageSize = 10
    /// The terminal's size at the last render: a mouse position is resolved against the layout
    /// the operator saw. Set by the app loop.
    public var screenSize = Size(columns: 0, rows: 0)
    /// How long toasts stay.
    public var toastSeconds: TimeInterval = 4
    /// What panes keep between frames (the map's last layout).
    public let memory = PaneMemory()
    /// The panes' bodies built for the snapshot and time on screen (`body(for:filtered:)`).
    let bodies = PaneBodies()
    /// The focused pane's filter when `/` was pressed: Enter on a filter that cannot be applied
    /// goes back to it.
    var filterBefore = ""
    /// The tap was offered already (`offerTapIfDue` asks once; `:tap` asks again).
    public var tapOffered = false

    /// `keymap` defaults to `registry`'s default keys; one given must have been made for
    /// `registry`.
    public init(snapshot: SystemSnapshot, now: Date, readOnly: Bool = false, themeName: String = "default",
                availableThemes: [String] = ["default"], registry: PaneRegistry = .standard, keymap: Keymap? = nil) {
        self.registry = registry
        self.slots = registry.dashboard.isEmpty ? Array(registry.ids.prefix(1)) : registry.dashboard
        self.snapshot = snapshot
        self.now = now
        self.readOnly = readOnly
        self.themeName = themeName
        self.availableThemes = availableThemes
        self.keymap = keymap ?? Keymap(registry: registry)
        // A tail starts on its newest row.
        self.snapshot = SystemSnapshot()
        receive(snapshot)
    }

    public var focusedPane: PaneID { slots[focusedSlot] }

    public func paneState(_ pane: PaneID) -> PaneState { panes[pane] ?? PaneState() }

    func context(for pane: PaneID, filtered: Bool = true) -> PaneContext {
        var context = PaneContext(snapshot: snapshot, now: now, filter: filtered ? paneState(pane).filter : "", memory: memory)
        if let frame = drill.last, frame.pane == pane { context.detailCursor = frame.scroll }
        return context
    }

    /// The positions the cursor walks in `frame`'s drill-down canvas, when it says.
    func detailPositions(_ frame: DrillFrame) -> Int? {
        registry.pane(frame.pane)?.detailCanvas(of: frame.row, context(for: frame.pane), view: paneState(frame.pane).view)?.positions
    }

    /// What `pane` shows now (a table already filtered by the pane's `/` filter).
    /// Built once per snapshot, time, filter and view: the console asks for it several times a
    /// frame (`PaneBodies`).
    func body(for pane: PaneID, filtered: Bool = true) -> PaneBody<OpaqueValue> {
        guard let definition = registry.pane(pane) else { return .table(PaneTable(columns: [], rows: [], emptyMessage: "")) }
        let context = self.context(for: pane, filtered: filtered)
        let view = paneState(pane).view
        let key = PaneBodies.Key(pane: pane, filtered: filtered, snapshot: snapshotSerial.value, now: now, filter: context.filter,
                                 view: view, detailCursor: context.detailCursor)
        return bodies.body(key) {
            switch definition.body(context, view: view) {
            case .table(let table): .table(table.filtered(context.filter))
            case .canvas(let canvas): .canvas(canvas)
            }
        }
    }

    /// The table `pane` shows (empty for a canvas pane).
    public func table(for pane: PaneID) -> PaneTable<OpaqueValue> {
        if case .table(let table) = body(for: pane) { return table }
        return PaneTable(columns: [], rows: [], emptyMessage: "")
    }

    /// What j/k walk and Enter opens in `pane`, with the title each gets in the breadcrumb;
    /// a table's are read from its rows as asked (a key press builds the rows it reads, not
    /// all 10,000).
    func targets(for pane: PaneID) -> PaneTargets {
        switch body(for: pane) {
        case .table(let table):
            let rows = table.rows
            return PaneTargets(count: rows.count) { index in
                let row = rows[index]
                return (id: row.id, title: row.cells.first ?? "")
            }
        case .canvas(let canvas):
            let targets = canvas.targets
            return PaneTargets(count: targets.count) { (id: targets[$0].id, title: targets[$0].title) }
        }
    }

    /// Where the row `id` is in what `pane` shows now.
    func index(of id: OpaqueValue, in pane: PaneID) -> Int? {
        switch body(for: pane) {
        case .table(let table): table.index(of: id)
        case .canvas(let canvas): canvas.targets.firstIndex { $0.id == id }
        }
    }

    /// Takes a new snapshot. In a tail (`Pane.anchorsSelection`) the selection stays on its
    /// row as rows arrive and the oldest leave, and stays on the last row — following the
    /// newest — when it was there (or when nothing was selected yet).
    public mutating func receive(_ snapshot: SystemSnapshot) {
        var anchors: [(pane: PaneID, row: OpaqueValue?)] = []
        for pane in registry.panes where pane.anchorsSelection {
            guard case .table(let table) = body(for: pane.id), panes[pane.id] != nil, !table.rows.isEmpty else {
                anchors.append((pane.id, nil))
                continue
            }
            let selected = min(paneState(pane.id).selected, table.rows.count - 1)
            anchors.append((pane.id, selected == table.rows.count - 1 ? nil : table.rows[selected].id))
        }
        self.snapshot = snapshot
        for (pane, row) in anchors {
            guard case .table(let table) = body(for: pane) else { continue }
            var state = paneState(pane)
            state.selected = row.flatMap { table.index(of: $0) } ?? max(0, table.rows.count - 1)
            panes[pane] = state
        }
    }

    public func title(of pane: PaneID) -> String { registry.pane(pane)?.title ?? pane.rawValue }

    /// The provider's data the panes on screen show (the zoomed pane, or every slot), as each
    /// pane declares it.
    public var visibleSections: Set<DataSection> {
        (zoomed ? [focusedPane] : slots).reduce(into: []) { sections, pane in
            sections.formUnion(registry.pane(pane)?.dataSections ?? Set(DataSection.allCases))
        }
    }

    /// The Sagas pane's executions on screen (the opened one, else the list's window), for the
    /// provider to read their histories first.
    public var executionsOnScreen: [String] { rowsOnScreen(of: .sagas) }

    /// The Queues pane's queues on screen (ARNs: the opened one, else the list's window), for
    /// the provider to read their attributes at each poll and the others in turn.
    public var queuesOnScreen: [String] { rowsOnScreen(of: .queues) }

    /// The row ids (ARNs) of `pane` on screen: the opened row, else the list's window, worked
    /// out as the renderer does for the focused pane (`pageSize` rows around the selection);
    /// for the pane unfocused on the dashboard it is an estimate of the same size.
    private func rowsOnScreen(of pane: PaneID) -> [String] {
        guard zoomed ? focusedPane == pane : slots.contains(pane) else { return [] }
        // An opened row fills the pane: it is the one on screen.
        if let frame = drill.last, frame.pane == pane { return frame.row.typed(String.self).map { [$0] } ?? [] }
        var arns: [String] = []
        guard case .table(let table) = body(for: pane), !table.rows.isEmpty else { return arns }
        let selected = min(paneState(pane).selected, table.rows.count - 1)
        let offset = max(0, selected - pageSize + 1)
        for index in offset..<min(table.rows.count, offset + pageSize) {
            if let arn = table.rows[index].id.typed(String.self) { arns.append(arn) }
        }
        return arns
    }

    /// The commands `:` understands, for completion and help: one per pane, then the console's.
    public var commands: [String] { registry.ids.map(\.rawValue) + ["theme", "zoom", "tap", "help", "messages", "quit", "q"] }

    public mutating func showToast(_ text: String, level: Toast.Level = .info) {
        toast = Toast(text: text, level: level, expires: now.addingTimeInterval(toastSeconds))
        messageLog.append(LoggedMessage(time: now, text: text, level: level))
        if messageLog.count > Self.messageLogLimit { messageLog.removeFirst(messageLog.count - Self.messageLogLimit) }
    }

    /// Advances the clock; expires toasts. Returns whether anything visible changed.
    public mutating func tick(now: Date) -> Bool {
        let secondChanged = Int(now.timeIntervalSince1970) != Int(self.now.timeIntervalSince1970)
        self.now = now
        if let toast, toast.expires <= now {
            self.toast = nil
            return true
        }
        return secondChanged
    }

    // MARK: keys

    /// Applies one key. Returns what the app loop must do beyond redrawing.
    public mutating func handle(_ key: Key) -> [ConsoleEffect] {
        if key == .ctrl("c") { return [.quit] }
        if case .mouse(let event) = key {
            handleMouse(event)
            return []
        }
        switch mode {
        case .confirm(var dialog):
            if case .field(let index) = dialog.focus {
                switch key {
                case .tab: dialog.moveFocus(by: 1)
                case .backTab: dialog.moveFocus(by: -1)
                case .enter: dialog.focus = .confirm
                case .escape:
                    mode = .normal
                    showToast("cancelled: \(dialog.action.summary)")
                    return []
                case .backspace: if !dialog.fields[index].text.isEmpty { dialog.fields[index].text.removeLast() }
                case .ctrl("u"): dialog.fields[index].text = ""
                case .character(let c):
                    if dialog.fields[index].text.count < dialog.fields[index].limit { dialog.fields[index].text.append(c) }
                default: break
                }
                mode = .confirm(dialog)
                return []
            }
            switch key {
            case .tab:
                dialog.moveFocus(by: 1)
                mode = .confirm(dialog)
            case .backTab:
                dialog.moveFocus(by: -1)
                mode = .confirm(dialog)
            case .left, .right, .character("h"), .character("l"):
                dialog.confirmFocused.toggle()
                mode = .confirm(dialog)
            case .escape, .character("n"), .character("q"):
                mode = .normal
                showToast("cancelled: \(dialog.action.summary)")
            case .enter:
                if dialog.confirmFocused {
                    if let problem = OperatorAction.problem(in: dialog.fields) {
                        dialog.problem = problem.text
                        dialog.focus = .field(problem.index)
                        mode = .confirm(dialog)
                        return []
                    }
                    mode = .normal
                    let action = dialog.action.filled(with: dialog.fields)
                    showToast("sent: \(action.summary)")
                    return [.perform(action, reason: dialog.reason)]
                }
                mode = .normal
                showToast("cancelled: \(dialog.action.summary)")
            default:
                break
            }
            return []
        case .help(let scroll):
            mode = Self.scrolled(scroll, by: key, pageSize: pageSize).map { .help(scroll: $0) } ?? .normal
            return []
        case .messages(let scroll):
            mode = Self.scrolled(scroll, by: key, pageSize: pageSize).map { .messages(scroll: $0) } ?? .normal
            return []
        case .command(var bar):
            return handleCommandKey(key, bar: &bar)
        case .save(var prompt):
            switch key {
            case .escape:
                mode = .normal
                showToast("not written: \(prompt.export.what)")
            case .enter:
                mode = .normal
                guard !prompt.path.trimmingCharacters(in: .whitespaces).isEmpty else {
                    showToast("not written: no path given", level: .warn)
                    return []
                }
                return [.write(prompt)]
            case .backspace:
                if !prompt.path.isEmpty { prompt.path.removeLast() }
                prompt.overwrite = false
                mode = .save(prompt)
            case .ctrl("u"):
                prompt.path = ""
                prompt.overwrite = false
                mode = .save(prompt)
            case .character(let c):
                prompt.path.append(c)
                prompt.overwrite = false
                mode = .save(prompt)
            default:
                break
            }
            return []
        case .filter(var text):
            let pane = registry.pane(focusedPane)
            switch key {
            case .escape:
                setFilter("")
                mode = .normal
            case .enter:
                mode = .normal
                if let problem = pane?.filterProblem(text) {
                    if paneState(focusedPane).filter != filterBefore { setFilter(filterBefore) }
                    showToast(problem + (filterBefore.isEmpty ? " (not applied)" : " (the previous filter stays)"), level: .error)
                } else if paneState(focusedPane).filter != text {
                    setFilter(text)
                }
            case .backspace:
                if text.isEmpty { mode = .normal } else { text.removeLast(); mode = .filter(text); applyTyped(text) }
            case .ctrl("u"):
                mode = .filter(""); setFilter("")
            case .character(let c):
                text.append(c); mode = .filter(text); applyTyped(text)
            default:
                break
            }
            return []
        case .normal:
            break
        }

        let opened = drill.last?.pane == focusedPane
        guard var binding = keymap.binding(for: key, pane: focusedPane, opened: opened) else { return [] }
        // An open detail is text: a pane's view keys (a map's h/j/k/l) give way to the global
        // ones there, so j/k scroll the detail — except keys the pane binds for its opened row
        // only (a saga timeline's g, +, -), which exist for the detail.
        if case .pane = binding.command, !binding.dangerous, !binding.inDetailOnly, opened,
           let global = keymap.binding(for: key, pane: nil) {
            binding = global
        }
        switch binding.command {
        case .focus(let pane): show(pane)
        case .pane(let pane, let action): return performPaneAction(action, of: pane, binding: binding)
        case .global(let action): return perform(action)
        }
        return []
    }

    private mutating func perform(_ action: KeyAction) -> [ConsoleEffect] {
        switch action {
        case .quit, .forceQuit: return [.quit]
        case .help: mode = .help(scroll: 0)
        case .command: mode = .command(CommandBar())
        case .filter:
            filterBefore = paneState(focusedPane).filter
            mode = .filter(filterBefore)
        case .nextPane: focus(slot: (focusedSlot + 1) % slots.count)
        case .previousPane: focus(slot: (focusedSlot + slots.count - 1) % slots.count)
        case .up: moveSelection(by: -1)
        case .down: moveSelection(by: 1)
        case .pageUp: moveSelection(by: -pageSize)
        case .pageDown: moveSelection(by: pageSize)
        case .top: moveSelection(to: 0)
        case .bottom: moveSelection(to: Int.max)
        case .open: openSelected()
        case .back: back()
        case .zoom: zoomed.toggle()
        case .trace: traceSelected()
        }
        return []
    }

    /// `t`: the Trace pane for the business key of the selected row (or the opened one).
    private mutating func traceSelected() {
        guard let pane = registry.pane(focusedPane), let row = targetRow(),
              let subject = pane.traceSubject(of: row, context(for: focusedPane)) else {
            showToast("nothing to trace here: t traces the key of an event (Flows), a queue (Queues) or a saga (Sagas)", level: .warn)
            return
        }
        guard let trace = registry.pane(.trace), let answer = trace.traceKey(for: subject, context(for: .trace)) else { return }
        switch answer {
        case .success(let key): follow(PaneLink(pane: .trace, filter: key))
        case .failure(let refusal): showToast("nothing to trace: " + refusal.reason, level: .warn)
        }
    }

    /// Rows a wheel notch moves.
    static let wheelStep = 3

    /// A scrolling overlay's (help, messages) new first line after `key`; nil when the key
    /// closes it.
    static func scrolled(_ scroll: Int, by key: Key, pageSize: Int) -> Int? {
        switch key {
        case .escape, .character("q"), .character("?"), .function(1), .enter: nil
        case .character("j"), .down: scroll + 1
        case .character("k"), .up: max(0, scroll - 1)
        case .pageDown, .character(" "): scroll + pageSize
        case .pageUp: max(0, scroll - pageSize)
        case .character("g"), .home: 0
        default: scroll
        }
    }

    /// A scrolling overlay's new first line after a mouse event (the wheel scrolls it).
    static func scrolled(_ scroll: Int, by kind: MouseEvent.Kind) -> Int {
        switch kind {
        case .wheelUp: max(0, scroll - wheelStep)
        case .wheelDown: scroll + wheelStep
        case .press: scroll
        }
    }

    /// A click focuses the pane under it and selects the row under it; the wheel moves the
    /// selection (or scrolls a detail or the help) of the pane under it, focusing it. A click
    /// never answers a dialog or edits a prompt.
    private mutating func handleMouse(_ event: MouseEvent) {
        switch mode {
        case .help(let scroll):
            mode = .help(scroll: Self.scrolled(scroll, by: event.kind))
            return
        case .messages(let scroll):
            mode = .messages(scroll: Self.scrolled(scroll, by: event.kind))
            return
        case .normal: break
        default: return
        }
        guard let hit = Screen.hit(self, x: event.x, y: event.y) else { return }
        if hit.slot != focusedSlot { focus(slot: hit.slot) }
        switch event.kind {
        case .press:
            if let row = hit.row {
                var state = paneState(focusedPane)
                state.selected = row
                panes[focusedPane] = state
            }
        case .wheelUp: moveSelection(by: -Self.wheelStep)
        case .wheelDown: moveSelection(by: Self.wheelStep)
        }
    }

    /// Focuses `pane`: in place when it is on the dashboard, otherwise it takes the focused slot.
    public mutating func show(_ pane: PaneID) {
        drill.removeAll()
        linkedFrom = nil
        if let slot = slots.firstIndex(of: pane) {
            focusedSlot = slot
        } else {
            slots[focusedSlot] = pane
        }
    }

    private mutating func focus(slot: Int) {
        drill.removeAll()
        linkedFrom = nil
        focusedSlot = slot
    }

    /// Opens `link`: its pane on the whole screen, filtered with the pane's own `/` filter, the
    /// linked row selected when the filter kept it. Esc comes back (`back()`).
    mutating func follow(_ link: PaneLink) {
        guard registry.pane(link.pane) != nil else { return }
        let origin = LinkOrigin(pane: link.pane, paneState: paneState(link.pane), slots: slots, focusedSlot: focusedSlot,
                                zoomed: zoomed, drill: drill)
        show(link.pane)
        zoomed = true
        setFilter(link.filter)
        if let select = link.select, let index = index(of: select, in: link.pane) {
            panes[link.pane, default: PaneState()].selected = index
        }
        linkedFrom = origin
    }

    /// A filter is applied as it is typed, unless it cannot be yet (a pattern half typed):
    /// then the rows stay as they are until it can, or until Enter says why not.
    private mutating func applyTyped(_ text: String) {
        if registry.pane(focusedPane)?.filterProblem(text) == nil { setFilter(text) }
    }

    /// The event pattern the provider's stream should filter by: the first pane's filter that
    /// asks for one (the Flows tail filtered by a pattern), nil for none.
    public var streamFilter: String? {
        registry.panes.lazy.compactMap { pane in pane.streamFilter(self.paneState(pane.id).filter) }.first
    }

    private mutating func setFilter(_ text: String) {
        var state = paneState(focusedPane)
        state.filter = text
        state.selected = 0
        panes[focusedPane] = state
        // A tail shows its newest match: the last row.
        if registry.pane(focusedPane)?.anchorsSelection == true {
            let last = max(0, targets(for: focusedPane).count - 1)
            panes[focusedPane]?.selected = last
        }
    }

    private mutating func moveSelection(by delta: Int) {
        if var frame = drill.last, frame.pane == focusedPane {
            frame.scroll = max(0, frame.scroll + delta)
            if let positions = detailPositions(frame) { frame.scroll = min(frame.scroll, max(0, positions - 1)) }
            drill[drill.count - 1] = frame
            return
        }
        let current = paneState(focusedPane).selected
        moveSelection(to: delta < 0 ? max(0, current + delta) : current + delta)
    }

    private mutating func moveSelection(to index: Int) {
        if var frame = drill.last, frame.pane == focusedPane {
            if index == 0 {
                frame.scroll = 0
            } else if let positions = detailPositions(frame) {
                frame.scroll = max(0, min(index, positions - 1))
            }
            drill[drill.count - 1] = frame
            return
        }
        let count = targets(for: focusedPane).count
        var state = paneState(focusedPane)
        state.selected = max(0, min(index, count - 1))
        panes[focusedPane] = state
    }

    private mutating func openSelected() {
        guard drill.isEmpty else { return }
        let targets = targets(for: focusedPane)
        let index = paneState(focusedPane).selected
        guard targets.indices.contains(index) else {
            showToast("nothing to open in \(title(of: focusedPane))", level: .warn)
            return
        }
        drill.append(DrillFrame(pane: focusedPane, row: targets[index].id, title: targets[index].title))
    }

    private mutating func back() {
        if !drill.isEmpty { drill.removeLast(); return }
        if let origin = linkedFrom, origin.pane == focusedPane {
            panes[origin.pane] = origin.paneState
            (slots, focusedSlot, zoomed, drill) = (origin.slots, origin.focusedSlot, origin.zoomed, origin.drill)
            linkedFrom = nil
            return
        }
        if zoomed { zoomed = false; return }
        if !paneState(focusedPane).filter.isEmpty { setFilter("") }
    }

    /// The row an action applies to: the opened detail, else the selected row.
    func targetRow() -> OpaqueValue? {
        if let frame = drill.last, frame.pane == focusedPane { return frame.row }
        let targets = targets(for: focusedPane)
        let index = paneState(focusedPane).selected
        return targets.indices.contains(index) ? targets[index].id : nil
    }

    /// Runs a pane's action: a view action changes the pane's view state; a system action
    /// checks its row and asks to confirm (refused in read-only).
    private mutating func performPaneAction(_ name: String, of pane: PaneID, binding: KeyBinding) -> [ConsoleEffect] {
        guard let definition = registry.pane(pane) else { return [] }
        let row = targetRow()
        if binding.dangerous && row == nil {
            showToast("\(binding.help.lowercased()): nothing selected", level: .warn)
            return []
        }
        switch definition.perform(name, row: row, view: paneState(pane).view, context(for: pane)) {
        case .viewChanged(let view, let select, let cursor):
            var state = paneState(pane)
            state.view = view
            panes[pane] = state
            // The detail may show fewer positions now (a fold): its cursor stays within them.
            if var frame = drill.last, frame.pane == pane {
                frame.scroll = cursor ?? frame.scroll
                if let positions = detailPositions(frame) { frame.scroll = max(0, min(frame.scroll, positions - 1)) }
                drill[drill.count - 1] = frame
            }
            if let select, let index = index(of: select, in: pane) {
                state.selected = index
                panes[pane] = state
            }
        case .link(let link):
            follow(link)
        case .refuse(let why):
            showToast(why, level: .warn)
        case .nothing:
            break
        case .ask(let action):
            if readOnly {
                showToast("read-only: refused to \(action.summary)", level: .error)
                return []
            }
            mode = .confirm(ConfirmDialog(title: binding.help, message: action.summary, action: action))
        case .export(.clipboard, let export):
            showToast("copied \(export.what) as JSON (\(export.text.utf8.count) bytes) to the terminal's clipboard (OSC 52)")
            return [.copyToClipboard(export.text)]
        case .export(.file, let export):
            mode = .save(SavePrompt(path: "./" + export.fileName, export: export))
        }
        return []
    }

    /// The write of `prompt` found a file at its path: ask again, Enter now replaces it.
    public mutating func askToOverwrite(_ prompt: SavePrompt) {
        var prompt = prompt
        prompt.overwrite = true
        mode = .save(prompt)
    }
}
