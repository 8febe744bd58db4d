import Demo
import JSON
import StatesLanguage
import Testing

/// Definition validation: each diagnostic as ValidateStateMachineDefinition reports it, and
/// the InvalidDefinition message of CreateStateMachine.
@Suite struct ValidationTests {
    func diagnostics(_ text: String) -> [Diagnostic] {
        StateMachineDefinition.validate(text).diagnostics
    }

    func expectOne(_ text: String, code: String, message: String, location: String?, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = diagnostics(text)
        #expect(found.contains(Diagnostic(code: code, message: message, location: location)), "got \(found)", sourceLocation: sourceLocation)
    }

    @Test func validDefinitionIsOK() {
        let report = StateMachineDefinition.validate(machine(#"{"Type": "Pass", "End": true}"#))
        #expect(report.result == "OK" && report.diagnostics.isEmpty)
    }

    @Test func notJSON() {
        let found = diagnostics("{\"StartAt\": ")
        #expect(found.count == 1 && found.first?.code == "INVALID_JSON_DESCRIPTION")
        #expect(StateMachineDefinition.validate("{").result == "FAIL")
    }

    @Test func missingTopLevelFields() {
        expectOne(#"{"Comment": "x"}"#, code: "SCHEMA_VALIDATION_FAILED", message: "These fields are required: [StartAt, States]", location: "/")
        expectOne(#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}, "Extra": 1}"#,
                  code: "SCHEMA_VALIDATION_FAILED", message: "Field 'Extra' is not supported", location: "/")
    }

    @Test func missingTransitionTargets() {
        let text = #"""
        {"StartAt": "A", "States": {
          "A": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "Next": "Nope", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone"}]},
          "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Missing"}], "Default": "Absent"},
          "E": {"Type": "Succeed"}}}
        """#
        let found = diagnostics(text)
        #expect(found.contains(Diagnostic(code: "MISSING_TRANSITION_TARGET", message: "Missing 'Next' target: Nope", location: "/States/A/Next")))
        #expect(found.contains(Diagnostic(code: "MISSING_TRANSITION_TARGET", message: "Missing 'Next' target: Gone", location: "/States/A/Catch[0]/Next")))
        #expect(found.contains(Diagnostic(code: "MISSING_TRANSITION_TARGET", message: "Missing 'Next' target: Missing", location: "/States/C/Choices[0]/Next")))
        #expect(found.contains(Diagnostic(code: "MISSING_TRANSITION_TARGET", message: "Missing 'Next' target: Absent", location: "/States/C/Default")))
        #expect(found.contains(Diagnostic(code: "MISSING_TRANSITION_TARGET", message: "State \"C\" is not reachable.", location: "/States/C")))
        expectOne(#"{"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}"#, code: "MISSING_TRANSITION_TARGET",
                  message: "Missing 'Next' target: X", location: "/StartAt")
    }

    @Test func invalidDefinitionMessageJoinsDiagnostics() throws {
        let text = #"{"StartAt": "pass1", "States": {"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": true}}}"#
        #expect(throws: InvalidDefinition.self) { try StateMachineDefinition(parsing: text) }
        do {
            _ = try StateMachineDefinition(parsing: text)
        } catch {
            #expect(error.message == #"Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2'"#)
        }
    }

    @Test func loopWithoutTerminalState() {
        let found = diagnostics(#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}"#)
        #expect(found == [Diagnostic(code: "MISSING_END_STATE", message: "Workflow has no terminal state", location: nil)])
    }

    @Test func duplicateNamesAcrossScopes() {
        let text = #"""
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}]}}}
        """#
        #expect(diagnostics(text).contains { $0.code == "DUPLICATE_STATE_NAME" && $0.location == "/States/P/Branches[0]/States/P" })
    }

    @Test func branchScopesAreSeparate() {
        let text = #"""
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Next": "After", "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "After"}}}]}, "After": {"Type": "Succeed"}}}
        """#
        #expect(diagnostics(text).contains(Diagnostic(code: "MISSING_TRANSITION_TARGET", message: "Missing 'Next' target: After", location: "/States/P/Branches[0]/States/B/Next")))
    }

    @Test(arguments: [
        (#"{"End": true}"#, "These fields are required: [Type]", "/States/S"),
        (#"{"Type": "Nope", "End": true}"#, "The field 'Type' should have one of these values: [Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map]", "/States/S/Type"),
        (#"{"Type": "Pass"}"#, "Exactly one of these fields is required: [Next, End]", "/States/S"),
        (#"{"Type": "Pass", "End": false}"#, "The value for the field 'End' must be true", "/States/S/End"),
        (#"{"Type": "Pass", "End": true, "Retry": []}"#, "Field 'Retry' is not supported", "/States/S"),
        (#"{"Type": "Pass", "End": true, "TimeoutSeconds": 5}"#, "Field 'TimeoutSeconds' is not supported", "/States/S"),
        (#"{"Type": "Succeed", "Catch": []}"#, "Field 'Catch' is not supported", "/States/S"),
        (#"{"Type": "Pass", "End": true, "InputPath": "foo"}"#, "The value for the field 'InputPath' must be a valid JSONPath (a path must begin with '$')", "/States/S/InputPath"),
        (#"{"Type": "Pass", "End": true, "ResultPath": "$.a[*]"}"#, "The value for the field 'ResultPath' must be a valid ReferencePath", "/States/S/ResultPath"),
        (#"{"Type": "Pass", "End": true, "Parameters": {"x.$": "nope"}}"#, "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call", "/States/S/Parameters/x.$"),
        (#"{"Type": "Pass", "End": true, "Parameters": {"x.$": "States.Nope(1)"}}"#, "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call (unknown function 'States.Nope')", "/States/S/Parameters/x.$"),
        (#"{"Type": "Pass", "End": true, "Parameters": {"x.$": 5}}"#, "The value for the field 'x.$' must be a STRING that contains a JSONPath or an intrinsic function", "/States/S/Parameters/x.$"),
        (#"{"Type": "Task", "End": true}"#, "These fields are required: [Resource]", "/States/S"),
        (#"{"Type": "Task", "Resource": "lambda", "End": true}"#, "Value is not a valid resource ARN", "/States/S/Resource"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "TimeoutSeconds": 0, "End": true}"#, "The value for the field 'TimeoutSeconds' must be an integer greater than or equal to 1", "/States/S/TimeoutSeconds"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": true}"#, "The value for the field 'HeartbeatSeconds' must be smaller than the value for the field 'TimeoutSeconds'", "/States/S/HeartbeatSeconds"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t", "End": true}"#, "Only one of these fields is allowed: [TimeoutSeconds, TimeoutSecondsPath]", "/States/S"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}"#, "'States.ALL' must appear alone in ErrorEquals", "/States/S/Retry[0]/ErrorEquals"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true, "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]}"#, "'States.ALL' must appear in the last element of the array", "/States/S/Retry[0]/ErrorEquals"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true, "Retry": [{"ErrorEquals": []}]}"#, "The value for the field 'ErrorEquals' must be a non-empty ARRAY of STRINGs", "/States/S/Retry[0]/ErrorEquals"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true, "Retry": [{"ErrorEquals": ["States.Made"]}]}"#, "'States.Made' is not a predefined error name; error names starting with 'States.' are reserved", "/States/S/Retry[0]/ErrorEquals"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true, "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]}"#, "The value for the field 'BackoffRate' must be a number greater than or equal to 1.0", "/States/S/Retry[0]/BackoffRate"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true, "Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}]}"#, "The field 'JitterStrategy' should have one of these values: [FULL, NONE]", "/States/S/Retry[0]/JitterStrategy"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true, "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}]}"#, "The value for the field 'IntervalSeconds' must be an integer between 1 and 99999999", "/States/S/Retry[0]/IntervalSeconds"),
        (#"{"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true, "Catch": [{"ErrorEquals": ["X"]}]}"#, "These fields are required: [Next]", "/States/S/Catch[0]"),
        (#"{"Type": "Wait", "End": true}"#, "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]", "/States/S"),
        (#"{"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}"#, "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]", "/States/S"),
        (#"{"Type": "Wait", "Timestamp": "tomorrow", "End": true}"#, "The value for the field 'Timestamp' must be a valid RFC 3339 timestamp", "/States/S/Timestamp"),
        (#"{"Type": "Wait", "Seconds": -1, "End": true}"#, "The value for the field 'Seconds' must be an integer between 0 and 99999999", "/States/S/Seconds"),
        (#"{"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}"#, "Only one of these fields is allowed: [Error, ErrorPath]", "/States/S"),
        (#"{"Type": "Choice", "Default": "S"}"#, "These fields are required: [Choices]", "/States/S"),
        (#"{"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": "1", "Next": "S"}], "Default": "T"}"#, "The value for the field 'NumericEquals' must be a NUMBER", "/States/S/Choices[0]/NumericEquals"),
        (#"{"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "S"}], "Default": "T"}"#, "A choice rule must have a comparison operator, And, Or or Not", "/States/S/Choices[0]"),
        (#"{"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEquals": "a", "IsNull": true, "Next": "S"}], "Default": "T"}"#, "A choice rule must have exactly one comparison operator, And, Or or Not; found [StringEquals, IsNull]", "/States/S/Choices[0]"),
        (#"{"Type": "Choice", "Choices": [{"StringEquals": "a", "Next": "S"}], "Default": "T"}"#, "These fields are required: [Variable]", "/States/S/Choices[0]"),
        (#"{"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsNull": true, "Next": "S"}, "Next": "S"}], "Default": "T"}"#, "Field 'Next' is not supported in a nested choice rule", "/States/S/Choices[0]/Not"),
        (#"{"Type": "Choice", "Choices": [{"Variable": "$.x", "StringMatchez": "a", "Next": "S"}], "Default": "T"}"#, "Field 'StringMatchez' is not supported", "/States/S/Choices[0]"),
        (#"{"Type": "Parallel", "End": true, "Branches": []}"#, "The value for the field 'Branches' must be a non-empty ARRAY", "/States/S/Branches"),
        (#"{"Type": "Map", "End": true}"#, "These fields are required: [ItemProcessor]", "/States/S"),
        (#"{"Type": "Map", "End": true, "ToleratedFailurePercentage": 120, "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "The value for the field 'ToleratedFailurePercentage' must be between 0 and 100", "/States/S/ToleratedFailurePercentage"),
        (#"{"Type": "Map", "End": true, "ItemReader": {}, "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "Field 'ItemReader' is only supported when 'Mode' is 'DISTRIBUTED'", "/States/S"),
        (#"{"Type": "Map", "End": true, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "These fields are required: [ExecutionType]", "/States/S/ItemProcessor/ProcessorConfig"),
        (#"{"Type": "Map", "End": true, "ItemProcessor": {"ProcessorConfig": {"Mode": "SPREAD"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]", "/States/S/ItemProcessor/ProcessorConfig/Mode"),
        (#"{"Type": "Map", "End": true, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "FAST"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]", "/States/S/ItemProcessor/ProcessorConfig/ExecutionType"),
        (#"{"Type": "Map", "End": true, "Label": "a-label-that-is-much-longer-than-forty-chars", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "The value for the field 'Label' must be at most 40 characters long", "/States/S/Label"),
        (#"{"Type": "Map", "End": true, "Label": "two words", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "The value for the field 'Label' must not contain whitespace, brackets, wildcards, special characters or control characters", "/States/S/Label"),
        (#"{"Type": "Map", "End": true, "ItemBatcher": {"MaxInputBytesPerBatch": 262145}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "The value for the field 'MaxInputBytesPerBatch' must be less than or equal to 262144", "/States/S/ItemBatcher/MaxInputBytesPerBatch"),
        (#"{"Type": "Map", "End": true, "ItemBatcher": {"BatchInput": {}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "At least one of these fields is required: [MaxItemsPerBatch, MaxItemsPerBatchPath, MaxInputBytesPerBatch, MaxInputBytesPerBatchPath]", "/States/S/ItemBatcher"),
        (#"{"Type": "Map", "End": true, "ItemBatcher": {"MaxItemsPerBatch": 0}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "The value for the field 'MaxItemsPerBatch' must be an integer greater than or equal to 1", "/States/S/ItemBatcher/MaxItemsPerBatch"),
        (#"{"Type": "Map", "End": true, "ItemBatcher": {"MaxItemsPerBatch": 2}, "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}"#, "Field 'ItemBatcher' is only supported when 'Mode' is 'DISTRIBUTED'", "/States/S"),
    ])
    func schemaErrors(state: String, message: String, location: String) {
        let text = machine(state, extraStates: #""T": {"Type": "Succeed"}"#)
        let found = diagnostics(text)
        #expect(found.contains(Diagnostic(code: "SCHEMA_VALIDATION_FAILED", message: message, location: location)), "got \(found)")
    }

    /// JSONata is supported now (issue #17, JSONataStateTests); a language that is neither is refused.
    @Test func unknownQueryLanguageIsRefusedClearly() {
        expectOne(#"{"QueryLanguage": "XPath", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#, code: "SCHEMA_VALIDATION_FAILED",
                  message: "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]", location: "/QueryLanguage")
        #expect(StateMachineDefinition.validate(#"{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#).result == "OK")
    }

    @Test func definitionCodableRoundTrip() throws {
        let definition = try StateMachineDefinition(parsing: OrderSaga.definition)
        let data = try JSONEncoderShim.encode(definition)
        let decoded = try JSONEncoderShim.decode(StateMachineDefinition.self, data)
        #expect(decoded.source == definition.source)
        #expect(decoded.states == definition.states)
    }
}
