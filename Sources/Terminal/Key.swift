/// A key press as the app sees it, whatever bytes or ncurses codes produced it.
public enum Key: Sendable, Hashable, CustomStringConvertible {
    case character(Character)
    /// Ctrl plus a letter, lowercased (`ctrl("c")`).
    case ctrl(Character)
    case up, down, left, right
    case home, end, pageUp, pageDown
    case insert, delete
    case function(Int)
    case escape
    case tab, backTab
    case enter
    case backspace
    /// The terminal changed size (delivered as a key by ncurses).
    case resize
    /// A click or wheel turn (only when the backend was started with the mouse on).
    case mouse(MouseEvent)

    /// How help and the keymap spell the key (`Ctrl-C`, `PgDn`, `F1`, `q`).
    public var description: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .ctrl(let c): "Ctrl-" + String(c).uppercased()
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .insert: "Ins"
        case .delete: "Del"
        case .function(let n): "F\(n)"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .enter: "Enter"
        case .backspace: "Backspace"
        case .resize: "Resize"
        case .mouse: "Mouse"
        }
    }

    /// Parses the spelling used in configuration files: `q`, `Ctrl-C`, `F5`, `PgDn`, `Enter`,
    /// `Space`, `Shift-Tab`, `Up`. Nil when the text names no key.
    public init?(spec: String) {
        let lower = spec.lowercased()
        switch lower {
        case "up", "↑": self = .up
        case "down", "↓": self = .down
        case "left", "←": self = .left
        case "right", "→": self = .right
        case "home": self = .home
        case "end": self = .end
        case "pgup", "pageup": self = .pageUp
        case "pgdn", "pagedown": self = .pageDown
        case "ins", "insert": self = .insert
        case "del", "delete": self = .delete
        case "esc", "escape": self = .escape
        case "tab": self = .tab
        case "shift-tab", "backtab": self = .backTab
        case "enter", "return": self = .enter
        case "backspace": self = .backspace
        case "space": self = .character(" ")
        default:
            if lower.hasPrefix("ctrl-"), spec.count == 6, let c = lower.last, c.isLetter, c.isASCII {
                self = .ctrl(c)
            } else if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...12).contains(n) {
                self = .function(n)
            } else if spec.count == 1, let c = spec.first, !(c.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) {
                self = .character(c)
            } else {
                return nil
            }
        }
    }
}

/// Turns what ncurses' `get_wch` returned into a `Key`.
///
/// ncurses (with `keypad` on) already decodes escape sequences into `KEY_*` codes using the
/// terminal's terminfo; this maps those codes and the plain characters (control bytes for
/// Ctrl-letters, DEL for Backspace, CR/LF for Enter).
public enum KeyDecoder {
    /// ncurses key codes (from `<ncurses.h>`), fixed across ncurses 5 and 6.
    public enum Code {
        public static let down: UInt32 = 0o402, up: UInt32 = 0o403, left: UInt32 = 0o404, right: UInt32 = 0o405
        public static let home: UInt32 = 0o406, backspace: UInt32 = 0o407, f0: UInt32 = 0o410
        public static let delete: UInt32 = 0o512, insert: UInt32 = 0o513
        public static let pageDown: UInt32 = 0o522, pageUp: UInt32 = 0o523, enter: UInt32 = 0o527
        public static let backTab: UInt32 = 0o541, end: UInt32 = 0o550, resize: UInt32 = 0o632, mouse: UInt32 = 0o631
    }

    /// Decodes one `get_wch` result: `isKeyCode` is true when it returned `KEY_CODE_YES`.
    public static func decode(_ value: UInt32, isKeyCode: Bool) -> Key? {
        if isKeyCode {
            switch value {
            case Code.up: return .up
            case Code.down: return .down
            case Code.left: return .left
            case Code.right: return .right
            case Code.home: return .home
            case Code.end: return .end
            case Code.pageUp: return .pageUp
            case Code.pageDown: return .pageDown
            case Code.insert: return .insert
            case Code.delete: return .delete
            case Code.backspace: return .backspace
            case Code.enter: return .enter
            case Code.backTab: return .backTab
            case Code.resize: return .resize
            case (Code.f0 + 1)...(Code.f0 + 12): return .function(Int(value - Code.f0))
            default: return nil
            }
        }
        switch value {
        case 0x1B: return .escape
        case 0x09: return .tab
        case 0x0D, 0x0A: return .enter
        case 0x7F, 0x08: return .backspace
        case 0x01...0x1A:
            return .ctrl(Character(Unicode.Scalar(UInt8(value) + 0x60)))
        case 0x00..<0x20: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }
}

/// A mouse event as the app sees it: where (cell coordinates, 0-based) and what.
public struct MouseEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The left button went down (a click selects on press, as in htop).
        case press
        case wheelUp
        case wheelDown
    }

    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

/// Turns what ncurses' `getmouse` reported (its button-state bits) into a `MouseEvent`.
///
/// ncurses decodes the terminal's report itself (SGR 1006 `ESC [ < b ; x ; y M` on terminals
/// whose terminfo says so, X10 `ESC [ M` otherwise); this maps its mask. Other buttons,
/// releases and motion are nil: the console ignores them.
public enum MouseDecoder {
    /// ncurses' mask bits for the events the console uses (ncurses 6 mouse version 2 layout,
    /// read from the shim so they always match the library).
    public struct Masks: Sendable {
        public var leftPressed: UInt32
        public var leftClicked: UInt32
        public var wheelUp: UInt32
        public var wheelDown: UInt32

        public init(leftPressed: UInt32, leftClicked: UInt32, wheelUp: UInt32, wheelDown: UInt32) {
            self.leftPressed = leftPressed
            self.leftClicked = leftClicked
            self.wheelUp = wheelUp
            self.wheelDown = wheelDown
        }
    }

    public static func decode(state: UInt32, x: Int, y: Int, masks: Masks) -> MouseEvent? {
        if state & masks.wheelUp != 0 { return MouseEvent(.wheelUp, x: x, y: y) }
        if state & masks.wheelDown != 0 { return MouseEvent(.wheelDown, x: x, y: y) }
        if state & (masks.leftPressed | masks.leftClicked) != 0 { return MouseEvent(.press, x: x, y: y) }
        return nil
    }
}
