/// A colour as a theme states it. The backend lowers it to what the terminal can show.
public enum Color: Sendable, Hashable {
    /// The terminal's own default foreground or background.
    case terminalDefault
    /// One of the 16 ANSI colours (0–7 normal, 8–15 bright).
    case ansi(UInt8)
    /// An entry of the xterm 256-colour palette.
    case indexed(UInt8)
    /// 24-bit colour.
    case rgb(UInt8, UInt8, UInt8)
}

/// Text attributes, independent of colour so that a `mono` theme can still tell states apart.
public struct Attributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1 << 0)
    public static let dim = Attributes(rawValue: 1 << 1)
    public static let reverse = Attributes(rawValue: 1 << 2)
    public static let underline = Attributes(rawValue: 1 << 3)
    public static let italic = Attributes(rawValue: 1 << 4)
}

/// How one role looks.
public struct Style: Sendable, Hashable {
    public var foreground: Color
    public var background: Color
    public var attributes: Attributes

    public init(foreground: Color = .terminalDefault, background: Color = .terminalDefault,
                attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

/// How many colours the terminal can show; decides how theme colours are lowered.
public enum ColorDepth: Int, Sendable, Comparable, CaseIterable {
    case none = 0
    case ansi16 = 16
    case indexed256 = 256
    case truecolor = 16_777_216

    public static func < (lhs: ColorDepth, rhs: ColorDepth) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The depth for a terminal reporting `colors` colours (ncurses `COLORS`), with
    /// `hasColors` false for terminals without colour and `noColor` for `NO_COLOR`.
    public static func detect(colors: Int, hasColors: Bool, noColor: Bool) -> ColorDepth {
        if noColor || !hasColors || colors < 8 { return .none }
        if colors >= 16_777_216 { return .truecolor }
        if colors >= 256 { return .indexed256 }
        return .ansi16
    }
}

extension Color {
    /// This colour as the terminal of `depth` can show it; nil means "use no colour".
    public func lowered(to depth: ColorDepth) -> Color? {
        switch (self, depth) {
        case (_, .none): return nil
        case (.terminalDefault, _): return .terminalDefault
        case (.ansi(let n), .ansi16):
            return .ansi(n & 0x0F)
        case (.ansi, _): return self
        case (.indexed(let n), .ansi16):
            return .ansi(Color.nearestANSI(to: Color.rgbOfIndexed(n)))
        case (.indexed, _): return self
        case (.rgb, .truecolor): return self
        case (.rgb(let r, let g, let b), .indexed256):
            return .indexed(Color.nearestIndexed((r, g, b)))
        case (.rgb(let r, let g, let b), .ansi16):
            return .ansi(Color.nearestANSI(to: (r, g, b)))
        }
    }

    /// The conventional xterm RGB of the 16 ANSI colours.
    static let ansiRGB: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func rgbOfIndexed(_ n: UInt8) -> (UInt8, UInt8, UInt8) {
        if n < 16 { return ansiRGB[Int(n)] }
        if n >= 232 {
            let level = UInt8(8 + Int(n - 232) * 10)
            return (level, level, level)
        }
        let i = Int(n) - 16
        let steps: [UInt8] = [0, 95, 135, 175, 215, 255]
        return (steps[i / 36], steps[(i / 6) % 6], steps[i % 6])
    }

    static func nearestIndexed(_ rgb: (UInt8, UInt8, UInt8)) -> UInt8 {
        var best: UInt8 = 16
        var bestDistance = Int.max
        for n in 16...255 {
            let d = distance(rgb, rgbOfIndexed(UInt8(n)))
            if d < bestDistance { bestDistance = d; best = UInt8(n) }
        }
        return best
    }

    static func nearestANSI(to rgb: (UInt8, UInt8, UInt8)) -> UInt8 {
        var best: UInt8 = 0
        var bestDistance = Int.max
        for (n, candidate) in ansiRGB.enumerated() {
            let d = distance(rgb, candidate)
            if d < bestDistance { bestDistance = d; best = UInt8(n) }
        }
        return best
    }

    private static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Int {
        // Weighted Euclidean: the eye is most sensitive to green, least to blue.
        let dr = Int(a.0) - Int(b.0), dg = Int(a.1) - Int(b.1), db = Int(a.2) - Int(b.2)
        return 3 * dr * dr + 4 * dg * dg + 2 * db * db
    }
}
