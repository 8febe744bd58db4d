/// The object members a `JSONDocument` keeps: a tree of member names from the document's root.
/// Arrays are transparent, as in EventBridge patterns: the children of a member apply to every
/// object in an array under it. A member with no children is a leaf: its scalars and arrays are
/// kept, objects under it come out empty.
public struct JSONFieldTree: Sendable, Equatable {
    struct Child: Sendable, Equatable {
        var key: [UInt8]
        var node: Int
    }

    /// Node 0 is the root object; each node lists its kept members.
    var nodes: [[Child]] = [[]]

    public init() {}

    /// The root object's node.
    public static let root = 0

    /// The node for member `key` of `node`, added if new.
    @discardableResult
    public mutating func child(_ key: String, of node: Int) -> Int {
        let bytes = Array(key.utf8)
        if let existing = nodes[node].first(where: { $0.key == bytes }) { return existing.node }
        nodes.append([])
        nodes[node].append(Child(key: bytes, node: nodes.count - 1))
        return nodes.count - 1
    }

    /// Adds a path of member names from the root; returns its last node.
    @discardableResult
    public mutating func insert(path: some Sequence<String>) -> Int {
        var node = Self.root
        for key in path { node = child(key, of: node) }
        return node
    }

    public var nodeCount: Int { nodes.count }

    /// The member name of `node` (empty for the root).
    public func name(of node: Int) -> String {
        for children in nodes {
            if let child = children.first(where: { $0.node == node }) { return String(decoding: child.key, as: UTF8.self) }
        }
        return ""
    }

    /// The child of `node` whose name is exactly these bytes.
    @inline(__always)
    func lookup(_ node: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int? {
        for child in nodes[node] where child.key.count == key.count {
            let equal = child.key.withUnsafeBufferPointer { stored in
                var index = 0
                while index < key.count {
                    if stored[index] != key[index] { return false }
                    index += 1
                }
                return true
            }
            if equal { return child.node }
        }
        return nil
    }
}

extension JSONParser {
    /// Where a string starting at `start` (after its quote) ends, when it has no escapes.
    func plainStringEnd(from start: Int) -> Int? {
        var position = start
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { return position }
            if byte == UInt8(ascii: "\\") { return nil }
            position += 1
        }
        return nil
    }

    /// Checks one value's syntax and moves past it without building it.
    mutating func skipValue() throws(JSONParseError) {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try enter()
            defer { depth -= 1 }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                try skipString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
                index += 1
                skipWhitespace()
                try skipValue()
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return }
                throw fail("expected ',' or '}' in object")
            }
        case UInt8(ascii: "["):
            try enter()
            defer { depth -= 1 }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try skipValue()
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return }
                throw fail("expected ',' or ']' in array")
            }
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try parseNumber()
        default:
            _ = try parseValue()
        }
    }

    /// Moves past a string, checking escapes, control characters and UTF-8 as a parse would.
    mutating func skipString() throws(JSONParseError) {
        let start = index + 1
        var position = start
        var high: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                if high >= 0x80 {
                    _ = try validUTF8(UnsafeBufferPointer(rebasing: bytes[start..<position]), at: start)
                }
                index = position + 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                // Rare in keys and values: the full decoder checks the escapes.
                _ = try parseString()
                return
            }
            if byte < 0x20 {
                index = position
                throw fail("unescaped control character in string")
            }
            high |= byte
            position += 1
        }
        index = position
        throw fail("unterminated string")
    }
}
