/// Display width of text in terminal columns, per grapheme cluster (0, 1 or 2).
///
/// Our own table rather than the C library's `wcwidth`: the answer must not depend on the
/// process locale, and Japanese service names must line up the same in tests, in tmux and in
/// the operator's terminal.
public enum DisplayWidth {
    /// Columns one grapheme cluster occupies.
    public static func of(_ grapheme: Character) -> Int {
        let scalars = grapheme.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x7F {
            // ASCII: printable is 1; a control is 0 (callers sanitise before measuring).
            return first.value >= 0x20 ? 1 : 0
        }
        var width = 0
        var sawEmojiSelector = false
        for scalar in scalars {
            if scalar.value == 0xFE0F { sawEmojiSelector = true }
            let w = scalarWidth(scalar)
            if w > width { width = w }
        }
        if sawEmojiSelector && width == 1 && first.properties.isEmoji { return 2 }
        return width
    }

    /// Columns a whole string occupies.
    public static func of(_ text: String) -> Int {
        var total = 0
        for grapheme in text { total += of(grapheme) }
        return total
    }

    /// Columns one scalar occupies on its own: 0 for combining marks and format characters,
    /// 2 for East Asian wide/fullwidth and emoji presentation, 1 otherwise.
    public static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return v < 0x20 || (v >= 0x7F && v < 0xA0) ? 0 : 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control:
            return 0
        default:
            break
        }
        if v == 0x200B || (v >= 0x1160 && v <= 0x11FF) { return 0 } // ZWSP, Hangul medial vowels/finals
        if isWide(v) { return 2 }
        if scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1,
             0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
             0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
             0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
             0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,
             0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
             0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            // Inside the emoji blocks some symbols are narrow text-presentation; keep them 1.
            if v >= 0x1F300 && v <= 0x1F6FF {
                return Unicode.Scalar(v)?.properties.isEmojiPresentation ?? true
            }
            return true
        default:
            return false
        }
    }
}
