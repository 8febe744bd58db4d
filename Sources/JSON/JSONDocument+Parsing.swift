/// Building a `JSONDocument` straight from text, with the parser's own scanning and checks.
extension JSONParser {
    private typealias Slot = JSONDocument.Slot

    /// `treeNode` for values whose objects keep no members.
    private static let noMembers = -1

    mutating func parseDocument(into document: inout JSONDocument) throws(JSONParseError) {
        guard let tree = fields else { preconditionFailure("a document parse needs a field tree") }
        skipWhitespace()
        try appendValue(into: &document, tree: tree, node: JSONDocument.noNode, treeNode: JSONFieldTree.root,
                        parent: JSONDocument.none, previous: JSONDocument.none)
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the JSON value") }
    }

    /// Appends the value at `index` under `parent` after `previous`; returns its slot.
    /// `node` tags the slot; `treeNode` names the members objects here keep.
    @discardableResult
    private mutating func appendValue(into document: inout JSONDocument, tree: JSONFieldTree, node: Int32, treeNode: Int,
                                      parent: Int32, previous: Int32) throws(JSONParseError) -> Int32 {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            let object = document.link(Slot(kind: .object, node: node), parent: parent, previous: previous)
            if treeNode == Self.noMembers || tree.nodes[treeNode].isEmpty {
                try skipValue()
            } else {
                try appendMembers(into: &document, tree: tree, object: object, treeNode: treeNode)
            }
            return object
        case UInt8(ascii: "["):
            let array = document.link(Slot(kind: .array, node: node), parent: parent, previous: previous)
            try enter()
            defer { depth -= 1 }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return array }
            var last = JSONDocument.none
            while true {
                skipWhitespace()
                last = try appendValue(into: &document, tree: tree, node: node, treeNode: treeNode, parent: array, previous: last)
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return array }
                throw fail("expected ',' or ']' in array")
            }
        case UInt8(ascii: "\""):
            let start = Int32(document.strings.count)
            try appendString(into: &document)
            return document.link(Slot(kind: .string, node: node, start: start, count: Int32(document.strings.count) - start),
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
                                        treeNode: Int) throws(JSONParseError) {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
        var last = JSONDocument.none
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let child: Int?
            if let plain = plainStringEnd(from: index + 1) {
                child = tree.lookup(treeNode, UnsafeBufferPointer(rebasing: bytes[(index + 1)..<plain]))
                try skipString()
            } else {
                let decoded = try parseString()
                child = Array(decoded.utf8).withUnsafeBufferPointer { tree.lookup(treeNode, $0) }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            index += 1
            skipWhitespace()
            if let child {
                let tag = Int32(child)
                if let earlier = document.member(object, node: tag) {
                    document.retire(member: earlier)
                }
                last = try appendValue(into: &document, tree: tree, node: tag,
                                       treeNode: tree.nodes[child].isEmpty ? Self.noMembers : child,
                                       parent: object, previous: last)
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

    /// Copies a string's unescaped bytes into the document, with a full parse's checks.
    private mutating func appendString(into document: inout JSONDocument) throws(JSONParseError) {
        let start = index + 1
        var position = start
        var high: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                if high >= 0x80 { _ = try validUTF8(slice, at: start) }
                document.strings.append(contentsOf: slice)
                index = position + 1
                return
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                index = position
                throw fail("unescaped control character in string")
            }
            high |= byte
            position += 1
        }
        // Escapes (rare): the full decoder.
        let decoded = try parseString()
        document.strings.append(contentsOf: decoded.utf8)
    }
}
