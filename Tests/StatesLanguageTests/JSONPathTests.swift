import JSON
@testable import StatesLanguage
import Testing

/// JSONPath selection, reference-path assignment and syntax errors.
@Suite struct JSONPathTests {
    let store: JSONValue = json(#"""
    {"store": {"book": [
        {"title": "A", "price": 8, "isbn": "1"},
        {"title": "B", "price": 12},
        {"title": "C", "price": 30, "isbn": "3"}],
      "bicycle": {"color": "red", "price": 19}},
     "odd key": 1, "n": null}
    """#)

    func select(_ path: String) throws -> JSONValue? {
        try JSONPath(path).select(in: store)
    }

    @Test func definitePaths() throws {
        #expect(try select("$") == store)
        #expect(try select("$.store.bicycle.color") == "red")
        #expect(try select("$['store']['bicycle']['color']") == "red")
        #expect(try select(#"$["odd key"]"#) == 1)
        #expect(try select("$.store.book[1].title") == "B")
        #expect(try select("$.store.book[-1].title") == "C")
        #expect(try select("$.n") == .null)
        #expect(try select("$.missing") == nil)
        #expect(try select("$.store.book[7]") == nil)
        #expect(try JSONPath("$.a.b").isReferencePath)
        #expect(try !JSONPath("$.a[*]").isReferencePath)
    }

    @Test func indefinitePathsReturnArrays() throws {
        #expect(try select("$.store.book[*].title") == ["A", "B", "C"])
        #expect(try select("$.store.book[0,2].title") == ["A", "C"])
        #expect(try select("$.store.book[0:2].title") == ["A", "B"])
        #expect(try select("$.store.book[1:].title") == ["B", "C"])
        #expect(try select("$.store.book[:-1].title") == ["A", "B"])
        #expect(try select("$.store.book[::2].title") == ["A", "C"])
        #expect(try select("$..price") == [8, 12, 30, 19])
        #expect(try select("$.store.bicycle.*") == ["red", 19])
        #expect(try select("$.store.book[*].missing") == [])
        #expect(try select("$.store['book','bicycle'].price") == [19])
    }

    @Test func filters() throws {
        #expect(try select("$.store.book[?(@.price < 10)].title") == ["A"])
        #expect(try select("$.store.book[?(@.price >= 12)].title") == ["B", "C"])
        #expect(try select("$.store.book[?(@.isbn)].title") == ["A", "C"])
        #expect(try select("$.store.book[?(@.title == 'B')].price") == [12])
        #expect(try select("$.store.book[?(@.title != 'B' && @.price > 10)].title") == ["C"])
        #expect(try select("$.store.book[?(@.price < 10 || @.price > 20)].title") == ["A", "C"])
    }

    @Test func contextRoot() throws {
        let context: JSONValue = ["Execution": ["Name": "run-1"]]
        #expect(try JSONPath("$$.Execution.Name").select(in: store, context: context) == "run-1")
    }

    @Test func normalizedForm() throws {
        #expect(try JSONPath("$.a.b[0]").normalized == "$['a']['b'][0]")
    }

    @Test(arguments: ["", "a.b", "$.", "$..", "$[", "$['a'", "$[a]", "$.a b", "$.length()", "$[1,:2]", "$[?(@.a <)]", "$[?(x)]"])
    func syntaxErrors(path: String) {
        #expect(throws: JSONPathError.self) { try JSONPath(path) }
    }

    @Test func assignCreatesAndReplaces() throws {
        let input: JSONValue = ["a": ["b": 1], "list": [1, 2]]
        #expect(try JSONPath("$.a.c").assign("x", into: input) == ["a": ["b": 1, "c": "x"], "list": [1, 2]])
        #expect(try JSONPath("$.a.b").assign("x", into: input) == ["a": ["b": "x"], "list": [1, 2]])
        #expect(try JSONPath("$.new.deep").assign(1, into: input)["new"] == ["deep": 1])
        #expect(try JSONPath("$.list[1]").assign(9, into: input)["list"] == [1, 9])
        #expect(throws: StatesError.self) { try JSONPath("$.list.x").assign(1, into: input) }
        #expect(throws: StatesError.self) { try JSONPath("$.list[5]").assign(1, into: input) }
        #expect(throws: StatesError.self) { try JSONPath("$.a.b.c").assign(1, into: input) }
    }
}
