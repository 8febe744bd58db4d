import JSON
import Testing

@Suite struct JSONParsingTests {
    @Test func roundTripsDocumentsKeepingKeyOrder() throws {
        let text = #"{"z":1,"a":[true,false,null,-2.5,"x"],"m":{"k":"v"},"big":1e+300}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serialized == text)
        #expect(value["z"] == 1)
        #expect(value["a"]?[3] == .number(-2.5))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/\n\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/\né😀"))
        #expect(JSONValue.string("\u{1b}[2J\u{0}").serialized == #""\u001b[2J\u0000""#)
    }

    @Test(arguments: [
        ("", "unexpected end of input"), ("{", "expected a string key"), ("[1,]", "unexpected character ']'"),
        ("01", "unexpected data after the JSON value"), ("1.", "digits expected after '.'"),
        ("\"\u{01}\"", "unescaped control character"), ("tru", "unexpected end of input"),
        ("{\"a\" 1}", "expected ':'"), ("\"\\q\"", "invalid escape"), ("1e999", "number out of range"),
    ])
    func refusesMalformedTextNamingTheProblem(text: String, reason: String) {
        #expect {
            try JSONValue(parsing: text)
        } throws: { error in
            (error as? JSONParseError)?.message.contains(reason) == true
        }
    }

    @Test func refusesHostileNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
    }

    @Test func formatsIntegralNumbersWithoutFraction() {
        #expect(JSONValue.number(5).serialized == "5")
        #expect(JSONValue.number(0.1).serialized == "0.1")
        #expect(JSONValue.number(-3).intValue == -3)
        #expect(JSONValue.number(1.5).intValue == nil)
    }

    @Test func prettyPrintsWithIndentation() throws {
        let value: JSONValue = ["a": [1, 2], "b": [:]]
        #expect(value.serialized(indent: 2) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }
}
