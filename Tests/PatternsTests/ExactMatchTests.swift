import Patterns
import Testing

@Suite struct ExactMatchTests {
    @Test func documentedSimplePatternMatches() throws {
        #expect(try match("""
        {"detail-type": ["EC2 Instance State-change Notification"],
         "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
         "detail": {"state": ["initializing", "running"]}}
        """, ec2Event))
        #expect(try !match(#"{"detail": {"state": ["initializing", "stopped"]}}"#, ec2Event))
        #expect(try !match(#"{"source": ["aws.ec3"]}"#, ec2Event))
    }

    @Test func fieldsAreAndedValuesAreOred() throws {
        #expect(try match(#"{"source": ["x", "aws.ec2"], "region": ["us-east-1"]}"#, ec2Event))
        #expect(try !match(#"{"source": ["aws.ec2"], "region": ["eu-west-1"]}"#, ec2Event))
    }

    @Test func stringsAreCaseAndByteExact() throws {
        #expect(try !match(#"{"source": ["AWS.EC2"]}"#, ec2Event))
        // Precomposed é does not match e + combining acute: AWS compares bytes.
        #expect(try !match(#"{"a": ["\u00e9"]}"#, #"{"a": "e\u0301"}"#))
        #expect(try match(#"{"a": ["\u00e9"]}"#, #"{"a": "é"}"#))
    }

    @Test func numbersCompareAsNumbers() throws {
        #expect(try match(#"{"detail": {"c-count": [5]}}"#, ec2Event))
        #expect(try match(#"{"n": [5]}"#, #"{"n": 5.0}"#))
        #expect(try match(#"{"n": [3.018e2]}"#, #"{"n": 301.8}"#))
        #expect(try match(#"{"n": [0]}"#, #"{"n": -0}"#))
        #expect(try !match(#"{"n": [5]}"#, #"{"n": "5"}"#))
        #expect(try !match(#"{"n": ["5"]}"#, #"{"n": 5}"#))
        #expect(try match(#"{"account": [123456789012]}"#, #"{"account": 123456789012}"#))
    }

    @Test func booleansAndNull() throws {
        #expect(try match(#"{"b": [true]}"#, #"{"b": true}"#))
        #expect(try !match(#"{"b": [true]}"#, #"{"b": "true"}"#))
        #expect(try !match(#"{"b": ["true"]}"#, #"{"b": true}"#))
        #expect(try match(#"{"b": [false]}"#, #"{"b": false}"#))
        #expect(try match(#"{"u": [null]}"#, #"{"u": null}"#))
        // null matching does not match a missing field.
        #expect(try !match(#"{"u": [null]}"#, #"{"v": 1}"#))
        #expect(try !match(#"{"u": [null]}"#, #"{"u": "null"}"#))
    }

    @Test func emptyStringMatchesOnlyEmptyString() throws {
        #expect(try match(#"{"LastName": [""]}"#, #"{"LastName": ""}"#))
        #expect(try !match(#"{"LastName": [""]}"#, #"{"LastName": null}"#))
        #expect(try !match(#"{"LastName": [""]}"#, #"{}"#))
    }

    @Test func nestedFieldsFollowTheEventsStructure() throws {
        let event = #"{"detail": {"a": {"b": {"c": "deep"}}}}"#
        #expect(try match(#"{"detail": {"a": {"b": {"c": ["deep"]}}}}"#, event))
        #expect(try !match(#"{"detail": {"a": {"c": ["deep"]}}}"#, event))
        // AWS matches dot-joined paths, so a dotted key names the same path (DottedKeyTests).
        #expect(try match(#"{"detail": {"a.b.c": ["deep"]}}"#, event))
        #expect(try !match(#"{"detail": {"a.c": ["deep"]}}"#, event))
        // A pattern object over a scalar finds no fields.
        #expect(try !match(#"{"detail": {"a": {"b": ["x"]}}}"#, #"{"detail": {"a": "x"}}"#))
    }

    @Test func leafPatternDoesNotMatchObjectValue() throws {
        #expect(try !match(#"{"detail": ["x"]}"#, #"{"detail": {"x": 1}}"#))
    }

    @Test func exactOperatorMatchesLikeALiteral() throws {
        #expect(try match(#"{"s": [{"exact": "a*b"}]}"#, #"{"s": "a*b"}"#))
        #expect(try !match(#"{"s": [{"exact": "a*b"}]}"#, #"{"s": "axb"}"#))
    }

    @Test func patternKeepsItsJSONForDisplay() throws {
        let pattern = try EventPattern(parsing: #"{"source": ["a"], "detail": {"n": [1]}}"#)
        #expect(pattern.description == #"{"source":["a"],"detail":{"n":[1]}}"#)
    }
}
