/// The one gate every outside string passes before it reaches a cell.
///
/// Event payloads, resource names and error messages come from systems the operator does not
/// control. A raw ESC, a C1 CSI, or a bidi override in them could move the cursor, rewrite the
/// clipboard (OSC 52), or make a name read backwards. The sanitiser turns every such code point
/// into a visible escape (`\x1b`, `\u202e`) so the operator sees what was sent and the terminal
/// sees only printable text.
public enum Sanitizer {
    /// The longest text kept from one string, in Unicode scalars; the rest is cut with `…`.
    /// A 100 KB single-line payload must not cost a 100 KB scan per frame.
    public static let defaultLimit = 4096

    /// Returns `text` with controls, DEL and bidi controls made visible, cut to `limit` scalars.
    public static func sanitize(_ text: String, limit: Int = defaultLimit) -> String {
        // Fast path: printable ASCII only, within the limit.
        var clean = true
        var count = 0
        for byte in text.utf8 {
            count += 1
            if byte < 0x20 || byte >= 0x7F || count > limit { clean = false; break }
        }
        if clean { return text }

        var out = String()
        out.reserveCapacity(min(text.utf8.count, limit) + 8)
        var scalars = 0
        for scalar in text.unicodeScalars {
            if scalars >= limit {
                out.append("…")
                break
            }
            scalars += 1
            if let escape = visibleEscape(for: scalar) {
                out.append(escape)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `scalar` would be written as an escape rather than as itself.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        visibleEscape(for: scalar) != nil
    }

    static func visibleEscape(for scalar: Unicode.Scalar) -> String? {
        let value = scalar.value
        switch value {
        case 0x00..<0x20, 0x7F, 0x80..<0xA0:
            return "\\x" + hex(value, digits: 2)
        case 0x200E, 0x200F, // LRM, RLM
             0x202A...0x202E, // LRE, RLE, PDF, LRO, RLO
             0x2066...0x2069, // LRI, RLI, FSI, PDI
             0x061C, // Arabic letter mark
             0x2028, 0x2029, // line and paragraph separators
             0xFFF9...0xFFFB: // interlinear annotation controls
            return "\\u" + hex(value, digits: 4)
        default:
            return nil
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
