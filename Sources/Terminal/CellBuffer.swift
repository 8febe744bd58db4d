/// One terminal cell: a grapheme cluster and the role that styles it.
///
/// A grapheme two columns wide occupies its cell and the next; that next cell holds the empty
/// string (a continuation) so that a row's cells always map one-to-one to columns.
public struct Cell: Sendable, Hashable {
    public var text: String
    public var role: Role

    public init(_ text: String, role: Role) {
        self.text = text
        self.role = role
    }

    public static let blank = Cell(" ", role: .background)
    public var isContinuation: Bool { text.isEmpty }
}

/// A frame being drawn: a grid of cells that panes write into and the backend flushes.
///
/// Every string written passes the `Sanitizer` here, so no caller can put raw control
/// characters into a cell; widths come from `DisplayWidth`, so wide graphemes never straddle
/// the clip edge or leave half a character behind.
public struct CellBuffer: Sendable, Hashable {
    public private(set) var size: Size
    public private(set) var cells: [Cell]
    /// Writes outside this rectangle are dropped.
    public var clip: Rect

    public init(size: Size, fill: Cell = .blank) {
        self.size = Size(columns: max(0, size.columns), rows: max(0, size.rows))
        self.cells = Array(repeating: fill, count: self.size.columns * self.size.rows)
        self.clip = Rect(x: 0, y: 0, width: self.size.columns, height: self.size.rows)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: size.columns, height: size.rows) }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * size.columns + x]
    }

    /// Runs `body` with writes clipped to `rect` (within the current clip), then restores it.
    public mutating func clipped(to rect: Rect, _ body: (inout CellBuffer) -> Void) {
        let saved = clip
        clip = clip.intersection(rect)
        body(&self)
        clip = saved
    }

    /// Sets one cell, keeping wide graphemes whole: a half-overwritten wide grapheme becomes blank.
    @inline(__always)
    mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        let index = y * size.columns + x
        if cells[index].isContinuation && x > 0 {
            // Replacing the right half of a wide grapheme: its left half cannot stand alone.
            cells[index - 1].text = " "
        }
        if x + 1 < size.columns && cells[index + 1].isContinuation {
            // Replacing the left half of a wide grapheme: blank the orphaned right half. A wide
            // caller writes its own continuation next.
            cells[index + 1].text = " "
        }
        cells[index] = cell
    }

    /// Fills `rect` (clipped) with `text` in `role`; `text` should be one column wide.
    public mutating func fill(_ rect: Rect, role: Role, with text: String = " ") {
        let area = rect.intersection(clip)
        guard !area.isEmpty else { return }
        let cell = Cell(text, role: role)
        let columns = size.columns
        cells.withUnsafeMutableBufferPointer { cells in
            for y in area.y..<area.maxY {
                let row = y * columns
                // Only the edges can cut a wide grapheme in half; the inside is overwritten whole.
                if area.x > 0 && cells[row + area.x].isContinuation { cells[row + area.x - 1].text = " " }
                if area.maxX < columns && cells[row + area.maxX].isContinuation { cells[row + area.maxX].text = " " }
                for index in (row + area.x)..<(row + area.maxX) { cells[index] = cell }
            }
        }
    }

    /// Writes `text` at (`x`, `y`) in `role`, using at most `maxWidth` columns (and never past
    /// the clip). Text that does not fit ends with `…` when `ellipsis` is true. Returns the
    /// number of columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, maxWidth: Int? = nil,
                             ellipsis: Bool = true) -> Int {
        guard y >= clip.y, y < clip.maxY else { return 0 }
        let limitX = min(clip.maxX, maxWidth.map { x + max(0, $0) } ?? Int.max)
        guard x < limitX else { return 0 }
        let safe = Sanitizer.sanitize(text)
        let available = limitX - x

        // Fast path: ASCII text.
        if safe.utf8.allSatisfy({ $0 < 0x80 }) {
            let count = safe.utf8.count
            let fits = count <= available
            let shown = fits ? count : (ellipsis ? available - 1 : available)
            var column = x
            var i = 0
            for byte in safe.utf8 {
                if i >= shown { break }
                if column >= clip.x { set(column, y, Cell(CellBuffer.ascii[Int(byte)], role: role)) }
                column += 1
                i += 1
            }
            if !fits && ellipsis && available >= 1 {
                if column >= clip.x { set(column, y, Cell("…", role: role)) }
                column += 1
            }
            return column - x
        }

        let total = DisplayWidth.of(safe)
        let fits = total <= available
        let budget = fits ? available : (ellipsis ? available - 1 : available)
        var column = x
        for grapheme in safe {
            let w = DisplayWidth.of(grapheme)
            if w == 0 {
                // A stray zero-width grapheme (a lone combining mark): attach to nothing, skip.
                continue
            }
            if column + w > x + budget { break }
            if column >= clip.x {
                set(column, y, Cell(String(grapheme), role: role))
                if w == 2 { set(column + 1, y, Cell("", role: role)) }
            } else if w == 2 && column + 1 >= clip.x {
                set(column + 1, y, Cell(" ", role: role))
            }
            column += w
        }
        if !fits && ellipsis && available >= 1 {
            if column >= clip.x && column < limitX { set(column, y, Cell("…", role: role)) }
            column += 1
        }
        return column - x
    }

    /// Draws a border around `rect` with an optional title in the top edge. Heavy lines mark
    /// the focused pane so focus is visible without colour.
    public mutating func box(_ rect: Rect, role: Role, title: String? = nil, titleRole: Role? = nil,
                             heavy: Bool = false) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let g = heavy ? BoxGlyphs.heavy : BoxGlyphs.light
        let right = rect.maxX - 1, bottom = rect.maxY - 1
        putGlyph(g.topLeft, rect.x, rect.y, role)
        putGlyph(g.topRight, right, rect.y, role)
        putGlyph(g.bottomLeft, rect.x, bottom, role)
        putGlyph(g.bottomRight, right, bottom, role)
        if rect.width > 2 {
            for x in (rect.x + 1)..<right {
                putGlyph(g.horizontal, x, rect.y, role)
                putGlyph(g.horizontal, x, bottom, role)
            }
        }
        if rect.height > 2 {
            for y in (rect.y + 1)..<bottom {
                putGlyph(g.vertical, rect.x, y, role)
                putGlyph(g.vertical, right, y, role)
            }
        }
        if let title, rect.width > 6 {
            let written = put(" " + title + " ", x: rect.x + 2, y: rect.y, role: titleRole ?? role,
                              maxWidth: rect.width - 4)
            _ = written
        }
    }

    /// A horizontal rule across `width` columns.
    public mutating func horizontalLine(x: Int, y: Int, width: Int, role: Role) {
        guard width > 0 else { return }
        for column in x..<(x + width) { putGlyph(BoxGlyphs.light.horizontal, column, y, role) }
    }

    private mutating func putGlyph(_ glyph: String, _ x: Int, _ y: Int, _ role: Role) {
        guard clip.contains(x: x, y: y) else { return }
        set(x, y, Cell(glyph, role: role))
    }

    /// The frame as plain text, one line per row, trailing blanks trimmed: what golden tests
    /// compare and what an operator would read.
    public func textLines() -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(size.rows)
        for y in 0..<size.rows {
            var line = ""
            for x in 0..<size.columns {
                line += cells[y * size.columns + x].text
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines
    }

    /// Runs of cells that differ from `previous` (everything when sizes differ or there is no
    /// previous frame). The backend writes only these.
    public func changes(since previous: CellBuffer?) -> [Run] {
        guard let previous, previous.size == size else {
            return (0..<size.rows).map { Run(y: $0, x: 0, count: size.columns) }
        }
        var runs: [Run] = []
        let columns = size.columns
        cells.withUnsafeBufferPointer { now in
            previous.cells.withUnsafeBufferPointer { before in
                for y in 0..<size.rows {
                    var x = 0
                    let base = y * columns
                    while x < columns {
                        if now[base + x] == before[base + x] { x += 1; continue }
                        let start = x
                        while x < columns && now[base + x] != before[base + x] { x += 1 }
                        // A changed wide grapheme's continuation travels with it.
                        if x < columns && now[base + x].isContinuation { x += 1 }
                        var begin = start
                        if begin > 0 && now[base + begin].isContinuation { begin -= 1 }
                        runs.append(Run(y: y, x: begin, count: x - begin))
                    }
                }
            }
        }
        return runs
    }

    /// A horizontal stretch of changed cells.
    public struct Run: Sendable, Hashable {
        public var y: Int
        public var x: Int
        public var count: Int
    }

    static let ascii: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
}

/// Line-drawing characters for borders.
public struct BoxGlyphs: Sendable {
    public let horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: String
    public static let light = BoxGlyphs(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐",
                                        bottomLeft: "└", bottomRight: "┘")
    public static let heavy = BoxGlyphs(horizontal: "━", vertical: "┃", topLeft: "┏", topRight: "┓",
                                        bottomLeft: "┗", bottomRight: "┛")
}
