import Patterns
import Testing

/// AWS's "Rule is too complex" refusal for wildcard-heavy fields. Sources: the wording from a
/// refused PutRule quoted in a public Terraform module ("Event pattern is not valid. Reason:
/// Rule is too complex - try using fewer wildcard characters or fewer repeating character
/// sequences after a wildcard character"); the measure from aws/event-ruler's
/// MachineComplexityEvaluator (and its tests' worked examples); the threshold from observed
/// refusals: `*:*:*:*:*:event-bus/*` (issue #18's AWS-recorded corpus) and vals-ai/Valkyrie
/// PR #278 (three `*:stack/NAME/*` values in one field accepted, a fourth refused).
@Suite struct ComplexityTests {
    static let tooComplex = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"

    @Test func manyColonSeparatedStarsAreRefused() {
        #expect(refusal(#"{"resources": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}"#) == Self.tooComplex)
        #expect(refusal(#"{"resources": [{"wildcard": "*:*:*:*:event-bus/*"}]}"#) == nil)
    }

    @Test func manyValuesInOneFieldAddUp() {
        func pattern(_ names: [String]) -> String {
            let values = names.map { #"{"wildcard": "*:stack/\#($0)/*"}"# }.joined(separator: ",")
            return #"{"detail": {"stack-id": ["# + values + "]}}"
        }
        #expect(refusal(pattern(["Core", "Shared", "Data"])) == nil)
        #expect(refusal(pattern(["Core", "Shared", "Data", "Monitoring"])) == Self.tooComplex)
        // Spread over separate fields, the same values are each simple.
        #expect(refusal(#"{"a": [{"wildcard": "*:stack/A/*"}, {"wildcard": "*:stack/B/*"}], "b": [{"wildcard": "*:stack/C/*"}, {"wildcard": "*:stack/D/*"}]}"#) == nil)
    }

    @Test func anythingButWildcardsCountAndDuplicatesDoNot() {
        #expect(refusal(#"{"r": [{"anything-but": {"wildcard": "*:*:*:*:*:event-bus/*"}}]}"#) == Self.tooComplex)
        let same = Array(repeating: #"{"wildcard": "*:stack/A/*"}"#, count: 8).joined(separator: ",")
        #expect(refusal(#"{"r": ["# + same + "]}") == nil)
    }

    @Test func everydayWildcardsAreAccepted() throws {
        #expect(refusal(#"{"detail": {"object": {"key": [{"wildcard": "uploads/*/images/*.png"}]}}}"#) == nil)
        #expect(refusal(#"{"resources": [{"wildcard": "arn:aws:states:*:*:execution:orders:*"}]}"#) == nil)
        #expect(try match(#"{"source": [{"wildcard": "*.ec2"}]}"#, ec2Event))
    }

    @Test func refusalHasAWSMessageShape() {
        do {
            _ = try EventPattern(parsing: #"{"r": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}"#)
            Issue.record("accepted a too-complex rule")
        } catch {
            #expect(error.message == "Event pattern is not valid. Reason: " + Self.tooComplex)
        }
    }
}
