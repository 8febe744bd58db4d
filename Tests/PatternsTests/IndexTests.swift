import JSON
import Patterns
import Testing

@Suite struct PatternIndexTests {
    @Test func returnsMatchingIdsInInsertionOrder() throws {
        var index = PatternIndex<String>()
        index.insert(try EventPattern(parsing: #"{"source": ["orders"], "detail-type": ["OrderPlaced"]}"#), for: "placed")
        index.insert(try EventPattern(parsing: #"{"source": ["orders"]}"#), for: "all-orders")
        index.insert(try EventPattern(parsing: #"{"detail": {"total": [{"numeric": [">", 100]}]}}"#), for: "big")
        index.insert(try EventPattern(parsing: #"{"source": ["payments"]}"#), for: "payments")
        let event = try JSONValue(parsing: #"{"source": "orders", "detail-type": "OrderPlaced", "detail": {"total": 250}}"#)
        #expect(index.matches(event) == ["placed", "all-orders", "big"])
        let other = try JSONValue(parsing: #"{"source": "payments", "detail-type": "Charged", "detail": {"total": 5}}"#)
        #expect(index.matches(other) == ["payments"])
        #expect(index.unfiledCount == 1)
    }

    @Test func replaceAndRemove() throws {
        var index = PatternIndex<Int>()
        index.insert(try EventPattern(parsing: #"{"source": ["a"]}"#), for: 1)
        index.insert(try EventPattern(parsing: #"{"source": ["b"]}"#), for: 2)
        let eventA = try JSONValue(parsing: #"{"source": "a"}"#)
        #expect(index.matches(eventA) == [1])
        index.insert(try EventPattern(parsing: #"{"source": ["b"]}"#), for: 1)
        #expect(index.matches(eventA) == [])
        #expect(index.matches(try JSONValue(parsing: #"{"source": "b"}"#)) == [1, 2])
        let removed = index.remove(1)
        let removedAgain = index.remove(1)
        #expect(removed)
        #expect(!removedAgain)
        #expect(index.matches(try JSONValue(parsing: #"{"source": "b"}"#)) == [2])
        #expect(index.count == 1)
    }

    @Test func valuesInsideArraysOfObjectsFindTheirRules() throws {
        let index = PatternIndex([
            ("sku", try EventPattern(parsing: #"{"detail": {"items": {"sku": ["X"]}}}"#)),
            ("res", try EventPattern(parsing: #"{"resources": ["r2"]}"#)),
        ])
        let event = try JSONValue(parsing: #"{"resources": ["r1", "r2", "r2"], "detail": {"items": [{"sku": "A"}, {"sku": "X"}]}}"#)
        #expect(index.matches(event) == ["sku", "res"])
    }

    /// Random rules of every operator over a small vocabulary, random events: the index must
    /// answer exactly what matching each pattern alone answers.
    @Test func agreesWithMatchingEveryPatternAlone() throws {
        var generator = SplitMix(seed: 2026)
        let sources = ["orders", "payments", "shipping"]
        let types = ["Placed", "Charged", "Shipped", "Failed"]
        let states = ["ok", "late", "lost", "OK"]
        func pick<T>(_ values: [T]) -> T { values[generator.next(upTo: values.count)] }
        func quoted(_ s: String) -> String { "\"\(s)\"" }
        var rules: [(Int, EventPattern)] = []
        for id in 0..<300 {
            var fields: [String] = []
            if generator.next(upTo: 4) != 0 { fields.append(#""source": [\#(quoted(pick(sources)))]"#) }
            if generator.next(upTo: 2) == 0 {
                fields.append(#""detail-type": [\#(quoted(pick(types))), \#(quoted(pick(types)))]"#)
            }
            var detail: [String] = []
            switch generator.next(upTo: 8) {
            case 0: detail.append(#""state": [{"anything-but": \#(quoted(pick(states)))}]"#)
            case 1: detail.append(#""state": [{"equals-ignore-case": "ok"}]"#)
            case 2: detail.append(#""n": [{"numeric": [">", \#(generator.next(upTo: 10))]}]"#)
            case 3: detail.append(#""tag": [{"exists": \#(generator.next(upTo: 2) == 0)}]"#)
            case 4: detail.append(#""items": {"sku": [\#(quoted(pick(["A", "B", "C"])))]}"#)
            case 5: detail.append(#""$or": [{"state": ["lost"]}, {"n": [{"numeric": ["<", 3]}]}]"#)
            case 6: detail.append(#""state": [{"wildcard": "*\#(pick(["o", "a", "K"]))*"}]"#)
            default: break
            }
            if !detail.isEmpty { fields.append(#""detail": {\#(detail.joined(separator: ","))}"#) }
            if fields.isEmpty { fields.append(#""source": [{"prefix": "o"}]"#) }
            rules.append((id, try EventPattern(parsing: "{\(fields.joined(separator: ","))}")))
        }
        let index = PatternIndex(rules)
        var matchedSomething = 0
        for _ in 0..<300 {
            var detail = [#""state": \#(quoted(pick(states)))"#, #""n": \#(generator.next(upTo: 12))"#]
            if generator.next(upTo: 2) == 0 { detail.append(#""tag": "t""#) }
            detail.append(#""items": [{"sku": \#(quoted(pick(["A", "B", "C"])))}, {"sku": \#(quoted(pick(["A", "B", "C"])))}]"#)
            let text = #"{"source": \#(quoted(pick(sources))), "detail-type": \#(quoted(pick(types))), "detail": {\#(detail.joined(separator: ","))}}"#
            let event = try JSONValue(parsing: text)
            let expected = rules.filter { $0.1.matches(event) }.map(\.0)
            let got = index.matches(event)
            #expect(got == expected, "\(text)")
            if !got.isEmpty { matchedSomething += 1 }
        }
        #expect(matchedSomething > 100)
        #expect(index.unfiledCount < rules.count / 2)
    }
}

@Suite struct TestEventPatternTests {
    let event = """
    {"id": "1", "account": "123456789012", "source": "orders", "time": "2026-11-23T00:00:00Z",
     "region": "us-east-1", "detail-type": "OrderPlaced", "resources": [], "detail": {"total": 5}}
    """

    @Test func matchesAndDoesNotMatch() throws {
        #expect(try EventPattern.test(pattern: #"{"source": ["orders"]}"#, event: event))
        #expect(try !EventPattern.test(pattern: #"{"source": ["payments"]}"#, event: event))
    }

    @Test func invalidPatternIsReported() {
        #expect(throws: TestEventPatternError.invalidPattern(EventPatternError(reason: "Empty arrays are not allowed", path: ["source"]))) {
            try EventPattern.test(pattern: #"{"source": []}"#, event: event)
        }
    }

    @Test func eventMustCarryTheEnvelope() {
        #expect(throws: TestEventPatternError.invalidEvent("Parameter Event is not valid. Reason: Provided Event is missing required field id.")) {
            try EventPattern.test(pattern: #"{"source": ["orders"]}"#, event: #"{"source": "orders"}"#)
        }
        #expect(throws: TestEventPatternError.invalidEvent("Parameter Event is not valid.")) {
            try EventPattern.test(pattern: #"{"source": ["orders"]}"#, event: "[1]")
        }
        #expect(TestEventPatternError.invalidEvent("x").errorType == "ValidationException")
    }
}
