import Foundation
import Provider
import Testing
import Terminal
@testable import Console

/// A pane that exists only in this test target: a canvas with its own view state and keys,
/// registered without touching any file of the Console module.
struct ThrowawayPane: Pane {
    struct ViewState: Hashable, Sendable {
        var offset = 0
        var paused = false
    }

    let id = PaneID("throwaway")
    let title = "Throwaway"
    let defaultKey: Key? = .character("7")
    let roles = [Role("throwaway-mark")]
    let dataSections: Set<DataSection> = [.registry]
    let initialViewState = ViewState()

    var actions: [PaneAction<Int, ViewState>] {
        [
            .view("throwaway-pause", [.character(" ")], "Pause or resume") { view, _ in view.paused.toggle() },
            // `l` and `j` are not global, but `k` is (move up): a view key may shadow it here.
            .view("throwaway-pan-right", [.character("l")], "Pan right") { view, _ in view.offset += 1 },
            .view("throwaway-pan-left", [.character("k")], "Pan left") { view, _ in view.offset -= 1 },
            .system("throwaway-purge", [.character("X")], "Purge the mark") { row, _ in
                row == 0 ? .refuse("mark 0 cannot be purged") : .ask(.purgeQueue(url: "mark-\(row)"))
            },
        ]
    }

    func body(_ context: PaneContext, view: ViewState) -> PaneBody<Int> {
        .canvas(PaneCanvas(targets: [.init(id: 0, title: "mark 0"), .init(id: 1, title: "mark 1")]) { buffer, rect, selected, _ in
            buffer.put("offset \(view.offset)\(view.paused ? " paused" : "") selected \(selected.map(String.init) ?? "-")",
                       x: rect.x, y: rect.y, role: Role("throwaway-mark"), maxWidth: rect.width)
        })
    }

    func detail(of row: Int, _ context: PaneContext) -> [DetailLine]? {
        [("mark number \(row)", .text)]
    }
}

@Suite struct PaneRegistryTests {
    static let registry = PaneRegistry.standard.adding(ThrowawayPane())

    @Test func registeredPaneAppearsInKeymapHelpCompletionAndThemes() throws {
        var state = ConsoleState(snapshot: Fixtures.snapshot(), now: Fixtures.now, registry: Self.registry)
        // Keymap: its focus key as pane-8 (after the Trace pane, which has no digit), its own
        // actions scoped to it.
        #expect(state.keymap.binding(named: "pane-8")?.keys == [.character("7")])
        #expect(state.keymap.binding(for: .character(" "), pane: PaneID("throwaway"))?.name == "throwaway-pause")
        #expect(state.keymap.binding(for: .character(" "), pane: .queues) == nil)
        // Overrides and conflict checks know its names.
        _ = try Keymap(registry: Self.registry, overrides: ["throwaway-pause": [.character("p")], "pane-8": [.function(7)]])
        // Help.
        let help = Screen.helpLines(state).map(\.0)
        #expect(help.contains("Throwaway pane"))
        #expect(help.contains { $0.contains("7") && $0.contains("Show the Throwaway pane") })
        #expect(help.contains { $0.contains("Space") && $0.contains("Pause or resume") })
        #expect(help.contains { $0.contains(":throwaway") })
        // `:` completion and the command itself.
        #expect(state.completions(for: "thr").options == ["throwaway"])
        state.press(.character(":"))
        state.type("throwaway")
        state.press(.enter)
        #expect(state.focusedPane == PaneID("throwaway"))
        // Themes accept its role; the hint counts it.
        #expect(Self.registry.themeRoles.contains(Role("throwaway-mark")))
        _ = try ThemeParser.parse("name = \"t\"\n[roles]\nthrowaway-mark = { bold = true }\n", file: "t.toml", fallback: nil,
                                  roles: Self.registry.themeRoles)
        #expect(state.frame(120, 40).textLines().last(where: { $0.contains("panes") })?.contains("1-7 panes") == true)
    }

    @Test func canvasKeysChangeOnlyTheFocusedPanesViewState() {
        var state = ConsoleState(snapshot: Fixtures.snapshot(), now: Fixtures.now, registry: Self.registry)
        state.press(.character("7"))
        #expect(state.focusedPane == PaneID("throwaway"))
        state.press(.character(" "), .character("l"), .character("l"), .character("k"))
        #expect(state.paneState(PaneID("throwaway")).view?.typed(ThrowawayPane.ViewState.self) == .init(offset: 1, paused: true))
        var text = state.frame(120, 40).textLines().joined(separator: "\n")
        #expect(text.contains("offset 1 paused selected 0"))
        // Global movement still walks the canvas's targets; Enter opens the typed row.
        state.press(.character("j"))
        text = state.frame(120, 40).textLines().joined(separator: "\n")
        #expect(text.contains("selected 1"))
        state.press(.enter)
        #expect(state.drill.map(\.title) == ["mark 1"])
        #expect(state.frame(120, 40).textLines().joined(separator: "\n").contains("mark number 1"))
        // Its system action confirms with its help as the title; refusals are the pane's words.
        state.press(.character("X"))
        guard case .confirm(let dialog) = state.mode else { Issue.record("no dialog"); return }
        #expect(dialog.title == "Purge the mark" && dialog.action == .purgeQueue(url: "mark-1"))
        state.press(.escape, .escape, .character("g"), .character("X"))
        #expect(state.toast?.text == "mark 0 cannot be purged")
        // Elsewhere k is still "move up".
        state.press(.character("5"), .character("j"), .character("k"))
        #expect(state.paneState(.sagas).selected == 0)
    }

    @Test func theProviderPollsWhatThePanesOnScreenDeclare() {
        var state = ConsoleState(snapshot: Fixtures.snapshot(), now: Fixtures.now, registry: Self.registry)
        #expect(state.visibleSections == Set(DataSection.allCases), "the map on the dashboard shows a bit of everything")
        state.show(PaneID("throwaway"))
        state.zoomed = true
        #expect(state.visibleSections == [.registry])
        state.show(.queues)
        #expect(state.visibleSections == [.queues])
    }

    @Test func aSystemActionMayNotShadowAGlobalKey() {
        #expect(throws: KeymapError.self) { try Keymap(overrides: ["force-open": [.character("q")]]) }
        #expect(throws: KeymapError.self) { try Keymap(overrides: ["redrive-dlq": [.character("P")]]) }
        // The standard keymap itself is consistent.
        #expect(throws: Never.self) { try Keymap(registry: .standard, overrides: [:]) }
    }

    @Test func standardPanesKeepTheirDocumentedKeysAndNames() {
        let keymap = Keymap()
        let names = PaneRegistry.standard.ids.map(\.rawValue)
        #expect(names == ["topology", "flows", "queues", "circuits", "sagas", "registry", "trace"])
        // The Trace pane has no digit: it is opened on a key (t, :trace KEY).
        #expect(keymap.binding(named: "pane-7")?.keys == [])
        for (index, id) in PaneRegistry.standard.ids.prefix(6).enumerated() {
            #expect(keymap.binding(named: "pane-\(index + 1)")?.command == .focus(id))
            #expect(keymap.binding(named: "pane-\(index + 1)")?.keys == [.character(Character(String(index + 1)))])
        }
        #expect(PaneRegistry.standard.dashboard == [.topology, .flows, .circuits, .sagas])
    }
}
