import JSON

/// A JSON value as indented lines in which any object or array can be folded to one line
/// (`"detail": {…} 4 keys`). Folds are named by the member's path (`/detail/items/0`, as a
/// JSON Pointer writes it, `""` for the whole document), so they survive new data: the same
/// path folds the same member of the next event.
enum FoldableJSON {
    struct Line: Hashable {
        var text: String
        /// The container this line belongs to: its own path when it opens or closes one, else
        /// the path of the object or array it is a member of. Folding "at" a line folds this.
        var container: String
        /// Whether the line opens a container (its first line, or the one line of a folded one).
        var opens: Bool
    }

    static func lines(_ value: JSONValue, folded: Set<String>) -> [Line] {
        var lines: [Line] = []
        append(value, path: "", parent: "", indent: "", key: nil, last: true, folded: folded, to: &lines)
        return lines
    }

    /// The paths of every object and array in `value` that can fold (not `{}` or `[]`), the
    /// document itself first.
    static func containers(_ value: JSONValue, path: String = "") -> [String] {
        switch value {
        case .object(let object) where !object.isEmpty:
            [path] + object.flatMap { containers($0.value, path: path + "/" + escape($0.key)) }
        case .array(let array) where !array.isEmpty:
            [path] + array.enumerated().flatMap { containers($0.element, path: path + "/\($0.offset)") }
        default: []
        }
    }

    /// `~` and `/` in a key, as JSON Pointer (RFC 6901) escapes them.
    static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func append(_ value: JSONValue, path: String, parent: String, indent: String, key: String?, last: Bool,
                               folded: Set<String>, to lines: inout [Line]) {
        let lead = indent + (key.map { "\"\($0)\": " } ?? "")
        let comma = last ? "" : ","
        switch value {
        case .object(let object):
            if object.isEmpty { return lines.append(Line(text: lead + "{}" + comma, container: parent, opens: false)) }
            if folded.contains(path) {
                let count = object.count == 1 ? "1 key" : "\(object.count) keys"
                return lines.append(Line(text: lead + "{…}" + comma + "  " + count, container: path, opens: true))
            }
            lines.append(Line(text: lead + "{", container: path, opens: true))
            for (index, member) in object.enumerated() {
                append(member.value, path: path + "/" + escape(member.key), parent: path, indent: indent + "  ", key: member.key,
                       last: index == object.count - 1, folded: folded, to: &lines)
            }
            lines.append(Line(text: indent + "}" + comma, container: path, opens: false))
        case .array(let array):
            if array.isEmpty { return lines.append(Line(text: lead + "[]" + comma, container: parent, opens: false)) }
            if folded.contains(path) {
                let count = array.count == 1 ? "1 item" : "\(array.count) items"
                return lines.append(Line(text: lead + "[…]" + comma + "  " + count, container: path, opens: true))
            }
            lines.append(Line(text: lead + "[", container: path, opens: true))
            for (index, element) in array.enumerated() {
                append(element, path: path + "/\(index)", parent: path, indent: indent + "  ", key: nil,
                       last: index == array.count - 1, folded: folded, to: &lines)
            }
            lines.append(Line(text: indent + "]" + comma, container: path, opens: false))
        case .string(let text): lines.append(Line(text: lead + "\"" + text + "\"" + comma, container: parent, opens: false))
        case .number(let n):
            let text = n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
            lines.append(Line(text: lead + text + comma, container: parent, opens: false))
        case .bool(let b): lines.append(Line(text: lead + (b ? "true" : "false") + comma, container: parent, opens: false))
        case .null: lines.append(Line(text: lead + "null" + comma, container: parent, opens: false))
        }
    }
}
