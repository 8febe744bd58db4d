import Patterns
import Testing

/// Keys with dots. AWS matches dot-joined paths: aws/event-ruler flattens both the rule and the
/// event to names like "detail.state" before matching, and localstack's port of it notes that
/// `{"field1.field2": …}` matches both `{"field1.field2": …}` and `{"field1": {"field2": …}}`
/// (localstack/localstack PR #11960, event_rule_engine.py). Any pattern, dotted or nested,
/// meets every spelling of its path in the event.
@Suite struct DottedKeyTests {
    @Test func dottedPatternKeyMatchesNestedFieldAndDottedEventKey() throws {
        let pattern = #"{"detail.state": ["running"]}"#
        #expect(try match(pattern, #"{"detail": {"state": "running"}}"#))
        #expect(try match(pattern, #"{"detail.state": "running"}"#))
        #expect(try !match(pattern, #"{"detail": {"state": "stopped"}}"#))
        #expect(try !match(pattern, #"{"detail.state": "stopped"}"#))
        #expect(try !match(pattern, #"{"detail": "running"}"#))
    }

    @Test func dottedPatternKeyMatchesEveryGrouping() throws {
        let deep = #"{"a.b.c": [1]}"#
        #expect(try match(deep, #"{"a": {"b": {"c": 1}}}"#))
        #expect(try match(deep, #"{"a.b.c": 1}"#))
        #expect(try match(deep, #"{"a.b": {"c": 1}}"#))
        #expect(try match(deep, #"{"a": {"b.c": 1}}"#))
        #expect(try !match(deep, #"{"a": {"b.c": 2}}"#))
        #expect(try match(#"{"a.b": {"c": [1]}}"#, #"{"a": {"b.c": 1}}"#))
    }

    @Test func nestedPatternSeesDottedEventKeys() throws {
        #expect(try match(#"{"detail": {"state": ["running"]}}"#, #"{"detail.state": "running"}"#))
        #expect(try !match(#"{"detail": {"state": ["running"]}}"#, #"{"detail.state": "stopped"}"#))
        let deep = #"{"detail": {"a": {"b": [1]}}}"#
        #expect(try match(deep, #"{"detail": {"a.b": 1}}"#))
        #expect(try match(deep, #"{"detail.a": {"b": 1}}"#))
        #expect(try match(deep, #"{"detail.a.b": 1}"#))
        #expect(try !match(deep, #"{"detail": {"a.b": 2}}"#))
        // Only the whole path counts: "a.c" is another field, "a.b.c" a deeper one.
        #expect(try !match(deep, #"{"detail": {"a.c": 1}}"#))
        #expect(try !match(deep, #"{"detail": {"a.b.c": 1}}"#))
    }

    @Test func dottedEventKeysMergeWithNestedMembers() throws {
        // One pattern object reads members from both spellings, as AWS's flattened paths do.
        let pattern = #"{"detail": {"state": ["x"], "other": ["y"]}}"#
        #expect(try match(pattern, #"{"detail": {"other": "y"}, "detail.state": "x"}"#))
        #expect(try match(pattern, #"{"detail.state": "x", "detail": {"other": "y"}}"#))
        #expect(try match(pattern, #"{"detail.state": "x", "detail.other": "y"}"#))
        #expect(try !match(pattern, #"{"detail": {"other": "z"}, "detail.state": "x"}"#))
        // Both spellings of one path: either value may match.
        #expect(try match(#"{"detail": {"state": ["x"]}}"#, #"{"detail": {"state": "y"}, "detail.state": "x"}"#))
        #expect(try match(#"{"detail": {"state": ["y"]}}"#, #"{"detail": {"state": "y"}, "detail.state": "x"}"#))
        #expect(try match(#"{"detail": {"state": ["y"]}}"#, #"{"detail": {"state": ["w", "y"]}, "detail.state": "x"}"#))
        // A nested pattern with a dotted member of its own.
        #expect(try match(#"{"a": {"b.c": [1], "d": [2]}}"#, #"{"a.b": {"c": 1}, "a": {"d": 2}}"#))
    }

    @Test func nestedAbsenceNeedsEverySpellingAbsent() throws {
        let pattern = #"{"detail": {"state": [{"exists": false}]}}"#
        #expect(try match(pattern, #"{"detail": {"other": 1}}"#))
        #expect(try !match(pattern, #"{"detail.state": "x"}"#))
        #expect(try !match(pattern, #"{"detail": {}, "detail.state": "x"}"#))
        #expect(try match(pattern, #"{"detail": {}, "detail.other": "x"}"#))
        #expect(try match(#"{"detail": {"state": [{"exists": true}]}}"#, #"{"detail.state": "x"}"#))
    }

    @Test func keysLikeKubernetesLabelsMatch() throws {
        // A label key holding dots, as EKS and many webhooks send them.
        let event = #"{"source": "k8s", "detail": {"labels": {"app.kubernetes.io/name": "shop"}}}"#
        #expect(try match(#"{"detail": {"labels": {"app.kubernetes.io/name": ["shop"]}}}"#, event))
        #expect(try !match(#"{"detail": {"labels": {"app.kubernetes.io/name": ["cart"]}}}"#, event))
    }

    @Test func absenceHoldsOnlyWhenNoSpellingIsPresent() throws {
        let pattern = #"{"detail.state": [{"exists": false}]}"#
        #expect(try match(pattern, #"{"detail": {"other": 1}}"#))
        #expect(try !match(pattern, #"{"detail": {"state": "x"}}"#))
        #expect(try !match(pattern, #"{"detail.state": "x"}"#))
        #expect(try match(#"{"detail.state": [{"exists": true}]}"#, #"{"detail.state": "x"}"#))
    }

    @Test func dottedKeysInsideOrAndArrays() throws {
        let pattern = #"{"$or": [{"a.b": ["x"]}, {"c": ["y"]}]}"#
        #expect(try match(pattern, #"{"a": {"b": "x"}}"#))
        #expect(try match(pattern, #"{"a.b": "x"}"#))
        #expect(try !match(pattern, #"{"a.b": "y"}"#))
        // An array of objects: one element carries the dotted key.
        #expect(try match(#"{"items": {"k.v": ["2"]}}"#, #"{"items": [{"k.v": "1"}, {"k": {"v": "2"}}]}"#))
    }

    @Test func indexFindsRulesWhateverTheSpelling() throws {
        let index = PatternIndex([
            (1, try EventPattern(parsing: #"{"detail": {"state": ["running"]}}"#)),
            (2, try EventPattern(parsing: #"{"detail.state": ["stopped"]}"#)),
        ])
        #expect(index.matches(try .init(parsing: #"{"detail": {"state": "running"}}"#)) == [1])
        #expect(try index.matches(eventText: #"{"detail": {"state": "stopped"}}"#) == [2])
        #expect(try index.matches(eventText: #"{"detail.state": "stopped"}"#) == [2])
        // Both rules are filed by their state values, so the index finds them spelled either way.
        #expect(try index.matches(eventText: #"{"detail.state": "running"}"#) == [1])
        #expect(index.unfiledCount == 0)
    }

    @Test func testEventPatternSeesDottedEventKeys() throws {
        let event = #"{"id": "1", "account": "1", "source": "s", "time": "t", "region": "r", "detail-type": "d", "detail.state": "running"}"#
        #expect(try EventPattern.test(pattern: #"{"detail": {"state": ["running"]}}"#, event: event))
        #expect(try !EventPattern.test(pattern: #"{"detail": {"state": ["stopped"]}}"#, event: event))
    }
}
