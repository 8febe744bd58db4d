import Provider
import Terminal

/// Everything a key can do. The raw value is the name used in `[keys]` of `config.toml`.
public enum KeyAction: String, Sendable, Hashable, CaseIterable {
    case quit, forceQuit = "force-quit", help, command, filter
    case nextPane = "next-pane", previousPane = "previous-pane"
    case focus1 = "pane-1", focus2 = "pane-2", focus3 = "pane-3", focus4 = "pane-4", focus5 = "pane-5", focus6 = "pane-6"
    case up, down, pageUp = "page-up", pageDown = "page-down", top, bottom
    case open, back, zoom
    case forceOpen = "force-open", forceClosed = "force-closed", releaseBreaker = "release-breaker"
    case redriveQueue = "redrive-dlq", purgeQueue = "purge-queue"
    case stopExecution = "stop-execution", redriveExecution = "redrive-execution"
}

/// Where a binding applies: everywhere, or only when a given pane has focus.
public enum KeyScope: Sendable, Hashable {
    case global
    case pane(PaneKind)

    public var title: String {
        switch self {
        case .global: "Global"
        case .pane(let pane): pane.title
        }
    }
}

/// One key definition: the single place its keys, help text and danger are stated. The help
/// overlay, the README's key table and the dispatcher all read these.
public struct KeyBinding: Sendable, Hashable {
    public var action: KeyAction
    public var keys: [Key]
    public var help: String
    public var scope: KeyScope
    /// A dangerous action changes the watched system: it asks for confirmation with Cancel as
    /// the default button, and is refused in `--readonly`.
    public var dangerous: Bool

    public init(_ action: KeyAction, _ keys: [Key], _ help: String, scope: KeyScope = .global, dangerous: Bool = false) {
        self.action = action
        self.keys = keys
        self.help = help
        self.scope = scope
        self.dangerous = dangerous
    }
}

/// The console's keys (k9s/htop habits), with the operator's overrides applied.
public struct Keymap: Sendable, Hashable {
    public private(set) var bindings: [KeyBinding]

    public static let defaults: [KeyBinding] = [
        KeyBinding(.help, [.character("?"), .function(1)], "Show or hide this help"),
        KeyBinding(.command, [.character(":")], "Command bar (:queues, :theme light, :q …)"),
        KeyBinding(.filter, [.character("/")], "Filter the focused pane"),
        KeyBinding(.nextPane, [.tab], "Focus the next pane"),
        KeyBinding(.previousPane, [.backTab], "Focus the previous pane"),
        KeyBinding(.focus1, [.character("1")], "Show the Topology pane"),
        KeyBinding(.focus2, [.character("2")], "Show the Flows pane"),
        KeyBinding(.focus3, [.character("3")], "Show the Queues pane"),
        KeyBinding(.focus4, [.character("4")], "Show the Circuits pane"),
        KeyBinding(.focus5, [.character("5")], "Show the Sagas pane"),
        KeyBinding(.focus6, [.character("6")], "Show the Registry pane"),
        KeyBinding(.up, [.character("k"), .up], "Move up"),
        KeyBinding(.down, [.character("j"), .down], "Move down"),
        KeyBinding(.pageUp, [.pageUp, .ctrl("b")], "Page up"),
        KeyBinding(.pageDown, [.pageDown, .ctrl("f")], "Page down"),
        KeyBinding(.top, [.character("g"), .home], "First row"),
        KeyBinding(.bottom, [.character("G"), .end], "Last row"),
        KeyBinding(.open, [.enter], "Open the selected row (drill down)"),
        KeyBinding(.back, [.escape], "Back: close detail, prompt or overlay"),
        KeyBinding(.zoom, [.character("z")], "Zoom the focused pane to full screen"),
        KeyBinding(.quit, [.character("q")], "Quit"),
        KeyBinding(.forceQuit, [.ctrl("c")], "Quit at once"),
        KeyBinding(.forceOpen, [.character("o")], "Force the breaker OPEN", scope: .pane(.circuits), dangerous: true),
        KeyBinding(.forceClosed, [.character("c")], "Force the breaker CLOSED", scope: .pane(.circuits), dangerous: true),
        KeyBinding(.releaseBreaker, [.character("a")], "Release the breaker to automatic", scope: .pane(.circuits), dangerous: true),
        KeyBinding(.redriveQueue, [.character("R")], "Redrive the dead-letter queue", scope: .pane(.queues), dangerous: true),
        KeyBinding(.purgeQueue, [.character("P")], "Purge the queue", scope: .pane(.queues), dangerous: true),
        KeyBinding(.stopExecution, [.character("S")], "Stop the execution", scope: .pane(.sagas), dangerous: true),
        KeyBinding(.redriveExecution, [.character("R")], "Redrive the failed execution", scope: .pane(.sagas), dangerous: true),
    ]

    public init(bindings: [KeyBinding] = Keymap.defaults) {
        self.bindings = bindings
    }

    /// The defaults with `overrides` (action → keys) applied. A key bound twice where both
    /// bindings could apply is refused, naming both actions.
    public init(overrides: [String: [Key]]) throws(KeymapError) {
        var bindings = Keymap.defaults
        for (name, keys) in overrides {
            guard let action = KeyAction(rawValue: name) else { throw KeymapError(message: "unknown action \(name)") }
            for index in bindings.indices where bindings[index].action == action {
                bindings[index].keys = keys
            }
        }
        for (i, a) in bindings.enumerated() {
            for b in bindings[(i + 1)...] {
                let overlap = a.scope == .global || b.scope == .global || a.scope == b.scope
                if overlap, let key = a.keys.first(where: { b.keys.contains($0) }) {
                    throw KeymapError(message: "key \(key) is bound to both \(a.action.rawValue) and \(b.action.rawValue)")
                }
            }
        }
        self.bindings = bindings
    }

    /// The binding `key` triggers with `pane` focused: pane bindings first, then global.
    public func binding(for key: Key, pane: PaneKind?) -> KeyBinding? {
        if let pane, let binding = bindings.first(where: { $0.scope == .pane(pane) && $0.keys.contains(key) }) {
            return binding
        }
        return bindings.first { $0.scope == .global && $0.keys.contains(key) }
    }

    public func binding(for action: KeyAction) -> KeyBinding? {
        bindings.first { $0.action == action }
    }

    /// Bindings grouped for the help overlay, global first.
    public var groups: [(scope: KeyScope, bindings: [KeyBinding])] {
        var order: [KeyScope] = [.global]
        for binding in bindings where !order.contains(binding.scope) { order.append(binding.scope) }
        return order.map { scope in (scope, bindings.filter { $0.scope == scope }) }
    }
}

public struct KeymapError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
