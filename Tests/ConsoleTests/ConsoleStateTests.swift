import Foundation
import Provider
import Testing
import Terminal
@testable import Console

@Suite struct ConsoleStateTests {
    @Test func tabAndDigitsMoveFocus() {
        var state = Fixtures.state()
        #expect(state.focusedPane == .topology)
        state.press(.tab)
        #expect(state.focusedPane == .flows)
        state.press(.backTab, .backTab)
        #expect(state.focusedPane == .sagas)
        state.press(.character("4"))
        #expect(state.focusedPane == .circuits)
        // Queues is not on the dashboard: it takes the focused slot.
        state.press(.character("3"))
        #expect(state.focusedPane == .queues)
        #expect(state.slots == [.topology, .flows, .queues, .sagas])
    }

    @Test func selectionStaysWithinRows() {
        var state = Fixtures.state()
        state.press(.character("5"))
        state.press(.character("k"))
        #expect(state.paneState(.sagas).selected == 0)
        state.press(.character("G"))
        #expect(state.paneState(.sagas).selected == 4)
        state.press(.character("j"))
        #expect(state.paneState(.sagas).selected == 4)
        state.press(.character("g"))
        #expect(state.paneState(.sagas).selected == 0)
    }

    @Test func enterDrillsDownAndEscapeComesBack() {
        var state = Fixtures.state()
        state.press(.character("5"), .enter)
        #expect(state.drill.map(\.title) == ["order-101"])
        let text = state.frame(120, 40).textLines().joined(separator: "\n")
        #expect(text.contains("Sagas › order-101"))
        #expect(text.contains("ChargePayment"))  // Enter opens the timeline…
        state.press(.character("t"))              // …t the history, event by event
        #expect(state.frame(120, 40).textLines().joined(separator: "\n").contains("TaskStateEntered  ChargePayment"))
        state.press(.escape)
        #expect(state.drill.isEmpty)
    }

    @Test func dangerousActionAsksWithCancelAsDefault() {
        var state = Fixtures.state()
        state.press(.character("4"))
        #expect(state.press(.character("o")).isEmpty)
        guard case .confirm(let dialog) = state.mode else { Issue.record("no dialog"); return }
        #expect(!dialog.confirmFocused)
        // Enter on the untouched dialog cancels.
        #expect(state.press(.enter).isEmpty)
        #expect(state.mode == .normal)
        #expect(state.toast?.text.hasPrefix("cancelled") == true)
        // Moving to Confirm on purpose sends the action.
        state.press(.character("o"), .tab)
        #expect(state.press(.enter) == [.perform(.forceBreaker(service: "payment", dependency: "payment-api", .open,
                                                               reason: "set from the signalbox console"))])
    }

    @Test func readOnlyRefusesDangerousActions() {
        var state = Fixtures.state(readOnly: true)
        state.press(.character("4"), .character("o"))
        #expect(state.mode == .normal)
        #expect(state.toast?.level == .error)
        #expect(state.toast?.text.contains("read-only") == true)
        let frame = state.frame(120, 40).textLines().joined(separator: "\n")
        #expect(frame.contains("READ-ONLY"))
    }

    @Test func actionsCheckTheirTarget() {
        var state = Fixtures.state()
        state.press(.character("3"))       // queues; first row is not a DLQ
        state.press(.character("R"))
        #expect(state.mode == .normal)
        #expect(state.toast?.text.contains("not a dead-letter queue") == true)
        state.press(.character("j"), .character("R"))
        guard case .confirm(let dialog) = state.mode else { Issue.record("no dialog"); return }
        #expect(dialog.action == .redriveDeadLetterQueue(arn: Fixtures.region + "inventory-dlq"))
    }

    @Test func notConnectedActionsSayNothingIsSelected() {
        var state = Fixtures.state(Fixtures.notConnected())
        state.press(.character("4"), .character("o"))
        #expect(state.mode == .normal)
        #expect(state.toast?.text.contains("nothing selected") == true)
    }

    @Test func commandBarSwitchesPanesAndRejectsUnknownCommands() {
        var state = Fixtures.state()
        state.press(.character(":"))
        state.type("registry")
        state.press(.enter)
        #expect(state.focusedPane == .registry)
        state.press(.character(":"))
        state.type("frobnicate now")
        state.press(.enter)
        #expect(state.toast?.level == .error)
        #expect(state.toast?.text.contains("unknown command: frobnicate now") == true)
        state.press(.character(":"))
        state.type("q")
        #expect(state.press(.enter) == [.quit])
    }

    @Test func commandBarCompletesAndRemembers() {
        var state = Fixtures.state()
        state.press(.character(":"))
        state.type("ci")
        state.press(.tab)
        guard case .command(let bar) = state.mode else { Issue.record("bar closed"); return }
        #expect(bar.text == "circuits")
        state.press(.enter)
        state.press(.character(":"))
        state.type("the")
        state.press(.tab)
        state.type("h")
        state.press(.tab)
        guard case .command(let bar2) = state.mode else { Issue.record("bar closed"); return }
        #expect(bar2.text == "theme high-contrast")
        #expect(state.press(.enter) == [.applyTheme("high-contrast")])
        state.press(.character(":"), .up)
        guard case .command(let bar3) = state.mode else { Issue.record("bar closed"); return }
        #expect(bar3.text == "theme high-contrast")
        state.press(.up)
        guard case .command(let bar4) = state.mode else { Issue.record("bar closed"); return }
        #expect(bar4.text == "circuits")
    }

    @Test func filterNarrowsRowsAndEscapeClearsIt() {
        var state = Fixtures.state()
        state.press(.character("5"), .character("/"))
        state.type("102")
        #expect(state.table(for: .sagas).rows.map(\.cells[0]) == ["order-102"])
        state.press(.enter)
        #expect(state.paneState(.sagas).filter == "102")
        state.press(.escape)
        #expect(state.paneState(.sagas).filter.isEmpty)
    }

    @Test func helpIsGeneratedFromTheKeymap() {
        var state = Fixtures.state()
        state.press(.character("?"))
        let lines = Screen.helpLines(state).map(\.0).joined(separator: "\n")
        for binding in state.keymap.bindings {
            #expect(lines.contains(binding.help), "help lacks \(binding.name)")
            // A binding without keys (the Trace pane's pane-7) has no key to list.
            if !binding.keys.isEmpty { #expect(lines.contains(binding.keys.map(\.description).joined(separator: " "))) }
        }
        state.press(.escape)
        #expect(state.mode == .normal)
    }

    @Test func keyOverridesApplyAndConflictsAreRefused() throws {
        let keymap = try Keymap(overrides: ["quit": [.character("x")]])
        var state = ConsoleState(snapshot: Fixtures.snapshot(), now: Fixtures.now, keymap: keymap)
        #expect(state.press(.character("q")).isEmpty)
        #expect(state.press(.character("x")) == [.quit])
        #expect(throws: KeymapError.self) { try Keymap(overrides: ["quit": [.character("j")]]) }
    }

    @Test func hostileTextNeverReachesACellRaw() {
        var snapshot = Fixtures.snapshot()
        snapshot.recentEvents.append(FlowEvent(id: "evil", time: Fixtures.now, source: "\u{1B}]52;c;cHduZWQ=\u{07}",
                                               detailType: "x\u{202E}gpj.exe\u{0}" + String(repeating: "A", count: 100_000)))
        var state = Fixtures.state(snapshot)
        state.press(.tab, .enter)
        for size in GoldenFrameTests.sizes {
            let buffer = state.frame(size.0, size.1)
            #expect(!buffer.cells.contains { $0.text.unicodeScalars.contains { Sanitizer.isUnsafe($0) } })
        }
        let text = Fixtures.state(snapshot).frame(200, 60).textLines().joined(separator: "\n")
        #expect(text.contains("\\x1b]52;c;"))
    }

    @Test func toastsExpire() {
        var state = Fixtures.state()
        state.showToast("hello")
        _ = state.tick(now: Fixtures.now.addingTimeInterval(0.5))
        #expect(state.toast != nil)
        let changed = state.tick(now: Fixtures.now.addingTimeInterval(5))
        #expect(changed)
        #expect(state.toast == nil)
    }

    @Test func messagesKeepExpiredToastsNewestFirstAndBounded() {
        var state = Fixtures.state()
        state.press(.character(":"))
        state.type("bogus")
        state.press(.enter)
        _ = state.tick(now: Fixtures.now.addingTimeInterval(1))
        state.showToast("theme: default")
        _ = state.tick(now: Fixtures.now.addingTimeInterval(10))
        #expect(state.toast == nil)
        state.press(.character(":"))
        state.type("messages")
        state.press(.enter)
        #expect(state.mode == .messages(scroll: 0))
        let lines = state.frame(120, 40).textLines().joined(separator: "\n")
        let newest = lines.range(of: "11:06:41 · theme: default")
        let oldest = lines.range(of: "11:06:40 ✗ unknown command: bogus")
        #expect(newest != nil && oldest != nil)
        if let newest, let oldest { #expect(newest.lowerBound < oldest.lowerBound) }
        state.press(.character("j"))
        #expect(state.mode == .messages(scroll: 1))
        state.press(.escape)
        #expect(state.mode == .normal)

        for n in 0..<(ConsoleState.messageLogLimit + 5) { state.showToast("n\(n)") }
        #expect(state.messageLog.count == ConsoleState.messageLogLimit)
        #expect(state.messageLog.last?.text == "n\(ConsoleState.messageLogLimit + 4)")
    }

    @Test func layoutAdaptsToSize() {
        let state = Fixtures.state()
        for (columns, rows) in GoldenFrameTests.sizes {
            let lines = state.frame(columns, rows).textLines()
            #expect(lines.count == rows)
            #expect(lines.allSatisfy { DisplayWidth.of($0) <= columns })
            #expect(lines[rows - 1].contains("11:06:40 UTC"))
        }
    }
}

@Suite struct ColumnLayoutTests {
    @Test func narrowPanesKeepTheStateColumn() {
        let table = Fixtures.state().table(for: .circuits)
        let widths = Screen.columnWidths(table.columns, available: 30)
        let shown = zip(table.columns, widths).filter { $0.1 > 0 }.map(\.0.title)
        #expect(shown == ["BREAKER", "STATE", "FAIL%"])
        #expect(widths.reduce(0, +) + shown.count - 1 == 30)
        let wide = Screen.columnWidths(table.columns, available: 120)
        #expect(wide.allSatisfy { $0 > 0 })
        #expect(wide.reduce(0, +) + wide.count - 1 == 120)
    }
}

@testable import Console

@Suite struct MouseTests {
    /// A state drawn at 120×40, as the app loop leaves it after a render.
    func drawn(_ state: ConsoleState = Fixtures.state()) -> ConsoleState {
        var state = state
        state.screenSize = Size(columns: 120, rows: 40)
        return state
    }

    /// Where the Circuits pane (slot 2) is drawn, and the screen row of its table's row `n`.
    func circuitsRow(_ state: ConsoleState, _ n: Int) -> (x: Int, y: Int) {
        let rect = Screen.paneRects(state, paneArea: Screen.paneArea(size: state.screenSize))[2].rect
        let layout = Screen.tableLayout(state.table(for: .circuits), selected: 0, inner: Screen.innerRect(of: rect))
        return (rect.x + 4, layout.firstRowY + n)
    }

    @Test func clickFocusesThePaneAndSelectsTheRow() {
        var state = drawn()
        #expect(state.focusedPane == .topology)
        let target = circuitsRow(state, 2)
        state.press(.mouse(MouseEvent(.press, x: target.x, y: target.y)))
        #expect(state.focusedPane == .circuits)
        #expect(state.paneState(.circuits).selected == 2)
        // What is selected is what actions apply to.
        state.press(.character("o"))
        guard case .confirm(let dialog) = state.mode else { Issue.record("no dialog"); return }
        #expect(dialog.message.contains("shipping"))
        // A click never answers the dialog.
        state.press(.mouse(MouseEvent(.press, x: 60, y: 20)))
        guard case .confirm = state.mode else { Issue.record("a click closed the dialog"); return }
    }

    @Test func clickOnTheBorderOrSummaryOnlyFocuses() {
        var state = drawn()
        let rect = Screen.paneRects(state, paneArea: Screen.paneArea(size: state.screenSize))[3].rect
        state.press(.mouse(MouseEvent(.press, x: rect.x, y: rect.y + 1)))
        #expect(state.focusedPane == .sagas)
        #expect(state.paneState(.sagas).selected == 0)
    }

    @Test func wheelMovesTheSelectionOfThePaneUnderIt() {
        var state = drawn()
        let target = circuitsRow(state, 0)
        state.press(.mouse(MouseEvent(.wheelDown, x: target.x, y: target.y)))
        #expect(state.focusedPane == .circuits)
        #expect(state.paneState(.circuits).selected == 3)
        state.press(.mouse(MouseEvent(.wheelUp, x: target.x, y: target.y)))
        #expect(state.paneState(.circuits).selected == 0)
        state.press(.character("?"), .mouse(MouseEvent(.wheelDown, x: 1, y: 1)))
        #expect(state.mode == .help(scroll: 3))
    }

    @Test func mouseSettingParses() throws {
        #expect(try ConsoleConfig.parse("", file: "c.toml").mouse)
        #expect(try !ConsoleConfig.parse("mouse = false\n", file: "c.toml").mouse)
        #expect(throws: SettingsFileError.self) { try ConsoleConfig.parse("mouse = \"no\"\n", file: "c.toml") }
    }
}
