import CNcurses
import CTerminalSupport
#if canImport(Glibc)
import Glibc
#endif

/// The only code that talks to ncurses. It is not `Sendable` on purpose: create it, use it and
/// stop it on one thread (ncurses is not reentrant).
///
/// It flushes only the cells that changed since the last frame, maps semantic roles to colour
/// pairs lowered to what the terminal supports, and always leaves the terminal as it found
/// it: `stop()` is idempotent and called on exit, on signals and on errors.
public final class NcursesBackend {
    public enum Failure: Error, CustomStringConvertible {
        case cannotStart(String)
        public var description: String {
            switch self {
            case .cannotStart(let why): "cannot start the terminal: \(why)"
            }
        }
    }

    /// Where the screen goes: the process's terminal, or a terminal type writing to a file
    /// (headless: tests and the benchmark count the bytes).
    public enum Output {
        case tty
        case headless(terminalType: String, size: Size, output: UnsafeMutablePointer<FILE>,
                      input: UnsafeMutablePointer<FILE>)
    }

    public private(set) var colorDepth: ColorDepth = .none
    private var screen: OpaquePointer?
    private var running = false
    private var lastFrame: CellBuffer?
    private var pairAttributes: [Role: (pair: Int32, attributes: attr_t)] = [:]
    private let noColor: Bool
    /// The descriptor ncurses writes to: escape sequences it does not know (OSC 52) go there too.
    private let outputDescriptor: Int32
    /// The headless output, flushed before such a sequence so it follows what ncurses wrote.
    private let headlessOutput: UnsafeMutablePointer<FILE>?
    private var wchars = [wchar_t](repeating: 0, count: 8)

    /// Starts curses: raw mode, no echo, keypad decoding, hidden cursor, alternate screen.
    /// `noColor` forces attribute-only output (`NO_COLOR`); `mouse` turns on click and wheel
    /// reports (`Key.mouse`); ncurses turns them off again in `endwin`.
    public init(output: Output = .tty, noColor: Bool = false, mouse: Bool = false) throws {
        self.noColor = noColor
        if case .headless(_, _, let out, _) = output {
            (outputDescriptor, headlessOutput) = (fileno(out), out)
        } else {
            (outputDescriptor, headlessOutput) = (STDOUT_FILENO, nil)
        }
        if setlocale(LC_ALL, "") == nil || !CNcursesLocaleIsUTF8() {
            _ = setlocale(LC_ALL, "C.UTF-8")
        }
        setenv("ESCDELAY", "25", 0)
        switch output {
        case .tty:
            guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
                throw Failure.cannotStart("standard input and output must be a terminal")
            }
            sb_install_crash_restore()
            guard initscr() != nil else { throw Failure.cannotStart("initscr failed (TERM=\(getenv("TERM").map { String(cString: $0) } ?? "unset"))") }
        case .headless(let terminalType, let size, let out, let input):
            guard let screen = newterm(terminalType, out, input) else {
                throw Failure.cannotStart("no terminfo entry for \(terminalType)")
            }
            self.screen = screen
            set_term(screen)
            resizeterm(Int32(size.rows), Int32(size.columns))
        }
        running = true
        raw()
        noecho()
        nonl()
        keypad(sb_stdscr(), true)
        intrflush(sb_stdscr(), false)
        // The cursor is hidden: let ncurses leave it wherever the last write ended (no moves).
        leaveok(sb_stdscr(), true)
        curs_set(0)
        if mouse { sb_enable_mouse() }
        for signal in [SIGINT, SIGTERM, SIGHUP] { sb_install_signal(signal) }
        colorDepth = .none
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            colorDepth = ColorDepth.detect(colors: Int(sb_colors()), hasColors: true, noColor: false)
        }
    }

    deinit { stop() }

    /// The terminal's size now.
    public var size: Size { Size(columns: Int(sb_cols()), rows: Int(sb_lines())) }

    /// Applies a theme: each role becomes a colour pair plus attributes. Forces a full redraw.
    /// Roles are open (the app declares its own), so pairs are numbered in name order; a role
    /// missing from `styles` is drawn plain.
    public func apply(styles: [Role: Style]) {
        pairAttributes.removeAll()
        for (index, role) in styles.keys.sorted(by: { $0.name < $1.name }).enumerated() {
            let style = styles[role] ?? Style()
            var attributes = Self.attributes(style.attributes)
            var pair: Int32 = 0
            if colorDepth != .none, index + 1 < Int(sb_color_pairs()) {
                let fg = style.foreground.lowered(to: colorDepth).map(Self.colorNumber) ?? -1
                let bg = style.background.lowered(to: colorDepth).map(Self.colorNumber) ?? -1
                pair = Int32(index) + 1
                if init_extended_pair(pair, fg, bg) == ERR { pair = 0 }
            } else if style.attributes.isEmpty && (role == .selection || role == .dialogButtonDefault) {
                attributes |= sb_attr_reverse()
            }
            pairAttributes[role] = (pair, attributes)
        }
        lastFrame = nil
        clearok(sb_stdscr(), true)
    }

    /// Draws `buffer`, writing only cells that changed since the previous frame.
    public func present(_ buffer: CellBuffer) {
        guard running else { return }
        if buffer.size != size { lastFrame = nil }
        let runs = buffer.changes(since: lastFrame)
        let limitX = Int(sb_cols()), limitY = Int(sb_lines())
        // Neighbouring cells mostly share a role: its pair is looked up once per change of role,
        // not hashed again for every cell.
        var role: Role?
        var style = Self.plain
        for run in runs where run.y < limitY {
            var x = run.x
            while x < run.x + run.count && x < limitX {
                let cell = buffer[x, run.y]
                if !cell.isContinuation {
                    if cell.role != role {
                        role = cell.role
                        style = pairAttributes[cell.role] ?? Self.plain
                    }
                    draw(cell, x: x, y: run.y, style: style)
                }
                x += 1
            }
        }
        wnoutrefresh(sb_stdscr())
        doupdate()
        lastFrame = buffer
    }

    /// Asks the terminal to put `text` on the clipboard (OSC 52). Written after ncurses' own
    /// output (it has flushed at `present`), so it never lands inside a drawing sequence.
    public func copyToClipboard(_ text: String) {
        guard running else { return }
        if let headlessOutput { fflush(headlessOutput) }
        var bytes = Array(Clipboard.sequence(for: text).utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(outputDescriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Forgets what is on screen so the next `present` redraws everything (after a resize or
    /// when another program may have written to the terminal).
    public func invalidate() {
        lastFrame = nil
        clearok(sb_stdscr(), true)
    }

    private static let plain = (pair: Int32(0), attributes: sb_attr_normal())

    /// Writes `cell` where ncurses' cursor is not: at (`x`, `y`). Writing the bottom-right cell
    /// scrolls on some terminals; ncurses reports ERR there but has drawn the cell.
    private func draw(_ cell: Cell, x: Int, y: Int, style: (pair: Int32, attributes: attr_t)) {
        var n = 0
        for scalar in cell.text.unicodeScalars where n < 5 {
            wchars[n] = wchar_t(bitPattern: scalar.value)
            n += 1
        }
        wchars[n] = 0
        wchars.withUnsafeBufferPointer { pointer in
            _ = sb_put_cell(Int32(y), Int32(x), pointer.baseAddress, style.attributes, style.pair)
        }
    }

    /// Waits up to `timeoutMilliseconds` for a key (-1 waits forever). Nil on timeout or
    /// when a signal interrupted the wait (check `takeSignal()`).
    public func readKey(timeoutMilliseconds: Int) -> Key? {
        guard running else { return nil }
        wtimeout(sb_stdscr(), Int32(timeoutMilliseconds))
        var value: wint_t = 0
        let result = wget_wch(sb_stdscr(), &value)
        if result == ERR { return nil }
        if result == sb_key_code_yes() && UInt32(value) == KeyDecoder.Code.mouse {
            var x: Int32 = 0, y: Int32 = 0
            var state: mmask_t = 0
            guard sb_get_mouse(&x, &y, &state) == OK else { return nil }
            return MouseDecoder.decode(state: UInt32(state), x: Int(x), y: Int(y), masks: Self.mouseMasks).map(Key.mouse)
        }
        return KeyDecoder.decode(UInt32(value), isKeyCode: result == sb_key_code_yes())
    }

    static let mouseMasks = MouseDecoder.Masks(leftPressed: UInt32(sb_mouse_left_pressed()), leftClicked: UInt32(sb_mouse_left_clicked()),
                                               wheelUp: UInt32(sb_mouse_wheel_up()), wheelDown: UInt32(sb_mouse_wheel_down()))

    /// The termination signal (SIGINT, SIGTERM, SIGHUP) received since the last call, if any.
    public func takeSignal() -> Int32? {
        let signal = sb_take_signal()
        return signal == 0 ? nil : signal
    }

    /// What ncurses holds for one cell (tests read the screen back through this).
    public func cellText(x: Int, y: Int) -> String {
        var buffer = [wchar_t](repeating: 0, count: 8)
        let n = buffer.withUnsafeMutableBufferPointer { sb_read_cell(Int32(y), Int32(x), $0.baseAddress, 8) }
        guard n > 0 else { return "" }
        var text = ""
        for value in buffer.prefix(Int(n)) {
            if let scalar = Unicode.Scalar(UInt32(bitPattern: value)) { text.unicodeScalars.append(scalar) }
        }
        return text
    }

    /// Leaves curses: cursor visible, cooked mode and echo back, alternate screen left.
    /// Safe to call more than once.
    public func stop() {
        guard running else { return }
        running = false
        curs_set(1)
        endwin()
        if let screen {
            delscreen(screen)
            self.screen = nil
        } else {
            sb_remove_crash_restore()
        }
        for signal in [SIGINT, SIGTERM, SIGHUP] { sb_restore_default_signal(signal) }
    }

    private static func colorNumber(_ color: Color) -> Int32 {
        switch color {
        case .terminalDefault: -1
        case .ansi(let n): Int32(n)
        case .indexed(let n): Int32(n)
        case .rgb(let r, let g, let b): Int32(r) << 16 | Int32(g) << 8 | Int32(b)
        }
    }

    private static func attributes(_ attributes: Attributes) -> attr_t {
        var result = sb_attr_normal()
        if attributes.contains(.bold) { result |= sb_attr_bold() }
        if attributes.contains(.dim) { result |= sb_attr_dim() }
        if attributes.contains(.reverse) { result |= sb_attr_reverse() }
        if attributes.contains(.underline) { result |= sb_attr_underline() }
        if attributes.contains(.italic) { result |= sb_attr_italic() }
        return result
    }
}

private func CNcursesLocaleIsUTF8() -> Bool {
    guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
    let name = String(cString: codeset).uppercased()
    return name == "UTF-8" || name == "UTF8"
}
