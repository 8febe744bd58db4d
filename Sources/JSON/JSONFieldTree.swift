/// The object members a `JSONDocument` keeps: a tree of member names from the document's root.
/// Arrays are transparent, as in EventBridge patterns: the children of a member apply to every
/// object in an array under it. A member with no children is a leaf: its scalars and arrays are
/// kept, objects under it come out empty.
public struct JSONFieldTree: Sendable, Equatable {
    /// One kept member: its name (bytes in `keyBytes`), its node, and the next member of the
    /// same parent. Flat arrays of plain values, so a lookup during parsing never retains.
    struct Member: Sendable, Equatable {
        var start: Int32
        var count: Int32
        var node: Int32
        var next: Int32
    }

    private var keyBytes: [UInt8] = []
    private var members: [Member] = []
    /// Per node: its first member in `members`, or -1. Node 0 is the root object.
    private var firstMember: [Int32] = [-1]
    /// Per node: a small open-addressing hash table of its members (in `buckets`, from
    /// `tableStart`, `tableMask + 1` entries of member positions or -1), rebuilt when a member
    /// is added, so a lookup costs one hash of the name and about one comparison.
    private var tableStart: [Int32] = [0]
    private var tableMask: [Int32] = [0]
    private var buckets: [Int32] = [-1]
    /// Per node, for trees that join dotted keys: bit L set when a child whose name is L bytes
    /// long has members (bit 63: 63 bytes or more), so a dotted path below the node has its first
    /// dot at one of those positions; 0 for other trees. A parse checks a byte or two of an
    /// unnamed member's name instead of scanning it for dots.
    private var dottedHeads: [UInt64] = [0]

    /// Whether a parse re-keys a member whose name holds dots ("a.b") that the tree does not
    /// name to the nested path it spells (a → b), when the tree names that path: EventBridge
    /// patterns match dot-joined paths. Off for other readers, which keep names as written.
    public let joinsDottedKeys: Bool

    public init(joiningDottedKeys: Bool = false) {
        joinsDottedKeys = joiningDottedKeys
    }

    /// The root object's node.
    public static let root = 0

    /// The node for member `key` of `node`, added if new.
    @discardableResult
    public mutating func child(_ key: String, of node: Int) -> Int {
        let bytes = Array(key.utf8)
        if let existing = bytes.withUnsafeBufferPointer({ lookup(node, $0) }) { return existing }
        let child = firstMember.count
        firstMember.append(-1)
        members.append(Member(start: Int32(keyBytes.count), count: Int32(bytes.count), node: Int32(child),
                              next: firstMember[node]))
        keyBytes.append(contentsOf: bytes)
        firstMember[node] = Int32(members.count - 1)
        rebuildTables()
        return child
    }

    private mutating func rebuildTables() {
        tableStart = []
        tableMask = []
        buckets = []
        dottedHeads = []
        for node in firstMember.indices {
            var heads: UInt64 = 0
            var head = firstMember[node]
            while joinsDottedKeys, head >= 0 {
                let member = members[Int(head)]
                if firstMember[Int(member.node)] >= 0 { heads |= 1 << UInt64(min(Int(member.count), 63)) }
                head = member.next
            }
            dottedHeads.append(heads)
            var count = 0
            var position = firstMember[node]
            while position >= 0 { count += 1; position = members[Int(position)].next }
            var size = 1
            while size < count * 2 { size *= 2 }
            let start = buckets.count
            tableStart.append(Int32(start))
            tableMask.append(Int32(size - 1))
            buckets.append(contentsOf: repeatElement(-1, count: size))
            position = firstMember[node]
            while position >= 0 {
                let member = members[Int(position)]
                var slot = keyBytes.withUnsafeBufferPointer { all in
                    Self.hash(UnsafeBufferPointer(rebasing: all[Int(member.start)..<Int(member.start + member.count)]))
                } & (size - 1)
                while buckets[start + slot] >= 0 { slot = (slot + 1) & (size - 1) }
                buckets[start + slot] = position
                position = member.next
            }
        }
    }

    @inline(__always)
    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        guard let first = key.first, let last = key.last else { return 0 }
        return (key.count &* 31) &+ (Int(first) &* 7) &+ Int(last) &* 131
    }

    /// Adds a path of member names from the root; returns its last node.
    @discardableResult
    public mutating func insert(path: some Sequence<String>) -> Int {
        var node = Self.root
        for key in path { node = child(key, of: node) }
        return node
    }

    public var nodeCount: Int { firstMember.count }

    /// Whether objects at `node` keep any member.
    public func hasMembers(_ node: Int) -> Bool { firstMember[node] >= 0 }

    /// The member name of `node` (empty for the root).
    public func name(of node: Int) -> String {
        guard let member = members.first(where: { $0.node == Int32(node) }) else { return "" }
        return String(decoding: keyBytes[Int(member.start)..<Int(member.start + member.count)], as: UTF8.self)
    }

    /// The nodes below `node` that a member name holding dots spells, one per dot-separated
    /// name ("a.b.c" → a, b, c), when the tree joins dotted keys and names that whole path; nil
    /// otherwise. Called for members the tree does not name. Inlined, so the common answer (the
    /// mask rules the name out) costs no call: building a document from a `JSONValue` per
    /// pattern (`EventPattern.matches(_:)`) asks it for every member the tree does not name.
    @inline(__always)
    func dottedPath(_ node: Int, _ key: UnsafeBufferPointer<UInt8>) -> [Int32]? {
        guard mayStartDottedPath(node, key) else { return nil }
        return splitPath(node, key)
    }

    /// False when `key` cannot be a dotted path below `node` the tree names: its first name must
    /// be a child with members, so a dot must follow one of their lengths (`dottedHeads`). The
    /// common case, a name with no such dot, costs a byte or two of it.
    @inline(__always)
    func mayStartDottedPath(_ node: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        var heads = dottedHeads[node]
        while heads != 0 {
            let length = heads.trailingZeroBitCount
            if length == 63 {
                return key.count > 63 && UnsafeBufferPointer(rebasing: key[63...]).contains(UInt8(ascii: "."))
            }
            if length < key.count, key[length] == UInt8(ascii: ".") { return true }
            heads &= heads - 1
        }
        return false
    }

    private func splitPath(_ node: Int, _ key: UnsafeBufferPointer<UInt8>) -> [Int32]? {
        var path: [Int32] = []
        var current = node
        var start = 0
        for end in 0...key.count where end == key.count || key[end] == UInt8(ascii: ".") {
            guard let child = lookup(current, UnsafeBufferPointer(rebasing: key[start..<end])) else { return nil }
            path.append(Int32(child))
            current = child
            start = end + 1
        }
        return path
    }

    /// The child of `node` whose name is exactly these bytes.
    @inline(__always)
    func lookup(_ node: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = Int(tableMask[node]), start = Int(tableStart[node])
        var slot = Self.hash(key) & mask
        return keyBytes.withUnsafeBufferPointer { names in
            while true {
                let position = buckets[start + slot]
                if position < 0 { return nil }
                let member = members[Int(position)]
                if Int(member.count) == key.count {
                    var index = 0
                    let from = Int(member.start)
                    while index < key.count, names[from + index] == key[index] { index += 1 }
                    if index == key.count { return Int(member.node) }
                }
                slot = (slot + 1) & mask
            }
        }
    }
}

extension JSONParser {
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
        if try scanPlainString() != nil { return }
        // Escapes (rare): the full decoder checks them.
        _ = try parseString()
    }
}
