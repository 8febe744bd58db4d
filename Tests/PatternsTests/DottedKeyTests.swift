import Patterns
import Testing

/// Keys with dots. AWS matches dot-joined paths: aws/event-ruler flattens both the rule and the
/// event to names like "detail.state" before matching, and localstack's port of it notes that
/// `{"field1.field2": …}` matches both `{"field1.field2": …}` and `{"field1": {"field2": …}}`
/// (localstack/localstack PR #11960, event_rule_engine.py). So a dotted key on either side
/// meets the nested spelling on the other.
@Suite struct DottedKeyTests {
    @Test func dottedPatternKeyMatchesNestedFieldAndDottedEventKey() throws {
        let pattern = #"{"detail.state": ["running"]}"#
        #expect(try match(pattern, #"{"detail": {"state": "running"}}"#))
        #expect(try match(pattern, #"{"detail.state": "running"}"#))
        #expect(try !match(pattern, #"{"detail": {"state": "stopped"}}"#))
        #expect(try !match(pattern, #"{"detail.state": "stopped"}"#))
        #expect(try !match(pattern, #"{"detail": "running"}"#))
    }

    @Test func nestedPatternMatchesDottedEventKey() throws {
        let pattern = #"{"detail": {"state": ["running"]}}"#
        #expect(try match(pattern, #"{"detail.state": "running"}"#))
        #expect(try !match(pattern, #"{"detail.state": "stopped"}"#))
        #expect(try !match(pattern, #"{"detail.other": "running"}"#))
        // Deeper: every grouping of the names spells the same path.
        let deep = #"{"a": {"b": {"c": [1]}}}"#
        #expect(try match(deep, #"{"a.b.c": 1}"#))
        #expect(try match(deep, #"{"a.b": {"c": 1}}"#))
        #expect(try match(deep, #"{"a": {"b.c": 1}}"#))
        #expect(try !match(deep, #"{"a": {"b.c": 2}}"#))
        #expect(try match(#"{"a.b.c": [1]}"#, #"{"a": {"b": {"c": 1}}}"#))
        #expect(try match(#"{"a.b": {"c": [1]}}"#, #"{"a": {"b.c": 1}}"#))
    }

    @Test func keysLikeKubernetesLabelsMatch() throws {
        // A label key holding dots, as EKS and many webhooks send them.
        let event = #"{"source": "k8s", "detail": {"labels": {"app.kubernetes.io/name": "shop"}}}"#
        #expect(try match(#"{"detail": {"labels": {"app.kubernetes.io/name": ["shop"]}}}"#, event))
        #expect(try !match(#"{"detail": {"labels": {"app.kubernetes.io/name": ["cart"]}}}"#, event))
    }

    @Test func absenceHoldsOnlyWhenNoSpellingIsPresent() throws {
        let pattern = #"{"detail": {"state": [{"exists": false}]}}"#
        #expect(try match(pattern, #"{"detail": {"other": 1}}"#))
        #expect(try !match(pattern, #"{"detail": {"state": "x"}}"#))
        #expect(try !match(pattern, #"{"detail.state": "x"}"#))
        #expect(try !match(#"{"detail.state": [{"exists": false}]}"#, #"{"detail.state": "x"}"#))
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
        #expect(index.matches(try .init(parsing: #"{"detail.state": "running"}"#)) == [1])
        #expect(try index.matches(eventText: #"{"detail": {"state": "stopped"}}"#) == [2])
        #expect(try index.matches(eventText: #"{"detail.state": "stopped"}"#) == [2])
    }
}
