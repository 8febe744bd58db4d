import Foundation
import Provider
import Terminal

// The values the console's state is made of: each pane's view state, the modes (dialogs, the
// command bar, prompts), toasts, and the effects a key asks of the app loop.

/// Per-pane view state: which row is selected, what the pane is filtered by, and the pane's
/// own view state (a canvas's pan, zoom, pause; opaque here, typed in the pane).
public struct PaneState: Sendable, Hashable {
    public var selected = 0
    public var filter = ""
    /// Nil until the pane's first view action: then the pane's `ViewState`.
    public var view: OpaqueValue?
    public init() {}
}

/// One level of drill-down: the pane and row opened with Enter.
public struct DrillFrame: Sendable, Hashable {
    public var pane: PaneID
    /// The pane's typed row id, held opaque.
    public var row: OpaqueValue
    public var title: String
    public var scroll = 0
}

/// Where the operator was when they followed a link to another pane: Esc in the linked pane
/// (once its own detail is closed) puts all of it back, the linked pane's filter included.
public struct LinkOrigin: Sendable, Hashable {
    /// The pane the link opened.
    public var pane: PaneID
    /// The linked pane's state before the link set its filter and selection.
    public var paneState: PaneState
    public var slots: [PaneID]
    public var focusedSlot: Int
    public var zoomed: Bool
    public var drill: [DrillFrame]
}

/// A confirmation for a dangerous action. Cancel is focused until the operator moves to
/// Confirm on purpose: Enter on an unread dialog must never change the live system.
/// Every dangerous action asks for a reason (recorded in the audit trail) and, where it needs
/// them, typed values (a stop's cause, a task's output). Tab walks Cancel, Confirm and the
/// fields; in a field keys type, and Enter moves to Confirm (it never sends from a field).
public struct ConfirmDialog: Sendable, Hashable {
    public enum Focus: Sendable, Hashable {
        case cancel, confirm
        case field(Int)
    }
    public var title: String
    public var message: String
    public var action: OperatorAction
    public var fields: [DialogField]
    public var focus = Focus.cancel
    /// Why Confirm did not send (a field that is not JSON), shown in the dialog.
    public var problem: String?

    public init(title: String, message: String, action: OperatorAction) {
        self.title = title
        self.message = message
        self.action = action
        self.fields = action.dialogFields
    }

    public var confirmFocused: Bool {
        get { focus == .confirm }
        set { focus = newValue ? .confirm : .cancel }
    }

    /// The reason typed ("" when none).
    public var reason: String { fields.first { $0.name == "reason" }?.text ?? "" }

    /// Tab order: Cancel, Confirm, then each field.
    mutating func moveFocus(by step: Int) {
        let order: [Focus] = [.cancel, .confirm] + fields.indices.map { Focus.field($0) }
        let index = order.firstIndex(of: focus) ?? 0
        focus = order[(index + step + order.count) % order.count]
    }
}

/// A transient message shown above the status bar.
public struct Toast: Sendable, Hashable {
    public enum Level: Sendable, Hashable { case info, warn, error }
    public var text: String
    public var level: Level
    public var expires: Date
}

/// A toast as `:messages` lists it: what was said, how, and when. Toasts last seconds; an
/// operator who looked away (or a script reading the screen) finds them here, as vim's
/// `:messages` and tmux's `show-messages` keep theirs.
public struct LoggedMessage: Sendable, Hashable {
    public var time: Date
    public var text: String
    public var level: Toast.Level
}

/// The command bar's edit state.
public struct CommandBar: Sendable, Hashable {
    public var text = ""
    /// Position in history while browsing with ↑/↓ (nil: editing a new line).
    public var historyIndex: Int?
    /// Completions offered by the last Tab.
    public var candidates: [String] = []
}

/// Where to write an export: the path as typed (a default offered), and whether the operator
/// already agreed to replace the file there.
public struct SavePrompt: Sendable, Hashable {
    public var path: String
    public var export: PaneExport
    /// Set once the write found a file there: Enter now replaces it.
    public var overwrite = false

    public init(path: String, export: PaneExport) {
        self.path = path
        self.export = export
    }
}

/// What the console is doing with the keyboard.
public enum Mode: Sendable, Hashable {
    case normal
    case command(CommandBar)
    case filter(String)
    case help(scroll: Int)
    /// `:messages`: the toasts shown, newest first.
    case messages(scroll: Int)
    case confirm(ConfirmDialog)
    case save(SavePrompt)
}

/// What the app loop must do after a key: the state itself is already updated.
public enum ConsoleEffect: Sendable, Hashable {
    case quit
    /// Send the action; `reason` is what the operator typed, for the audit trail.
    case perform(OperatorAction, reason: String = "")
    /// Load and apply a theme by name or path; the loop reports failures as a toast.
    case applyTheme(String)
    /// Put this text on the terminal's clipboard (OSC 52).
    case copyToClipboard(String)
    /// Write the export to the prompt's path (refusing to replace a file unless `overwrite`);
    /// the loop reports the outcome, or calls `askToOverwrite` when a file is there.
    case write(SavePrompt)
}
