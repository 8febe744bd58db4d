import Provider
import Terminal

/// The console's own actions, the same on every pane. The raw value is the name used in
/// `[keys]` of `config.toml`. Focusing a pane (`pane-N`) and the panes' own actions are named
/// by the `PaneRegistry`.
public enum KeyAction: String, Sendable, Hashable, CaseIterable {
    case quit, forceQuit = "force-quit", help, command, filter
    case nextPane = "next-pane", previousPane = "previous-pane"
    case up, down, pageUp = "page-up", pageDown = "page-down", top, bottom
    case open, back, zoom, trace
}

/// What a binding does.
public enum KeyCommand: Sendable, Hashable {
    case global(KeyAction)
    /// Show this pane (`pane-N`).
    case focus(PaneID)
    /// The named action of a pane, while that pane has focus.
    case pane(PaneID, action: String)
}

/// Where a binding applies: everywhere, or only when a given pane has focus.
public enum KeyScope: Sendable, Hashable {
    case global
    case pane(PaneID)
}

/// One key definition: the single place its keys, help text and danger are stated. The help
/// overlay, the README's key table and the dispatcher all read these.
public struct KeyBinding: Sendable, Hashable {
    /// The name in `[keys]` of config.toml (`quit`, `pane-3`, `force-open`).
    public var name: String
    public var command: KeyCommand
    public var keys: [Key]
    public var help: String
    /// A dangerous action changes the watched system: it asks for confirmation with Cancel as
    /// the default button, and is refused in `--readonly`.
    public var dangerous: Bool
    /// Applies only while a row of its pane is opened (a timeline's keys).
    public var inDetailOnly = false

    public init(_ action: KeyAction, _ keys: [Key], _ help: String) {
        self.init(name: action.rawValue, command: .global(action), keys: keys, help: help)
    }

    public init(name: String, command: KeyCommand, keys: [Key], help: String, dangerous: Bool = false) {
        self.name = name
        self.command = command
        self.keys = keys
        self.help = help
        self.dangerous = dangerous
    }

    public var scope: KeyScope {
        if case .pane(let pane, _) = command { return .pane(pane) }
        return .global
    }
}

/// The console's keys (k9s/htop habits) for a set of panes, with the operator's overrides.
public struct Keymap: Sendable, Hashable {
    public private(set) var bindings: [KeyBinding]

    static let navigation: [KeyBinding] = [
        KeyBinding(.help, [.character("?"), .function(1)], "Show or hide this help"),
        KeyBinding(.command, [.character(":")], "Command bar (:queues, :theme light, :q …)"),
        KeyBinding(.filter, [.character("/")], "Filter the focused pane"),
        KeyBinding(.nextPane, [.tab], "Focus the next pane"),
        KeyBinding(.previousPane, [.backTab], "Focus the previous pane"),
    ]

    static let movement: [KeyBinding] = [
        KeyBinding(.up, [.character("k"), .up], "Move up"),
        KeyBinding(.down, [.character("j"), .down], "Move down"),
        KeyBinding(.pageUp, [.pageUp, .ctrl("b")], "Page up"),
        KeyBinding(.pageDown, [.pageDown, .ctrl("f")], "Page down"),
        KeyBinding(.top, [.character("g"), .home], "First row"),
        KeyBinding(.bottom, [.character("G"), .end], "Last row"),
        KeyBinding(.open, [.enter], "Open the selected row (drill down)"),
        KeyBinding(.back, [.escape], "Back: close detail, prompt or overlay"),
        KeyBinding(.zoom, [.character("z")], "Zoom the focused pane to full screen"),
        KeyBinding(.trace, [.character("t")], "Trace the selected row's business key (an event, a queue, a saga)"),
        KeyBinding(.quit, [.character("q")], "Quit"),
        KeyBinding(.forceQuit, [.ctrl("c")], "Quit at once"),
    ]

    /// The default keys for `registry`: the console's own, one `pane-N` per pane (its
    /// default key), then each pane's actions.
    public static func defaults(for registry: PaneRegistry) -> [KeyBinding] {
        var bindings = navigation
        for (index, pane) in registry.panes.enumerated() {
            bindings.append(KeyBinding(name: "pane-\(index + 1)", command: .focus(pane.id), keys: pane.defaultKey.map { [$0] } ?? [],
                                       help: "Show the \(pane.title) pane"))
        }
        bindings += movement
        for pane in registry.panes {
            for action in pane.actionInfo {
                var binding = KeyBinding(name: action.name, command: .pane(pane.id, action: action.name), keys: action.keys,
                                         help: action.help, dangerous: action.changesSystem)
                binding.inDetailOnly = action.inDetailOnly
                bindings.append(binding)
            }
        }
        return bindings
    }

    /// The defaults for `registry`, unchecked (the registry's own tests check them).
    public init(registry: PaneRegistry = .standard) {
        bindings = Keymap.defaults(for: registry)
    }

    /// The defaults with `overrides` (action name → keys) applied. A key bound twice where both
    /// bindings could apply is refused, naming both actions; only a pane's view keys may shadow a
    /// global key (a canvas's h/j/k/l), never a key that changes the system.
    public init(registry: PaneRegistry = .standard, overrides: [String: [Key]]) throws(KeymapError) {
        var bindings = Keymap.defaults(for: registry)
        for (name, keys) in overrides {
            guard bindings.contains(where: { $0.name == name }) else { throw KeymapError(message: "unknown action \(name)") }
            for index in bindings.indices where bindings[index].name == name {
                bindings[index].keys = keys
            }
        }
        for (i, a) in bindings.enumerated() {
            for b in bindings[(i + 1)...] {
                let overlap: Bool = switch (a.scope, b.scope) {
                case (.global, .global): true
                case (.pane(let x), .pane(let y)): x == y
                case (.global, .pane): b.dangerous
                case (.pane, .global): a.dangerous
                }
                if overlap, let key = a.keys.first(where: { b.keys.contains($0) }) {
                    throw KeymapError(message: "key \(key) is bound to both \(a.name) and \(b.name)")
                }
            }
        }
        self.bindings = bindings
    }

    /// Every action name `[keys]` accepts.
    public var actionNames: [String] { bindings.map(\.name) }

    /// The binding `key` triggers with `pane` focused (`opened`: a row of it is opened): pane
    /// bindings first, then global.
    public func binding(for key: Key, pane: PaneID?, opened: Bool = false) -> KeyBinding? {
        if let pane, let binding = bindings.first(where: {
            $0.scope == .pane(pane) && $0.keys.contains(key) && (opened || !$0.inDetailOnly)
        }) {
            return binding
        }
        return bindings.first { $0.scope == .global && $0.keys.contains(key) }
    }

    public func binding(named name: String) -> KeyBinding? {
        bindings.first { $0.name == name }
    }

    /// The binding that focuses `pane`.
    public func focusBinding(for pane: PaneID) -> KeyBinding? {
        bindings.first { $0.command == .focus(pane) }
    }

    /// Bindings grouped for the help overlay: global first, then each pane's (with the pane's
    /// title), panes in alphabetical order so the overlay reads like an index.
    public func groups(titles: (PaneID) -> String) -> [(title: String, global: Bool, bindings: [KeyBinding])] {
        var panes: [PaneID] = []
        for binding in bindings { if case .pane(let pane) = binding.scope, !panes.contains(pane) { panes.append(pane) } }
        var groups: [(title: String, global: Bool, bindings: [KeyBinding])] = [(title: "Global", global: true, bindings: bindings.filter { $0.scope == .global })]
        for pane in panes.sorted(by: { titles($0) < titles($1) }) {
            groups.append((title: titles(pane), global: false, bindings: bindings.filter { $0.scope == .pane(pane) }))
        }
        return groups
    }
}

public struct KeymapError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
