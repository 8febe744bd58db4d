import Patterns
import Testing

/// Keys with dots. AWS matches dot-joined paths: aws/event-ruler flattens both the rule and the
/// event to names like "detail.state" before matching, and localstack's port of it notes that
/// `{"field1.field2": …}` matches both `{"field1.field2": …}` and `{"field1": {"field2": …}}`
/// (localstack/localstack PR #11960, event_rule_engine.py). A dotted pattern key here meets
/// every spelling of its path; a nested pattern does not yet meet a dotted event key (see
/// `nestedPatternDoesNotSeeDottedEventKeys`).
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

    @Test func nestedPatternDoesNotSeeDottedEventKeys() throws {
        // Not AWS's behaviour (AWS would match): binding every nested pattern object to dotted
        // spellings too cost the matcher 20-25 % (docs/benchmarks.md), so only patterns that
        // write a dotted key look for dotted event keys. This pins the known gap.
        #expect(try !match(#"{"detail": {"state": ["running"]}}"#, #"{"detail.state": "running"}"#))
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
    }
}
