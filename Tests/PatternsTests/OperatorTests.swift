import Patterns
import Testing

@Suite struct PrefixSuffixTests {
    @Test func prefix() throws {
        #expect(try match(#"{"time": [{"prefix": "2017-10-02"}]}"#, ec2Event))
        #expect(try !match(#"{"time": [{"prefix": "2017-10-03"}]}"#, ec2Event))
        #expect(try match(#"{"s": [{"prefix": ""}]}"#, #"{"s": "anything"}"#))
        // Only strings have prefixes.
        #expect(try !match(#"{"n": [{"prefix": "1"}]}"#, #"{"n": 123}"#))
    }

    @Test func prefixIgnoringCase() throws {
        let pattern = #"{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#
        for service in ["EventBridge", "EVENTBRIDGE", "eventbus", "eVeNtB"] {
            #expect(try match(pattern, #"{"detail": {"service": "\#(service)"}}"#))
        }
        #expect(try !match(pattern, #"{"detail": {"service": "Event"}}"#))
    }

    @Test func suffix() throws {
        #expect(try match(#"{"FileName": [{"suffix": ".png"}]}"#, #"{"FileName": "cat.png"}"#))
        #expect(try !match(#"{"FileName": [{"suffix": ".png"}]}"#, #"{"FileName": "cat.PNG"}"#))
        #expect(try match(#"{"source": [{"suffix": "ec2"}]}"#, ec2Event))
    }

    @Test func suffixIgnoringCase() throws {
        let pattern = #"{"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}"#
        #expect(try match(pattern, #"{"FileName": "cat.PNG"}"#))
        #expect(try match(pattern, #"{"FileName": "cat.pNg"}"#))
        #expect(try !match(pattern, #"{"FileName": "cat.jpg"}"#))
    }

    @Test func equalsIgnoringCase() throws {
        #expect(try match(#"{"Name": [{"equals-ignore-case": "alice"}]}"#, #"{"Name": "ALICE"}"#))
        #expect(try match(#"{"Name": [{"equals-ignore-case": "ÉCOLE"}]}"#, #"{"Name": "école"}"#))
        #expect(try !match(#"{"Name": [{"equals-ignore-case": "alice"}]}"#, #"{"Name": "alicia"}"#))
        #expect(try !match(#"{"Name": [{"equals-ignore-case": "true"}]}"#, #"{"Name": true}"#))
    }
}

@Suite struct WildcardTests {
    @Test func documentedExample() throws {
        let pattern = #"{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}"#
        #expect(try match(pattern, #"{"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}"#))
        #expect(try !match(pattern, #"{"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/default"}"#))
        #expect(try match(#"{"f": [{"wildcard": "dir/*.png"}]}"#, #"{"f": "dir/a/b.png"}"#))
        #expect(try !match(#"{"f": [{"wildcard": "dir/*.png"}]}"#, #"{"f": "dir/a/b.png.txt"}"#))
    }

    @Test func starMatchesEmptyAndRunsDoNotOverlap() throws {
        #expect(try match(#"{"s": [{"wildcard": "a*b"}]}"#, #"{"s": "ab"}"#))
        #expect(try !match(#"{"s": [{"wildcard": "ab*ba"}]}"#, #"{"s": "aba"}"#))
        #expect(try match(#"{"s": [{"wildcard": "ab*ba"}]}"#, #"{"s": "abba"}"#))
        #expect(try match(#"{"s": [{"wildcard": "*"}]}"#, #"{"s": ""}"#))
        #expect(try match(#"{"s": [{"wildcard": "*x*y*"}]}"#, #"{"s": "1x2y3"}"#))
        #expect(try !match(#"{"s": [{"wildcard": "*x*y*"}]}"#, #"{"s": "1y2x3"}"#))
        #expect(try match(#"{"s": [{"wildcard": "a*a*a"}]}"#, #"{"s": "aaa"}"#))
        #expect(try !match(#"{"s": [{"wildcard": "a*a*a"}]}"#, #"{"s": "aa"}"#))
        #expect(try !match(#"{"s": [{"wildcard": "abc"}]}"#, #"{"s": "abcd"}"#))
        #expect(try !match(#"{"n": [{"wildcard": "*"}]}"#, #"{"n": 1}"#))
    }

    @Test func escapes() throws {
        #expect(try match(#"{"s": [{"wildcard": "a\\*b"}]}"#, #"{"s": "a*b"}"#))
        #expect(try !match(#"{"s": [{"wildcard": "a\\*b"}]}"#, #"{"s": "axb"}"#))
        #expect(try match(#"{"s": [{"wildcard": "a\\\\*"}]}"#, #"{"s": "a\\zzz"}"#))
    }

    /// A slow but obviously right reference: every split point tried.
    static func reference(_ pattern: [Character], _ text: [Character]) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == "*" {
            return (0...text.count).contains { reference(Array(pattern.dropFirst()), Array(text.dropFirst($0))) }
        }
        guard let head = text.first, head == first else { return false }
        return reference(Array(pattern.dropFirst()), Array(text.dropFirst()))
    }

    @Test func agreesWithBacktrackingReference() throws {
        var generator = SplitMix(seed: 7)
        let alphabet: [Character] = ["a", "b", "*"]
        for _ in 0..<2000 {
            var pattern: [Character] = []
            for _ in 0..<generator.next(upTo: 7) {
                let next = alphabet[generator.next(upTo: 3)]
                if next == "*", pattern.last == "*" { continue }
                pattern.append(next)
            }
            let text = (0..<generator.next(upTo: 8)).map { _ in alphabet[generator.next(upTo: 2)] }
            let expected = WildcardTests.reference(pattern, text)
            let got = try match(#"{"s": [{"wildcard": "\#(String(pattern))"}]}"#, #"{"s": "\#(String(text))"}"#)
            #expect(got == expected, "\(String(pattern)) vs \(String(text))")
        }
    }
}

@Suite struct AnythingButTests {
    @Test func singleValues() throws {
        #expect(try match(#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#, ec2Event))
        #expect(try !match(#"{"detail": {"state": [{"anything-but": "running"}]}}"#, ec2Event))
        #expect(try match(#"{"detail": {"x-limit": [{"anything-but": 123}]}}"#, ec2Event))
        #expect(try !match(#"{"detail": {"x-limit": [{"anything-but": 301.8}]}}"#, ec2Event))
    }

    @Test func lists() throws {
        #expect(try match(#"{"s": [{"anything-but": ["stopped", "overloaded"]}]}"#, #"{"s": "running"}"#))
        #expect(try !match(#"{"s": [{"anything-but": ["stopped", "overloaded"]}]}"#, #"{"s": "stopped"}"#))
        #expect(try match(#"{"n": [{"anything-but": [100, 200, 300]}]}"#, #"{"n": 150}"#))
        #expect(try !match(#"{"n": [{"anything-but": [100, 200, 300]}]}"#, #"{"n": 2e2}"#))
    }

    @Test func otherTypesAreNotExcluded() throws {
        #expect(try match(#"{"s": [{"anything-but": "5"}]}"#, #"{"s": 5}"#))
        #expect(try match(#"{"s": [{"anything-but": 5}]}"#, #"{"s": "5"}"#))
        #expect(try match(#"{"s": [{"anything-but": "x"}]}"#, #"{"s": null}"#))
    }

    @Test func missingFieldDoesNotMatch() throws {
        #expect(try !match(#"{"s": [{"anything-but": "x"}]}"#, #"{"t": "y"}"#))
    }

    @Test func arrayMatchesWhenAnyElementIsNotExcluded() throws {
        #expect(try match(#"{"s": [{"anything-but": "a"}]}"#, #"{"s": ["a", "b"]}"#))
        #expect(try !match(#"{"s": [{"anything-but": "a"}]}"#, #"{"s": ["a", "a"]}"#))
    }

    @Test func prefixAndSuffix() throws {
        #expect(try match(#"{"r": [{"anything-but": {"prefix": "us-"}}]}"#, #"{"r": "eu-west-1"}"#))
        #expect(try !match(#"{"r": [{"anything-but": {"prefix": "us-"}}]}"#, #"{"r": "us-east-1"}"#))
        #expect(try !match(#"{"r": [{"anything-but": {"prefix": ["us-", "eu-"]}}]}"#, #"{"r": "eu-west-1"}"#))
        #expect(try match(#"{"f": [{"anything-but": {"suffix": ".png"}}]}"#, #"{"f": "a.txt"}"#))
        #expect(try !match(#"{"f": [{"anything-but": {"suffix": ".png"}}]}"#, #"{"f": "a.png"}"#))
        #expect(try !match(#"{"f": [{"anything-but": {"suffix": [".png", ".txt"]}}]}"#, #"{"f": "a.txt"}"#))
    }

    @Test func ignoringCase() throws {
        let pattern = #"{"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}"#
        #expect(try !match(pattern, #"{"state": "INITIALIZING"}"#))
        #expect(try match(pattern, #"{"state": "running"}"#))
        let list = #"{"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}"#
        #expect(try !match(list, #"{"state": "stopped"}"#))
        #expect(try !match(list, #"{"state": "OVERLOADED"}"#))
        #expect(try match(list, #"{"state": "running"}"#))
    }

    @Test func wildcard() throws {
        let pattern = #"{"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}"#
        #expect(try !match(pattern, #"{"FilePath": "/usr/lib/x.so"}"#))
        #expect(try match(pattern, #"{"FilePath": "/usr/bin/x"}"#))
        let list = #"{"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}"#
        #expect(try !match(list, #"{"FilePath": "/usr/bin/x"}"#))
        #expect(try match(list, #"{"FilePath": "/etc/x"}"#))
    }
}

@Suite struct NumericTests {
    @Test func documentedRanges() throws {
        #expect(try match("""
        {"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}],
                    "d-count": [{"numeric": ["<", 10]}],
                    "x-limit": [{"numeric": ["=", 3.018e2]}]}}
        """, ec2Event))
        #expect(try !match(#"{"detail": {"c-count": [{"numeric": [">", 5]}]}}"#, ec2Event))
        #expect(try match(#"{"detail": {"c-count": [{"numeric": [">=", 5]}]}}"#, ec2Event))
        #expect(try !match(#"{"detail": {"c-count": [{"numeric": ["<", 5]}]}}"#, ec2Event))
        #expect(try match(#"{"detail": {"c-count": [{"numeric": ["<=", 5]}]}}"#, ec2Event))
    }

    @Test func boundsAreRespected() throws {
        let pattern = #"{"p": [{"numeric": [">", 10, "<=", 20]}]}"#
        #expect(try !match(pattern, #"{"p": 10}"#))
        #expect(try match(pattern, #"{"p": 10.000001}"#))
        #expect(try match(pattern, #"{"p": 20}"#))
        #expect(try !match(pattern, #"{"p": 20.0000001}"#))
        let closedOpen = #"{"p": [{"numeric": [">=", 10, "<", 20]}]}"#
        #expect(try match(closedOpen, #"{"p": 10}"#))
        #expect(try !match(closedOpen, #"{"p": 20}"#))
    }

    @Test func fullFloat64Range() throws {
        #expect(try match(#"{"p": [{"numeric": [">", 1e300]}]}"#, #"{"p": 1.7976931348623157e308}"#))
        #expect(try match(#"{"p": [{"numeric": ["<", -1e300]}]}"#, #"{"p": -1.5e308}"#))
        #expect(try match(#"{"p": [{"numeric": [">", 5e9]}]}"#, #"{"p": 6e9}"#))
        #expect(try match(#"{"p": [{"numeric": [">", 0, "<", 1e-300]}]}"#, #"{"p": 5e-324}"#))
        #expect(try match(#"{"p": [{"numeric": ["=", 9007199254740993]}]}"#, #"{"p": 9007199254740992}"#),
                "float64 rounding, as JSON numbers are float64")
    }

    @Test func onlyNumbersAreInRange() throws {
        #expect(try !match(#"{"p": [{"numeric": [">", 0]}]}"#, #"{"p": "5"}"#))
        #expect(try !match(#"{"p": [{"numeric": [">", 0]}]}"#, #"{"p": true}"#))
    }

    @Test func agreesWithDirectComparisonOnRandomValues() throws {
        var generator = SplitMix(seed: 42)
        let operators = [">", ">=", "<", "<=", "="]
        for _ in 0..<500 {
            let op = operators[generator.next(upTo: 5)]
            let bound = Double(generator.next(upTo: 21)) - 10
            let value = Double(generator.next(upTo: 21)) - 10 + (generator.next(upTo: 2) == 0 ? 0 : 0.5)
            let expected = switch op {
            case ">": value > bound
            case ">=": value >= bound
            case "<": value < bound
            case "<=": value <= bound
            default: value == bound
            }
            #expect(try match(#"{"p": [{"numeric": ["\#(op)", \#(bound)]}]}"#, #"{"p": \#(value)}"#) == expected)
        }
    }
}

@Suite struct ExistsTests {
    @Test func existsTrueAndFalse() throws {
        #expect(try match(#"{"detail": {"c-count": [{"exists": true}]}}"#, ec2Event))
        #expect(try !match(#"{"detail": {"c-count": [{"exists": false}]}}"#, ec2Event))
        #expect(try match(#"{"detail": {"nope": [{"exists": false}]}}"#, ec2Event))
        #expect(try !match(#"{"detail": {"nope": [{"exists": true}]}}"#, ec2Event))
    }

    @Test func onlyLeavesExist() throws {
        let event = #"{"detail": {"c-count": {"c1": 100}}}"#
        #expect(try match(#"{"detail": {"c-count": [{"exists": false}]}}"#, event))
        #expect(try !match(#"{"detail": {"c-count": [{"exists": true}]}}"#, event))
    }

    @Test func nullAndEmptyStringAreValues() throws {
        #expect(try match(#"{"a": [{"exists": true}]}"#, #"{"a": null}"#))
        #expect(try match(#"{"a": [{"exists": true}]}"#, #"{"a": ""}"#))
        #expect(try !match(#"{"a": [{"exists": false}]}"#, #"{"a": null}"#))
    }

    @Test func absentParentMeansAbsentField() throws {
        #expect(try match(#"{"detail": {"x": [{"exists": false}]}}"#, #"{"source": "s"}"#))
        #expect(try match(#"{"detail": {"x": [{"exists": false}]}}"#, #"{"detail": "scalar"}"#))
    }

    @Test func combinedWithValues() throws {
        let pattern = #"{"a": [{"exists": false}, "x"]}"#
        #expect(try match(pattern, #"{"b": 1}"#))
        #expect(try match(pattern, #"{"a": "x"}"#))
        #expect(try !match(pattern, #"{"a": "y"}"#))
    }
}

@Suite struct CIDRTests {
    @Test func ipv4() throws {
        #expect(try match(#"{"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}"#, ec2Event))
        #expect(try !match(#"{"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}"#, ec2Event))
        #expect(try match(#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#, #"{"ip": "10.255.255.255"}"#))
        #expect(try !match(#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#, #"{"ip": "11.0.0.0"}"#))
        #expect(try match(#"{"ip": [{"cidr": "0.0.0.0/0"}]}"#, #"{"ip": "203.0.113.9"}"#))
        #expect(try !match(#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#, #"{"ip": "not an ip"}"#))
        #expect(try !match(#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#, #"{"ip": "10.0.0.256"}"#))
    }

    @Test func ipv6() throws {
        let pattern = #"{"ip": [{"cidr": "2001:db8::/32"}]}"#
        #expect(try match(pattern, #"{"ip": "2001:db8::1"}"#))
        #expect(try match(pattern, #"{"ip": "2001:0DB8:ffff:0:0:0:0:1"}"#))
        #expect(try !match(pattern, #"{"ip": "2001:db9::1"}"#))
        #expect(try !match(pattern, #"{"ip": "10.0.0.1"}"#))
        #expect(try match(#"{"ip": [{"cidr": "::/0"}]}"#, #"{"ip": "fe80::1"}"#))
        #expect(try match(#"{"ip": [{"cidr": "2001:db8:0:1::/64"}]}"#, #"{"ip": "2001:db8:0:1:ffff:ffff:ffff:ffff"}"#))
        #expect(try !match(#"{"ip": [{"cidr": "2001:db8:0:1::/64"}]}"#, #"{"ip": "2001:db8:0:2::"}"#))
    }

    @Test func ipv4MappedAddressIsIPv4() throws {
        #expect(try match(#"{"ip": [{"cidr": "10.0.0.0/24"}]}"#, #"{"ip": "::ffff:10.0.0.7"}"#))
    }

    @Test func ipLiteralsMatchAnySpellingOfTheAddress() throws {
        #expect(try match(#"{"ip": ["2001:db8::1"]}"#, #"{"ip": "2001:0db8:0000:0000:0000:0000:0000:0001"}"#))
        #expect(try match(#"{"ip": ["10.0.0.1"]}"#, #"{"ip": "10.0.0.1"}"#))
        #expect(try !match(#"{"ip": ["10.0.0.1"]}"#, #"{"ip": "10.0.0.2"}"#))
    }

    @Test func lowerBoundIsTheAddressAsWritten() throws {
        // AWS does not clear host bits: 10.0.0.5/24 runs from .5 to .255.
        #expect(try !match(#"{"ip": [{"cidr": "10.0.0.5/24"}]}"#, #"{"ip": "10.0.0.1"}"#))
        #expect(try match(#"{"ip": [{"cidr": "10.0.0.5/24"}]}"#, #"{"ip": "10.0.0.200"}"#))
    }
}

@Suite struct OrTests {
    @Test func documentedOr() throws {
        let pattern = """
        {"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                            {"d-count": [{"numeric": ["<", 10]}]},
                            {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}
        """
        #expect(try match(pattern, ec2Event))
        #expect(try match(pattern, #"{"detail": {"d-count": 3}}"#))
        #expect(try !match(pattern, #"{"detail": {"c-count": 50, "d-count": 30}}"#))
    }

    @Test func orWithAndAndNesting() throws {
        let pattern = """
        {"source": ["aws.cloudwatch"],
         "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]},
                 {"metricType": ["MetricType"], "namespace": ["AWS/EC2", "AWS/ES"],
                  "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
                 {"scope": ["Service"]}]}
        """
        #expect(try match(pattern, #"{"source": "aws.cloudwatch", "metricName": "ReadLatency"}"#))
        #expect(try match(pattern, #"{"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/ES", "spaceId": 1000}"#))
        #expect(try !match(pattern, #"{"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/ES", "spaceId": 1}"#))
        #expect(try !match(pattern, #"{"source": "aws.cloudwatch", "metricType": "MetricType", "spaceId": 1000}"#))
        #expect(try match(pattern, #"{"source": "aws.cloudwatch", "scope": "Service"}"#))
        #expect(try !match(pattern, #"{"source": "aws.other", "scope": "Service"}"#))
    }

    @Test func parallelOrGroups() throws {
        let pattern = """
        {"$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
         "detail": {"$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["CloudWatch Alarm State Change"]}]}}
        """
        #expect(try match(pattern, #"{"namespace": "AWS/EC2", "detail": {"source": "aws.cloudwatch"}}"#))
        #expect(try !match(pattern, #"{"namespace": "AWS/EC2", "detail": {"source": "x"}}"#))
    }
}

/// A small deterministic generator for property tests (no clocks, no global state).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func nextRaw() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upTo bound: Int) -> Int { Int(nextRaw() % UInt64(bound)) }
}
