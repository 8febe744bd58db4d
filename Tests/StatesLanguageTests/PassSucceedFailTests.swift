import JSON
import StatesLanguage
import Testing

/// Pass, Succeed and Fail, and the path rules every state shares.
@Suite struct PassSucceedFailTests {
    @Test func passResultIntoResultPathThenOutputPath() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "OutputPath": "$.r", "End": true}"#),
                              input: ["a": 1])
        #expect(run.succeededOutput == ["x": 1])
        #expect(run.types == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"])
        #expect(run.detail("PassStateExited", "output") == #"{"x":1}"#)
        #expect(run.detail("ExecutionSucceeded", "outputDetails") == ["truncated": false])
    }

    @Test func resultPathMergesIntoNestedObjects() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "Result": "v", "ResultPath": "$.a.b.c", "End": true}"#), input: ["a": ["keep": true]])
        #expect(run.succeededOutput == ["a": ["keep": true, "b": ["c": "v"]]])
    }

    @Test func nullPathsDiscard() throws {
        let discardInput = try Harness(machine(#"{"Type": "Pass", "InputPath": null, "End": true}"#), input: ["a": 1])
        #expect(discardInput.succeededOutput == [:])
        let discardResult = try Harness(machine(#"{"Type": "Pass", "Result": 5, "ResultPath": null, "End": true}"#), input: ["a": 1])
        #expect(discardResult.succeededOutput == ["a": 1])
        let discardOutput = try Harness(machine(#"{"Type": "Pass", "OutputPath": null, "End": true}"#), input: ["a": 1])
        #expect(discardOutput.succeededOutput == [:])
    }

    @Test func inputPathSelectsAndIndefinitePathsGiveArrays() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "InputPath": "$.items[*].id", "End": true}"#),
                              input: ["items": [["id": 1], ["id": 2], ["other": 3]]])
        #expect(run.succeededOutput == [1, 2])
    }

    @Test func parametersUsePathsContextAndIntrinsics() throws {
        let state = #"""
        {"Type": "Pass", "Parameters": {
            "static": "s", "order.$": "$.orderId", "exec.$": "$$.Execution.Name", "state.$": "$$.State.Name",
            "msg.$": "States.Format('order {} x{}', $.orderId, $.qty)", "nested": {"q.$": "$.qty", "list": [{"n.$": "$.qty"}]}},
         "End": true}
        """#
        let run = try Harness(machine(state), input: ["orderId": "o-1", "qty": 3])
        #expect(run.succeededOutput == ["static": "s", "order": "o-1", "exec": "run-1", "state": "S", "msg": "order o-1 x3",
                                        "nested": ["q": 3, "list": [["n": 3]]]])
    }

    @Test func inputPathThatSelectsNothingIsRuntimeError() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "InputPath": "$.missing", "End": true}"#), input: ["a": 1])
        #expect(run.execution.status == .failed)
        #expect(run.failure?.error == "States.Runtime")
        #expect(run.failure?.cause?.contains("Invalid path '$.missing'") == true)
        #expect(run.types.last == "ExecutionFailed")
        #expect(run.detail("ExecutionFailed", "error") == "States.Runtime")
    }

    @Test func outputPathThatSelectsNothingIsRuntimeError() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "OutputPath": "$.nope", "End": true}"#), input: ["a": 1])
        #expect(run.failure?.error == "States.Runtime")
    }

    /// AWS fails a missing Parameters path with States.Runtime, naming the state and the event
    /// that entered it (issue #17; AWS's text as the Step Functions workshop shows it).
    @Test func missingParametersPathIsRuntimeError() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "End": true}"#), input: ["a": 1])
        #expect(run.failure?.error == "States.Runtime")
        #expect(run.failure?.cause == #"An error occurred while executing the state 'S' (entered at the event id #2). The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input '{"a":1}'"#)
    }

    @Test func resultPathMatchFailure() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "Result": 1, "ResultPath": "$.a.b", "End": true}"#), input: ["a": "text"])
        #expect(run.failure?.error == "States.ResultPathMatchFailure")
    }

    @Test func intrinsicFailureFailsTheState() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "Parameters": {"x.$": "States.ArrayGetItem($.list, 5)"}, "End": true}"#), input: ["list": [1]])
        #expect(run.failure?.error == "States.IntrinsicFailure")
    }

    @Test func succeedAppliesPathsAndEnds() throws {
        let definition = machine(#"{"Type": "Pass", "Next": "Done"}"#, extraStates: #""Done": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}"#)
        let run = try Harness(definition, input: ["a": ["b": 42]])
        #expect(run.succeededOutput == 42)
        #expect(run.types == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"])
    }

    @Test func failWithErrorAndCause() throws {
        let run = try Harness(machine(#"{"Type": "Fail", "Error": "OrderRejected", "Cause": "out of stock"}"#))
        #expect(run.types == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"])
        #expect(run.detail("ExecutionFailed", "error") == "OrderRejected")
        #expect(run.detail("ExecutionFailed", "cause") == "out of stock")
        #expect(run.execution.failure == StatesError("OrderRejected", "out of stock"))
    }

    @Test func failWithPaths() throws {
        let state = #"{"Type": "Fail", "ErrorPath": "$.code", "CausePath": "States.Format('order {} failed', $.id)"}"#
        let run = try Harness(machine(state), input: ["code": "E42", "id": "o-7"])
        #expect(run.failure == StatesError("E42", "order o-7 failed"))
        let bad = try Harness(machine(#"{"Type": "Fail", "ErrorPath": "$.code"}"#), input: ["code": 5])
        #expect(bad.failure?.error == "States.Runtime")
        let missing = try Harness(machine(#"{"Type": "Fail", "ErrorPath": "$.nope", "CausePath": "$.id"}"#), input: ["other": 1])
        #expect(missing.failure?.cause == #"An error occurred while executing the state 'S' (entered at the event id #2). The JSONPath '$.nope' specified for the field 'ErrorPath' could not be found in the input '{"other":1}'"#)
        let noCause = try Harness(machine(#"{"Type": "Fail", "Error": "E", "CausePath": "$.why"}"#), input: [:])
        #expect(noCause.failure?.cause?.hasSuffix("The JSONPath '$.why' specified for the field 'CausePath' could not be found in the input '{}'") == true)
    }

    @Test func failWithoutErrorLeavesDetailsEmpty() throws {
        let run = try Harness(machine(#"{"Type": "Fail"}"#))
        #expect(run.event("ExecutionFailed")?.details == [:])
    }

    @Test func outputOverThePayloadLimitFails() throws {
        let big = String(repeating: "x", count: Execution.payloadLimit)
        let run = try Harness(machine(#"{"Type": "Pass", "End": true}"#), input: ["blob": .string(big)])
        #expect(run.failure?.error == "States.DataLimitExceeded")
    }

    @Test func historyEventLimitEndsARunawayLoop() throws {
        let definition = #"""
        {"StartAt": "Inc", "States": {
          "Inc": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Loop"},
          "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 1000000, "Next": "Inc"}], "Default": "End"},
          "End": {"Type": "Succeed"}}}
        """#
        let run = try Harness(definition, input: ["n": 0])
        #expect(run.execution.status == .failed)
        #expect(run.failure?.error == "States.Runtime")
        #expect(run.history.count <= Execution.historyEventLimit)
    }
}
