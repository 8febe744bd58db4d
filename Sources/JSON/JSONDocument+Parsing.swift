/// Building a `JSONDocument` straight from text, with the parser's own scanning and checks.
extension JSONParser {
    private typealias Slot = JSONDocument.Slot

    /// `treeNode` for values whose objects keep no members.
    private static let noMembers = -1

    /// The tree is a parameter, not a field of the parser, so the parse borrows it: a copy of
    /// it (six arrays retained and released) cost each parse measurably.
    mutating func parseDocument(into document: inout JSONDocument, keeping tree: JSONFieldTree) throws(JSONParseError) {
        skipWhitespace()
        var dottedMembers: [JSONDocument.DottedMember] = []
        try appendValue(into: &document, tree: tree, node: JSONDocument.noNode, treeNode: JSONFieldTree.root,
                        parent: JSONDocument.none, previous: JSONDocument.none, dottedMembers: &dottedMembers)
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the JSON value") }
        if !dottedMembers.isEmpty { document.nest(dottedMembers) }
    }

    /// Appends the value at `index` under `parent` after `previous`; returns its slot.
    /// `node` tags the slot; `treeNode` names the members objects here keep.
    @discardableResult
    private mutating func appendValue(into document: inout JSONDocument, tree: JSONFieldTree, node: Int32, treeNode: Int,
                                      parent: Int32, previous: Int32,
                                      dottedMembers: inout [JSONDocument.DottedMember]) throws(JSONParseError) -> Int32 {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            let start = index
            let object = document.link(Slot(kind: .object, node: node, start: Int32(start)), parent: parent, previous: previous)
            if treeNode == Self.noMembers || !tree.hasMembers(treeNode) {
                try skipValue()
            } else {
                try appendMembers(into: &document, tree: tree, object: object, treeNode: treeNode, dottedMembers: &dottedMembers)
            }
            document.slots[Int(object)].count = Int32(index - start)
            return object
        case UInt8(ascii: "["):
            let start = index
            let array = document.link(Slot(kind: .array, node: node, start: Int32(start)), parent: parent, previous: previous)
            try enter()
            defer {
                depth -= 1
                document.slots[Int(array)].count = Int32(index - start)
            }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return array }
            var last = JSONDocument.none
            while true {
                skipWhitespace()
                last = try appendValue(into: &document, tree: tree, node: node, treeNode: treeNode, parent: array, previous: last,
                                       dottedMembers: &dottedMembers)
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return array }
                throw fail("expected ',' or ']' in array")
            }
        case UInt8(ascii: "\""):
            let (start, count) = try stringBytes(into: &document)
            return document.link(Slot(kind: .string, node: node, start: start, count: count),
                                 parent: parent, previous: previous)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return document.link(Slot(kind: .bool, node: node, flag: true), parent: parent, previous: previous)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return document.link(Slot(kind: .bool, node: node, flag: false), parent: parent, previous: previous)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return document.link(Slot(kind: .null, node: node), parent: parent, previous: previous)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try parseNumber()
            return document.link(Slot(kind: .number, node: node, number: number), parent: parent, previous: previous)
        default:
            throw fail("unexpected character '\(Self.describe(bytes[index]))'")
        }
    }

    /// The members of an object whose keys the tree names at `treeNode`; others are skipped.
    private mutating func appendMembers(into document: inout JSONDocument, tree: JSONFieldTree, object: Int32,
                                        treeNode: Int, dottedMembers: inout [JSONDocument.DottedMember]) throws(JSONParseError) {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
        var last = JSONDocument.none
        var seen: UInt64 = 0
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            var child: Int?
            // This member's entry in `dottedMembers` when its name is a dotted path, else -1: an
            // integer, so the common member costs no optional array to release.
            var pending = -1
            if let plain = try scanPlainString() {
                child = tree.lookup(treeNode, plain)
                if child == nil, tree.mayStartDottedPath(treeNode, plain) {
                    (child, pending) = JSONDocument.fileDottedMember(plain, tree: tree, treeNode: treeNode, object: object,
                                                                     dottedMembers: &dottedMembers)
                }
            } else {
                let decoded = try parseString()
                (child, pending) = Array(decoded.utf8).withUnsafeBufferPointer { key in
                    if let named = tree.lookup(treeNode, key) { return (named, -1) }
                    return JSONDocument.fileDottedMember(key, tree: tree, treeNode: treeNode, object: object,
                                                         dottedMembers: &dottedMembers)
                }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            index += 1
            skipWhitespace()
            if let child {
                let tag = Int32(child)
                // Duplicate keys are rare: a bit per node (below 64) rules most out without a walk.
                let bit: UInt64 = child < 64 ? 1 << UInt64(child) : 0
                if bit == 0 || seen & bit != 0, let earlier = document.member(object, node: tag) {
                    document.retire(member: earlier)
                }
                seen |= bit
                last = try appendValue(into: &document, tree: tree, node: tag,
                                       treeNode: tree.hasMembers(child) ? child : Self.noMembers,
                                       parent: object, previous: last, dottedMembers: &dottedMembers)
                if pending >= 0 {
                    JSONDocument.finishDottedMember(at: pending, slot: last, dottedMembers: &dottedMembers)
                }
            } else {
                try skipValue()
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return }
            throw fail("expected ',' or '}' in object")
        }
    }

    /// Moves past a string without escapes and answers its bytes, with a full parse's checks;
    /// nil, not moving, when it has escapes.
    ///
    /// Eight bytes at a time first, while none of them is a quote, a backslash or a control
    /// character (most of a long string: an event's detail, an envelope a viewer skips), then a
    /// byte at a time from the first word that has one, which finds it and checks it as before.
    @inline(__always)
    mutating func scanPlainString() throws(JSONParseError) -> UnsafeBufferPointer<UInt8>? {
        let start = index + 1
        var position = start
        var high: UInt8 = 0
        if let base = bytes.baseAddress {
            var words: UInt64 = 0
            while position + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                if Self.endsPlainRun(word) { break }
                words |= word
                position += 8
            }
            if words & Self.highBits != 0 { high = 0x80 }
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                if high >= 0x80 { _ = try validUTF8(slice, at: start) }
                index = position + 1
                return slice
            }
            if byte == UInt8(ascii: "\\") { return nil }
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

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether any of the eight bytes of `word` is `"`, `\\` or below 0x20. `(x - 0x01…) & ~x &
    /// 0x80…` is nonzero exactly when some byte of `x` is zero, and `(x - 0x20…) & ~x & 0x80…`
    /// exactly when some byte is below 0x20 (which bit is set past the first such byte may be
    /// wrong, but only whether one is matters here).
    @inline(__always)
    private static func endsPlainRun(_ word: UInt64) -> Bool {
        let quote = word ^ (lowBits &* 0x22), backslash = word ^ (lowBits &* 0x5C)
        let zeroQuote = (quote &- lowBits) & ~quote
        let zeroBackslash = (backslash &- lowBits) & ~backslash
        let control = (word &- lowBits &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & highBits != 0
    }

    /// Where a string's unescaped bytes are in the document's `strings`, with a full parse's
    /// checks: in the copied text for a plain string, appended after it for one with escapes.
    private mutating func stringBytes(into document: inout JSONDocument) throws(JSONParseError) -> (Int32, Int32) {
        if let plain = try scanPlainString() {
            return (Int32(plain.baseAddress! - bytes.baseAddress!), Int32(plain.count))
        }
        let decoded = try parseString()
        let start = Int32(document.strings.count)
        document.strings.append(contentsOf: decoded.utf8)
        return (start, Int32(document.strings.count) - start)
    }
}
