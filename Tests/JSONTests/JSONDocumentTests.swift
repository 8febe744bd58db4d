import Foundation
import JSON
import Testing

@Suite struct JSONDocumentTests {
    static let document = #"""
    {"id":"e-1","source":"shop","detail":{"total":19.99,"customer":{"tier":"gold","email":"a@b.c"},
     "items":[{"sku":"A","qty":1,"extra":{"x":[1,2]}},{"sku":"B","qty":2},"loose",[{"sku":"C"}]],
     "notes":"n\u00e9\"q\"","big":{"deep":[{"a":{"b":{"c":1}}}]}},"resources":["r1","r2"],"pad":[true,false,null,-0,1e3]}
    """#

    static func tree(_ paths: [[String]]) -> JSONFieldTree {
        var tree = JSONFieldTree()
        for path in paths { tree.insert(path: path) }
        return tree
    }

    /// The document as a value, for comparing with what a full parse gives.
    static func parse(_ text: String, _ paths: [[String]]) throws -> JSONValue {
        let fields = tree(paths)
        return try JSONDocument(parsing: text.utf8, keeping: fields).value(JSONDocument.root, tree: fields)
    }

    @Test("a recycled document's slots serve the next parse from an array: each parse reads as a full parse does, and a copy kept of a recycled document stays whole")
    func recycledSlotsServeTheNextParse() throws {
        let fields = Self.tree([["source"], ["detail", "items", "sku"], ["resources"]])
        let full = try JSONValue(parsing: Self.document)
        // Members in the text's order (a `JSONObject` compares its order too).
        let expected: JSONValue = ["source": full["source"]!, "detail": ["items": [["sku": "A"], ["sku": "B"], "loose", [["sku": "C"]]]],
                                   "resources": full["resources"]!]
        let first = try JSONDocument(parsing: Array(Self.document.utf8), keeping: fields)
        let kept = first
        #expect(first.value(JSONDocument.root, tree: fields) == expected)
        first.recycle()
        // Smaller and larger texts after it, each from the recycled slots or beyond them.
        for text in [#"{"source":"s","resources":[]}"#, "[" + Array(repeating: Self.document, count: 50).joined(separator: ",") + "]"] {
            let document = try JSONDocument(parsing: Array(text.utf8), keeping: fields)
            #expect(document.value(JSONDocument.root, tree: fields) == JSONDocument(try JSONValue(parsing: text), keeping: fields)
                .value(JSONDocument.root, tree: fields))
            document.recycle()
        }
        #expect(kept.value(JSONDocument.root, tree: fields) == expected, "a copy owns its slots")
        let again = try JSONDocument(parsing: Array(Self.document.utf8), keeping: fields)
        #expect(again.value(JSONDocument.root, tree: fields) == expected)
    }

    @Test func keepsOnlyTheNamedMembersThroughArrays() throws {
        let pruned = try Self.parse(Self.document, [["source"], ["detail", "items", "sku"], ["detail", "customer", "tier"], ["resources"]])
        let expected: JSONValue = [
            "source": "shop",
            "detail": ["customer": ["tier": "gold"], "items": [["sku": "A"], ["sku": "B"], "loose", [["sku": "C"]]]],
            "resources": ["r1", "r2"],
        ]
        #expect(pruned == expected)
    }

    @Test func aLeafMemberKeepsScalarsAndArraysButEmptiesObjects() throws {
        let pruned = try Self.parse(Self.document, [["detail", "items"], ["pad"]])
        #expect(pruned["detail"]?["items"] == [[:], [:], "loose", [[:]]])
        #expect(pruned["pad"] == [true, false, .null, .number(-0.0), 1000])
    }

    @Test func keptValuesEqualTheFullParse() throws {
        let full = try JSONValue(parsing: Self.document)
        let paths = [["detail", "notes"], ["detail", "total"], ["id"], ["detail", "big", "deep", "a", "b", "c"]]
        let pruned = try Self.parse(Self.document, paths)
        #expect(pruned["detail"]?["notes"] == full["detail"]?["notes"])
        #expect(pruned["detail"]?["notes"] == "né\"q\"")
        #expect(pruned["detail"]?["total"] == full["detail"]?["total"])
        #expect(pruned["detail"]?["big"] == full["detail"]?["big"])
        // Converting a parsed value keeps the same members.
        let fields = Self.tree(paths)
        #expect(JSONDocument(full, keeping: fields).value(JSONDocument.root, tree: fields) == pruned)
        #expect(pruned["id"] == "e-1")
        #expect(pruned["source"] == nil)
    }

    /// Many members of one object, with names alike in length and first and last bytes (the
    /// tree's member tables hash those): each is found, and names not kept are not.
    @Test func manySimilarMemberNamesAreEachFound() throws {
        let names = (0..<60).map { "k" + String(repeating: "x", count: $0 % 7) + "\($0)" + "z" }
        let text = "{" + names.enumerated().map { "\"\($0.element)\":\($0.offset)" }.joined(separator: ",") + ",\"other\":1,\"kz\":2}"
        let kept = try Self.parse(text, names.map { [$0] })
        #expect(kept.objectValue?.count == names.count)
        for (offset, name) in names.enumerated() { #expect(kept[name] == .number(Double(offset))) }
        #expect(kept["other"] == nil)
    }

    @Test func escapedKeysAndDuplicatesBehaveAsInAFullParse() throws {
        let text = #"{"a\u0062":1,"ab":2,"x":{"k":1},"x":{"k":3}}"#
        let pruned = try Self.parse(text, [["ab"], ["x", "k"]])
        let full = try JSONValue(parsing: text)
        #expect(pruned == full)
        #expect(pruned["ab"] == 2)
        #expect(pruned["x"]?["k"] == 3)
    }

    @Test(arguments: [
        #"{"skip":[1,2,}"#, #"{"skip":"unterminated}"#, #"{"skip":tru}"#, #"{"skip":{"a" 1}}"#,
        #"{"skip":"\q"}"#, #"{"skip":01}"#, #"{"skip":1e999}"#, #"{"skip":"\u12"}"#, "{\"skip\":\"\u{01}\"}",
        #"{"skip":{}} x"#, #"{"skip" {}}"#, #"{"keep":1,}"#,
    ])
    func skippedMembersAreStillCheckedForSyntax(text: String) {
        #expect(throws: JSONParseError.self) { try Self.parse(text, [["keep"]]) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func invalidUTF8InASkippedStringIsRefused() {
        let bytes: [UInt8] = Array(#"{"skip":""#.utf8) + [0xFF, 0x22, 0x7D]
        #expect(throws: JSONParseError.self) { try JSONDocument(parsing: bytes, keeping: Self.tree([["keep"]])) }
        let kept: [UInt8] = Array(#"{"keep":""#.utf8) + [0xFF, 0x22, 0x7D]
        #expect(throws: JSONParseError.self) { try JSONDocument(parsing: kept, keeping: Self.tree([["keep"]])) }
    }

    /// Long strings are scanned eight bytes at a time until a word holds a quote, a backslash or
    /// a control character: each of them (and a high byte, invalid UTF-8, a bidi override) at
    /// every offset of a word, at the string's start, middle and end, kept or skipped, reads or
    /// fails exactly as the full parse does, at the same offset.
    @Test func longStringsReadAsTheFullParseWhereverTheirSpecialBytesFall() throws {
        let specials: [[UInt8]] = [[0x5C, 0x22], [0x5C, 0x6E], [0x5C, 0x75, 0x30, 0x30, 0x34, 0x31], [0x01], [0x1F], [0x0A],
                                   [0xC3, 0xA9], Array("\u{202E}".utf8), [0xFF], [0xC3], [0x7F], [0x20], [0x5C]]
        let fields = Self.tree([["keep"]])
        for special in specials {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 40] {
                for offset in 0...length {
                    let body = Array(repeating: UInt8(ascii: "a"), count: offset) + special
                        + Array(repeating: UInt8(ascii: "b"), count: length - offset)
                    for member in ["keep", "skip"] {
                        let bytes = Array("{\"\(member)\":\"".utf8) + body + Array("\",\"n\":1}".utf8)
                        let full = Result { () throws(JSONParseError) in try JSONValue(parsing: bytes) }
                        let kept = Result { () throws(JSONParseError) in
                            try JSONDocument(parsing: bytes, keeping: fields).value(JSONDocument.root, tree: fields)
                        }
                        switch (full, kept) {
                        case (.success(let value), .success(let document)):
                            #expect(document == (member == "keep" ? ["keep": value["keep"] ?? .null] : [:]), "\(bytes)")
                        case (.failure(let a), .failure(let b)):
                            #expect(a.offset == b.offset, "\(bytes): \(a) against \(b)")
                        default:
                            Issue.record("\(bytes): full parse \(full), document \(kept)")
                        }
                    }
                }
            }
        }
    }

    @Test func stringsAreValidatedUnlessPlainASCII() throws {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0x61, 0xC3, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xED, 0xA0, 0x80, 0x22]) }
        #expect(try JSONValue(parsing: [0x22, 0x61, 0xC3, 0xA9, 0x22]) == "aé")
        #expect(try JSONValue(parsing: #""plain ascii""#) == "plain ascii")
    }

    @Test func hostileNestingInASkippedMemberIsRefused() {
        let deep = #"{"skip":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        #expect(throws: JSONParseError.self) { try Self.parse(deep, [["keep"]]) }
        let kept = #"{"keep":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        #expect(throws: JSONParseError.self) { try Self.parse(kept, [["keep"]]) }
    }

    @Test(arguments: ["0", "-0", "19.99", "0.1", "123456789012345", "1234567890123456789", "0.000001",
                      "3.141592653589793", "1e21", "-2.5E-3", "9007199254740993", "0.30000000000000004",
                      "1.0000000000000002", "12345.678901234567890123"])
    func numbersConvertExactlyAsTheStandardLibrary(text: String) throws {
        let parsed = try JSONValue(parsing: text)
        let expected = try #require(Double(text))
        #expect(parsed.doubleValue?.bitPattern == expected.bitPattern)
    }

    @Test("an array or object parsed from text keeps the range of its own text, skipped members included")
    func containersKeepTheirText() throws {
        let fields = Self.tree([["detail", "customer", "tier"], ["resources"]])
        let document = try JSONDocument(parsing: Self.document.utf8, keeping: fields)
        let text = { (slot: Int32) in document.text(of: slot).map { String(decoding: $0, as: UTF8.self) } }
        #expect(text(JSONDocument.root) == Self.document.trimmingCharacters(in: .whitespacesAndNewlines))
        var tree = fields
        let detail = try #require(document.member(JSONDocument.root, node: Int32(tree.child("detail", of: JSONFieldTree.root))))
        let detailText = try #require(text(detail))
        #expect(try JSONValue(parsing: Array(detailText.utf8))["big"]?["deep"]?[0]?["a"]?["b"]?["c"] == 1)
        let resources = try #require(document.member(JSONDocument.root, node: Int32(tree.child("resources", of: JSONFieldTree.root))))
        #expect(text(resources) == #"["r1","r2"]"#)
        let first = document.slots[Int(resources)].first
        #expect(document.string(first) == "r1")
        #expect(document.text(of: first) == nil, "a string has no container text")
        #expect(JSONDocument(["a": [1]], keeping: fields).text(of: JSONDocument.root) == nil, "built from a value: no text")
    }

    /// A tree that joins dotted keys reads a member named "a.b" as the path a → b, merged with
    /// what the document nests there; any other tree keeps names as written.
    @Test func dottedMembersAreReKeyedWhenTheTreeJoinsThem() throws {
        var joining = JSONFieldTree(joiningDottedKeys: true)
        for path in [["detail", "state"], ["detail", "other"], ["detail", "code", "n"]] { joining.insert(path: path) }
        let text = #"{"detail.state": "x", "detail": {"other": 1, "code.n": 2, "state": "y"}, "detail.code": {"n": 3}, "detail.none": 4}"#
        let expected: JSONValue = ["detail": ["other": 1, "state": ["y", "x"], "code": ["n": [2, 3]]]]
        let parsed = try JSONDocument(parsing: text.utf8, keeping: joining)
        #expect(Self.unordered(parsed.value(JSONDocument.root, tree: joining)) == Self.unordered(expected))
        let built = JSONDocument(try JSONValue(parsing: text), keeping: joining)
        #expect(Self.unordered(built.value(JSONDocument.root, tree: joining)) == Self.unordered(expected))

        var plain = JSONFieldTree()
        for path in [["detail", "state"], ["detail.state"]] { plain.insert(path: path) }
        let kept = try JSONDocument(parsing: text.utf8, keeping: plain).value(JSONDocument.root, tree: plain)
        #expect(kept == ["detail.state": "x", "detail": ["state": "y"]])
    }

    /// A dotted member inside a dotted member's value is re-keyed before its parent is merged
    /// (else the merge would leave it behind); a dotted name written with escapes, and one whose
    /// first name is 63 bytes or longer, are re-keyed too.
    @Test func dottedMembersInsideDottedMembersEscapedAndLongNames() throws {
        let long = String(repeating: "l", count: 70)
        var tree = JSONFieldTree(joiningDottedKeys: true)
        for path in [["detail", "code", "n"], ["detail", "code", "x", "y"], ["detail", "state"], [long, "leaf"]] {
            tree.insert(path: path)
        }
        let text = #"{"detail": {"code": {"n": 1}}, "detail.code": {"x.y": 2}, "detail.st\u0061te": "s", "\#(long).leaf": 3}"#
        let expected: JSONValue = ["detail": ["code": ["n": 1, "x": ["y": 2]], "state": "s"], long: ["leaf": 3]]
        let parsed = try JSONDocument(parsing: text.utf8, keeping: tree)
        #expect(Self.unordered(parsed.value(JSONDocument.root, tree: tree)) == Self.unordered(expected))
        let built = JSONDocument(try JSONValue(parsing: text), keeping: tree)
        #expect(Self.unordered(built.value(JSONDocument.root, tree: tree)) == Self.unordered(expected))
    }

    /// Members sorted by name and array elements by their text: re-keyed members join their
    /// new parent in no particular order.
    static func unordered(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): .array(elements.map(unordered).sorted { $0.serialized < $1.serialized })
        case .object(let members):
            .object(JSONObject(uniqueKeysWithValues: members.map { ($0.key, unordered($0.value)) }.sorted { $0.0 < $1.0 }))
        default: value
        }
    }
}
