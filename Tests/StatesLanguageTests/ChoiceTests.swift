import JSON
import StatesLanguage
import Testing

/// Choice rules: every comparison operator, the Path forms, type tests, And/Or/Not, and the
/// runtime errors.
@Suite struct ChoiceTests {
    /// Runs a Choice with one rule; "yes" when it matched, "no" for the Default.
    func decide(_ rule: String, input: JSONValue) throws -> Harness {
        let definition = #"""
        {"StartAt": "C", "States": {
          "C": {"Type": "Choice", "Choices": [\#(rule.dropLast()), "Next": "Yes"}], "Default": "No"},
          "Yes": {"Type": "Pass", "Result": "yes", "End": true},
          "No": {"Type": "Pass", "Result": "no", "End": true}}}
        """#
        return try Harness(definition, input: input)
    }

    func matches(_ rule: String, _ input: JSONValue) throws -> Bool {
        let run = try decide(rule, input: input)
        #expect(run.execution.status == .succeeded, "\(rule) on \(input): \(String(describing: run.failure))")
        return run.succeededOutput == "yes"
    }

    @Test(arguments: [
        (#"{"Variable": "$.v", "StringEquals": "b"}"#, true), (#"{"Variable": "$.v", "StringEquals": "c"}"#, false),
        (#"{"Variable": "$.v", "StringLessThan": "c"}"#, true), (#"{"Variable": "$.v", "StringLessThan": "b"}"#, false),
        (#"{"Variable": "$.v", "StringGreaterThan": "a"}"#, true), (#"{"Variable": "$.v", "StringGreaterThan": "b"}"#, false),
        (#"{"Variable": "$.v", "StringLessThanEquals": "b"}"#, true), (#"{"Variable": "$.v", "StringLessThanEquals": "a"}"#, false),
        (#"{"Variable": "$.v", "StringGreaterThanEquals": "b"}"#, true), (#"{"Variable": "$.v", "StringGreaterThanEquals": "c"}"#, false),
        (#"{"Variable": "$.v", "StringMatches": "*"}"#, true), (#"{"Variable": "$.v", "StringMatches": "a*"}"#, false),
        (#"{"Variable": "$.v", "NumericEquals": 1}"#, false),
        (#"{"Variable": "$.v", "StringEqualsPath": "$.same"}"#, true), (#"{"Variable": "$.v", "StringLessThanPath": "$.same"}"#, false),
        (#"{"Variable": "$.v", "StringGreaterThanPath": "$.lower"}"#, true), (#"{"Variable": "$.v", "StringLessThanEqualsPath": "$.same"}"#, true),
        (#"{"Variable": "$.v", "StringGreaterThanEqualsPath": "$.higher"}"#, false),
    ])
    func stringOperators(rule: String, expected: Bool) throws {
        #expect(try matches(rule, ["v": "b", "same": "b", "lower": "a", "higher": "c"]) == expected, "\(rule)")
    }

    @Test(arguments: [
        (#"{"Variable": "$.n", "NumericEquals": 5}"#, true), (#"{"Variable": "$.n", "NumericEquals": 5.5}"#, false),
        (#"{"Variable": "$.n", "NumericLessThan": 6}"#, true), (#"{"Variable": "$.n", "NumericLessThan": 5}"#, false),
        (#"{"Variable": "$.n", "NumericGreaterThan": 4.5}"#, true), (#"{"Variable": "$.n", "NumericGreaterThan": 5}"#, false),
        (#"{"Variable": "$.n", "NumericLessThanEquals": 5}"#, true), (#"{"Variable": "$.n", "NumericGreaterThanEquals": 6}"#, false),
        (#"{"Variable": "$.n", "NumericEqualsPath": "$.five"}"#, true), (#"{"Variable": "$.n", "NumericLessThanPath": "$.six"}"#, true),
        (#"{"Variable": "$.n", "NumericGreaterThanPath": "$.six"}"#, false), (#"{"Variable": "$.n", "NumericLessThanEqualsPath": "$.five"}"#, true),
        (#"{"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.five"}"#, true),
        (#"{"Variable": "$.s", "NumericEquals": 5}"#, false),
    ])
    func numericOperators(rule: String, expected: Bool) throws {
        #expect(try matches(rule, ["n": 5, "five": 5, "six": 6, "s": "5"]) == expected, "\(rule)")
    }

    @Test(arguments: [
        (#"{"Variable": "$.b", "BooleanEquals": true}"#, true), (#"{"Variable": "$.b", "BooleanEquals": false}"#, false),
        (#"{"Variable": "$.b", "BooleanEqualsPath": "$.t"}"#, true), (#"{"Variable": "$.s", "BooleanEquals": true}"#, false),
    ])
    func booleanOperators(rule: String, expected: Bool) throws {
        #expect(try matches(rule, ["b": true, "t": true, "s": "true"]) == expected, "\(rule)")
    }

    @Test(arguments: [
        (#"{"Variable": "$.t", "TimestampEquals": "2026-01-01T09:00:00+09:00"}"#, true),
        (#"{"Variable": "$.t", "TimestampLessThan": "2026-01-01T00:00:01Z"}"#, true),
        (#"{"Variable": "$.t", "TimestampGreaterThan": "2026-01-01T00:00:00Z"}"#, false),
        (#"{"Variable": "$.t", "TimestampLessThanEquals": "2026-01-01T00:00:00Z"}"#, true),
        (#"{"Variable": "$.t", "TimestampGreaterThanEquals": "2025-12-31T23:59:59.999Z"}"#, true),
        (#"{"Variable": "$.t", "TimestampEqualsPath": "$.same"}"#, true),
        (#"{"Variable": "$.t", "TimestampLessThanPath": "$.later"}"#, true),
        (#"{"Variable": "$.t", "TimestampGreaterThanPath": "$.later"}"#, false),
        (#"{"Variable": "$.t", "TimestampLessThanEqualsPath": "$.same"}"#, true),
        (#"{"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$.later"}"#, false),
        (#"{"Variable": "$.bad", "TimestampEquals": "2026-01-01T00:00:00Z"}"#, false),
    ])
    func timestampOperators(rule: String, expected: Bool) throws {
        #expect(try matches(rule, ["t": "2026-01-01T00:00:00Z", "same": "2026-01-01T00:00:00.000Z", "later": "2026-06-01T00:00:00Z", "bad": "yesterday"]) == expected, "\(rule)")
    }

    @Test(arguments: [
        (#"{"Variable": "$.nil", "IsNull": true}"#, true), (#"{"Variable": "$.n", "IsNull": true}"#, false),
        (#"{"Variable": "$.n", "IsPresent": true}"#, true), (#"{"Variable": "$.missing", "IsPresent": true}"#, false),
        (#"{"Variable": "$.missing", "IsPresent": false}"#, true), (#"{"Variable": "$.list[*].x", "IsPresent": true}"#, false),
        (#"{"Variable": "$.n", "IsNumeric": true}"#, true), (#"{"Variable": "$.s", "IsNumeric": true}"#, false),
        (#"{"Variable": "$.s", "IsString": true}"#, true), (#"{"Variable": "$.n", "IsString": false}"#, true),
        (#"{"Variable": "$.b", "IsBoolean": true}"#, true), (#"{"Variable": "$.t", "IsTimestamp": true}"#, true),
        (#"{"Variable": "$.s", "IsTimestamp": true}"#, false),
    ])
    func typeTests(rule: String, expected: Bool) throws {
        #expect(try matches(rule, ["nil": nil, "n": 1, "s": "x", "b": false, "t": "2026-01-01T00:00:00Z", "list": [["y": 1]]]) == expected, "\(rule)")
    }

    @Test func stringMatchesWildcards() throws {
        func match(_ text: String, _ pattern: String) throws -> Bool {
            try matches(#"{"Variable": "$.v", "StringMatches": "\#(pattern)"}"#, ["v": .string(text)])
        }
        #expect(try match("log-2026.txt", "log-*.txt"))
        #expect(try match("abc", "a*b*c"))
        #expect(try !match("abd", "a*c"))
        #expect(try match("a*b", #"a\\*b"#))
        #expect(try !match("axb", #"a\\*b"#))
        #expect(try match("", "*"))
    }

    @Test func andOrNot() throws {
        let both = #"{"And": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Variable": "$.s", "StringEquals": "x"}]}"#
        #expect(try matches(both, ["n": 2, "s": "x"]))
        #expect(try !matches(both, ["n": 0, "s": "x"]))
        let either = #"{"Or": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Variable": "$.s", "StringEquals": "x"}]}"#
        #expect(try matches(either, ["n": 0, "s": "x"]))
        #expect(try !matches(either, ["n": 0, "s": "y"]))
        let negated = #"{"Not": {"Variable": "$.s", "StringEquals": "x"}}"#
        #expect(try matches(negated, ["s": "y"]))
        let nested = #"{"Not": {"Or": [{"Variable": "$.a", "IsPresent": true}, {"And": [{"Variable": "$.n", "NumericEquals": 1}]}]}}"#
        #expect(try matches(nested, ["n": 2]))
    }

    @Test func missingVariableIsRuntimeError() throws {
        let run = try decide(#"{"Variable": "$.missing", "StringEquals": "x"}"#, input: [:])
        #expect(run.failure?.error == "States.Runtime")
        #expect(run.types == ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"])
    }

    @Test func noMatchWithoutDefault() throws {
        let definition = #"""
        {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "Y"}]},
                                    "Y": {"Type": "Succeed"}}}
        """#
        let run = try Harness(definition, input: ["n": 2])
        #expect(run.failure?.error == "States.NoChoiceMatched")
    }

    @Test func firstMatchingRuleWinsAndPathsApply() throws {
        let definition = #"""
        {"StartAt": "C", "States": {
          "C": {"Type": "Choice", "InputPath": "$.in", "OutputPath": "$.v",
                "Choices": [{"Variable": "$.v", "NumericGreaterThan": 0, "Next": "A"}, {"Variable": "$.v", "NumericGreaterThan": 1, "Next": "B"}]},
          "A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}
        """#
        let run = try Harness(definition, input: ["in": ["v": 5]])
        #expect(run.types == ["ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"])
        #expect(run.detail("SucceedStateEntered", "name") == "A")
        #expect(run.succeededOutput == 5)
    }
}
