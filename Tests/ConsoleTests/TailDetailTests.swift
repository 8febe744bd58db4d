import Foundation
import JSON
import Provider
import SignalboxTestSupport
import Terminal
import Testing
@testable import Console

/// An event's detail in the tail: foldable JSON, copy to the clipboard, write to a file.
@Suite struct TailDetailTests {
    /// The console with the detail of event `index` (of 30) open.
    static func opened(_ index: Int) -> ConsoleState {
        var (state, _) = TailPaneTests.console(count: 30)
        state.press(.character("g"))
        for _ in 0..<index { state.press(.character("j")) }
        state.press(.enter)
        return state
    }

    static func screen(_ state: ConsoleState) -> String { state.frame(120, 40).textLines().joined(separator: "\n") }

    /// Moves the detail's cursor to the first line containing `text`.
    static func moveCursor(_ state: inout ConsoleState, to text: String) {
        let row = state.drill.last!.row.typed(FlowsPane.RowID.self)!
        let event = state.snapshot.recentEvents[state.snapshot.recentEvents.index(ofSequence: row.sequence)!]
        let view = state.paneState(.flows).view?.typed(FlowsPane.ViewState.self) ?? FlowsPane.ViewState()
        let index = FlowsPane().detailRows(event, folded: view.folded).firstIndex { $0.text.contains(text) }!
        state.press(.character("g"))
        for _ in 0..<index { state.press(.character("j")) }
    }

    @Test("f folds the object or array at the cursor to one line, and again unfolds it; a folds every member")
    func folding() {
        var state = Self.opened(12)
        #expect(Self.screen(state).contains(#""sku": "sku-0","#))
        Self.moveCursor(&state, to: #""sku": "#)
        state.press(.character("f"))
        var screen = Self.screen(state)
        #expect(screen.contains("{…}  2 keys"), "the item folded")
        #expect(!screen.contains(#""sku": "sku-0","#))
        #expect(state.drill.last?.scroll == state.drill.last.map { _ in
            FlowsPane().detailRows(state.snapshot.recentEvents[12], folded: ["/detail/items/0"]).firstIndex { $0.text.contains("{…}") }!
        }, "the cursor is on the folded line")
        state.press(.enter)
        #expect(Self.screen(state).contains(#""sku": "sku-0","#), "Enter unfolds it again")
        state.press(.character("a"))
        screen = Self.screen(state)
        #expect(screen.contains(#""detail": {…}  4 keys"#) && screen.contains(#""resources": []"#))
        state.press(.character("a"))
        #expect(Self.screen(state).contains(#""currency": "EUR""#))
    }

    @Test("a failed delivery is shown with its target, outcome and error")
    func failedDelivery() {
        let state = Self.opened(12)
        #expect(Self.screen(state).contains("delivery     order-created → order-saga: ✗ failed (QueueDoesNotExist: The specified queue does not exist.)"))
    }

    @Test("y copies the event's envelope as JSON through OSC 52 and says so; the sequence is base64 of the JSON")
    func copy() throws {
        var state = Self.opened(3)
        let effects = state.press(.character("y"))
        guard case .copyToClipboard(let text)? = effects.first else { Issue.record("no copy: \(effects)"); return }
        let envelope = try JSONValue(parsing: text)
        #expect(envelope["id"]?.stringValue == "ev-00003" && envelope["detail"]?["orderId"]?.stringValue == "ord-1001")
        #expect(state.toast?.text.hasPrefix("copied event ev-00003 as JSON (") == true)
        let sequence = Clipboard.sequence(for: text)
        #expect(sequence.hasPrefix("\u{1B}]52;c;") && sequence.hasSuffix("\u{07}"))
        #expect(Data(base64Encoded: String(sequence.dropFirst(7).dropLast())) == Data(text.utf8))
        // From the list too, for the selected row.
        var list = Self.opened(3)
        list.press(.escape)
        #expect(list.press(.character("y")).count == 1)
    }

    @Test("w asks for a path with a default, writes, refuses to replace a file without a yes, and says why a write failed")
    func write() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-tail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var state = Self.opened(3)
        state.press(.character("w"))
        guard case .save(let prompt) = state.mode else { Issue.record("no prompt: \(state.mode)"); return }
        #expect(prompt.path == "./event-ev-00003.json")
        #expect(Self.screen(state).contains("write event ev-00003 to: ./event-ev-00003.json"))
        state.press(.ctrl("u"))
        state.type(directory + "/e.json")
        let effects = state.press(.enter)
        guard case .write(let typed)? = effects.first else { Issue.record("no write: \(effects)"); return }
        #expect(FileExport.write(typed) == .written(path: directory + "/e.json", bytes: typed.export.text.utf8.count))
        #expect(try JSONValue(parsing: String(contentsOfFile: directory + "/e.json", encoding: .utf8))["id"]?.stringValue == "ev-00003")
        // Again: the file is there, so the console asks; Enter then replaces it.
        #expect(FileExport.write(typed) == .exists(path: directory + "/e.json"))
        state.askToOverwrite(typed)
        #expect(Self.screen(state).contains("it exists: Enter replaces it"))
        guard case .write(let agreed)? = state.press(.enter).first, agreed.overwrite else { Issue.record("no overwrite"); return }
        #expect(FileExport.write(agreed) == .written(path: directory + "/e.json", bytes: agreed.export.text.utf8.count))
        // A directory that does not exist: the system's reason.
        var missing = typed
        missing.path = directory + "/no/such/dir/e.json"
        #expect(FileExport.write(missing) == .failed("No such file or directory"))
        // Esc: nothing written.
        state.press(.character("w"), .escape)
        #expect(state.mode == .normal && state.toast?.text == "not written: event ev-00003")
    }

    @Test("fold state: paths name members as JSON Pointer does; folding the document keeps one line")
    func foldPaths() {
        let value: JSONValue = ["a/b": ["x": [1, 2]], "c": []]
        #expect(FoldableJSON.containers(value) == ["", "/a~1b", "/a~1b/x"])
        #expect(FoldableJSON.lines(value, folded: ["/a~1b/x"]).map(\.text) == ["{", #"  "a/b": {"#, #"    "x": […]  2 items"#, "  },", #"  "c": []"#, "}"])
        #expect(FoldableJSON.lines(value, folded: [""]).map(\.text) == ["{…}  2 keys"])
        #expect(Format.prettyJSON(value).count == 9)
    }
}
