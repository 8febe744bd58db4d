import Patterns
import Testing

@Suite struct ArrayTests {
    @Test func eventArrayMatchesWhenAnyElementMatches() throws {
        #expect(try match(#"{"resources": ["b"]}"#, #"{"resources": ["a", "b", "c"]}"#))
        #expect(try !match(#"{"resources": ["d"]}"#, #"{"resources": ["a", "b", "c"]}"#))
        #expect(try match(#"{"n": [{"numeric": [">", 10]}]}"#, #"{"n": [1, 2, 30]}"#))
        #expect(try match(#"{"s": [{"prefix": "x"}]}"#, #"{"s": [["a", ["xy"]]]}"#))
    }

    @Test func emptyArrayHasNoValues() throws {
        #expect(try !match(#"{"resources": ["a"]}"#, #"{"resources": []}"#))
        #expect(try !match(#"{"resources": [{"anything-but": "a"}]}"#, #"{"resources": []}"#))
        #expect(try !match(#"{"resources": [{"exists": true}]}"#, #"{"resources": []}"#))
        #expect(try match(#"{"resources": [{"exists": false}]}"#, #"{"resources": []}"#))
    }

    @Test func arraysOfObjectsAreTraversed() throws {
        let event = #"{"detail": {"items": [{"sku": "A", "qty": 1}, {"sku": "X", "qty": 5}]}}"#
        #expect(try match(#"{"detail": {"items": {"sku": ["X"]}}}"#, event))
        #expect(try !match(#"{"detail": {"items": {"sku": ["Y"]}}}"#, event))
    }

    @Test func fieldsOfOnePatternObjectComeFromOneArrayElement() throws {
        let event = """
        {"employees": [{"firstName": "John", "lastName": "Doe"},
                       {"firstName": "Anna", "lastName": "Smith"},
                       {"firstName": "Peter", "lastName": "Jones"}]}
        """
        #expect(try match(#"{"employees": {"firstName": ["Anna"]}}"#, event))
        #expect(try match(#"{"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}"#, event))
        #expect(try !match(#"{"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}"#, event))
    }

    @Test func multiLevelArraysAreCrushed() throws {
        let event = """
        {"employees": [[{"firstName": "John", "lastName": "Doe"}, {"firstName": "Anna", "lastName": "Smith"}],
                       [{"firstName": "Peter", "lastName": "Jones"}]]}
        """
        #expect(try match(#"{"employees": {"firstName": ["Peter"], "lastName": ["Jones"]}}"#, event))
        #expect(try !match(#"{"employees": {"firstName": ["John"], "lastName": ["Jones"]}}"#, event))
    }

    @Test func absenceInsideAnArrayIsAbsenceFromEveryElement() throws {
        let event = #"{"items": [{"sku": "A"}, {"name": "b"}]}"#
        // No element was chosen by another field, so "sku" exists in the array.
        #expect(try !match(#"{"items": {"sku": [{"exists": false}]}}"#, event))
        #expect(try match(#"{"items": {"gift": [{"exists": false}]}}"#, event))
        // Once another field picks the element, absence is judged in that element.
        #expect(try match(#"{"items": {"name": ["b"], "sku": [{"exists": false}]}}"#, event))
        #expect(try !match(#"{"items": {"name": ["b"], "gift": [{"exists": true}]}}"#, event))
    }

    @Test func mixedLeavesAndObjectsInOneArray() throws {
        let event = #"{"a": ["x", {"k": 1}]}"#
        #expect(try match(#"{"a": ["x"]}"#, event))
        #expect(try match(#"{"a": {"k": [1]}}"#, event))
        #expect(try !match(#"{"a": ["k"]}"#, event))
    }
}
