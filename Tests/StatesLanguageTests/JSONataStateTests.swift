import JSON
import StatesLanguage
import Testing

/// JSONata states and workflow variables, with the examples of the Step Functions developer
/// guide's "Transforming data with JSONata" and "Passing data between states with variables".
@Suite struct JSONataStateTests {
    func jsonataMachine(_ states: String, startAt: String = "S") -> String {
        #"{"QueryLanguage": "JSONata", "StartAt": "\#(startAt)", "States": {\#(states)}}"#
    }

    @Test func argumentsFromTheGuidesConversionExample() throws {
        // The guide's sample: a JSONPath Parameters block and its JSONata Arguments give the
        // same JSON with input {"title": "Doctor"} and customerName assigned "María".
        let definition = jsonataMachine(#"""
        "Name": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "S"},
        "S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {
            "static": "Hello", "title": "{% $states.input.title %}", "name": "{% $customerName %}",
            "not-evaluated": "$customerName"}, "End": true}
        """#, startAt: "Name")
        var run = try Harness(definition, input: ["title": "Doctor"])
        let token = try #require(run.token(for: "lambda:invoke"))
        #expect(run.tasks[token]?.input == ["static": "Hello", "title": "Doctor", "name": "María", "not-evaluated": "$customerName"])
        try run.succeed("lambda:invoke", output: ["ok": true])
        #expect(run.succeededOutput == ["ok": true])
    }

    @Test func outputSeesResultAndDefaultsToIt() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Output": {"total": "{% $sum($states.result.items.price) %}", "orderId": "{% $states.input.orderId %}"}, "End": true}
        """#)
        var run = try Harness(definition, input: ["orderId": "o-1"])
        let token = try #require(run.token(for: "lambda:invoke"))
        #expect(run.tasks[token]?.input == ["orderId": "o-1"])
        try run.succeed("lambda:invoke", output: ["items": [["price": 5], ["price": 7.5]]])
        #expect(run.succeededOutput == ["total": 12.5, "orderId": "o-1"])
    }

    @Test func passOutputAndChoiceConditions() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.age >= 18 %}", "Next": "Adult", "Output": {"who": "{% $states.input.name %}"}},
                {"Condition": false, "Next": "Minor"}],
              "Default": "Minor"},
        "Adult": {"Type": "Pass", "Output": "{% 'Welcome, ' & $states.input.who %}", "End": true},
        "Minor": {"Type": "Succeed", "Output": {"minor": true}}
        """#)
        #expect(try Harness(definition, input: ["age": 30, "name": "Ada"]).succeededOutput == "Welcome, Ada")
        #expect(try Harness(definition, input: ["age": 12, "name": "Bo"]).succeededOutput == ["minor": true])
    }

    @Test func assignSeesTheValuesFromBeforeTheState() throws {
        // Every Assign expression of a state, and its Output, read the variables as they were
        // when the state began.
        let definition = jsonataMachine(#"""
        "S": {"Type": "Pass", "Assign": {"x": 1, "y": 10}, "Next": "T"},
        "T": {"Type": "Pass", "Assign": {"x": "{% $x + 1 %}", "y": "{% $x %}"}, "Output": {"x": "{% $x %}"}, "Next": "U"},
        "U": {"Type": "Pass", "Output": {"x": "{% $x %}", "y": "{% $y %}"}, "End": true}
        """#)
        let run = try Harness(definition)
        #expect(run.succeededOutput == ["x": 2, "y": 1])
        #expect(run.detail("PassStateExited", "output", 1) == #"{"x":1}"#)
        #expect(run.detail("PassStateExited", "assignedVariables", 1) == ["x": "2", "y": "1"])
        #expect(run.detail("PassStateExited", "assignedVariablesDetails", 1) == ["truncated": false])
        #expect(run.detail("PassStateExited", "assignedVariables", 2) == nil)
    }

    @Test func jsonPathStatesAssignAndJSONataStatesReadThem() throws {
        let definition = #"""
        {"StartAt": "P", "States": {
          "P": {"Type": "Pass", "Parameters": {"id.$": "$.orderId"}, "Assign": {"order.$": "$.id", "fixed": 3}, "Next": "Q"},
          "Q": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $order & '/' & $fixed %}", "End": true}}}
        """#
        let run = try Harness(definition, input: ["orderId": "o-9"])
        #expect(run.succeededOutput == "o-9/3")
        #expect(run.detail("PassStateExited", "assignedVariables") == ["order": #""o-9""#, "fixed": "3"])
    }

    @Test func catchOutputSeesTheErrorOutput() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed",
                         "Output": {"error": "{% $states.errorOutput.Error %}", "input": "{% $states.input %}"},
                         "Assign": {"lastError": "{% $states.errorOutput.Cause %}"}}], "End": true},
        "Failed": {"Type": "Pass", "Output": {"seen": "{% $states.input.error %}", "cause": "{% $lastError %}"}, "End": true}
        """#)
        var run = try Harness(definition, input: ["n": 1])
        try run.failTask("lambda:invoke", error: "Boom", cause: "it broke")
        #expect(run.succeededOutput == ["seen": "Boom", "cause": "it broke"])
    }

    @Test func mapItemsAndItemSelector() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Map", "Items": "{% $states.input.animals %}",
              "ItemSelector": {"animalName": "{% $states.context.Map.Item.Value %}", "index": "{% $states.context.Map.Item.Index %}"},
              "ItemProcessor": {"StartAt": "NoOp", "States": {"NoOp": {"Type": "Pass", "End": true}}},
              "Output": {"processResults": "{% $states.result %}"}, "End": true}
        """#)
        let run = try Harness(definition, input: ["animals": ["Lion", "Cheetah"]])
        #expect(run.succeededOutput == json(#"{"processResults":[{"animalName":"Lion","index":0},{"animalName":"Cheetah","index":1}]}"#))
    }

    @Test func stepFunctionsFunctions() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Pass", "Output": {
            "partition": "{% $partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3) %}",
            "range": "{% $range(0, 10, 2) %}",
            "hash": "{% $hash('input data', 'SHA-256') %}",
            "parsed": "{% $parse('{\"a\": [1, 2]}') %}",
            "seeded": "{% $random(7) = $random(7) %}",
            "uuidLength": "{% $length($uuid()) %}"}, "End": true}
        """#)
        let output = try #require(try Harness(definition).succeededOutput)
        #expect(output["partition"] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        #expect(output["range"] == [0, 2, 4, 6, 8, 10])
        #expect(output["hash"] == "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")
        #expect(output["parsed"] == ["a": [1, 2]])
        #expect(output["seeded"] == true)
        #expect(output["uuidLength"] == 36)
    }

    @Test func runtimeErrorsNameTheExpressionAndTheField() throws {
        let failing = try Harness(jsonataMachine(#""S": {"Type": "Pass", "Output": {"v": "{% $abs('x') %}"}, "End": true}"#))
        #expect(failing.failure?.error == "States.QueryEvaluationError")
        #expect(failing.failure?.cause == #"The JSONata expression '$abs('x')' specified for the field 'Output/v' threw an error during evaluation. T0410: Argument 1 of function "abs" does not match function signature"#)
        let nothing = try Harness(jsonataMachine(#""S": {"Type": "Pass", "Output": "{% $states.input.missing %}", "End": true}"#))
        #expect(nothing.failure?.cause == "The JSONata expression '$states.input.missing' specified for the field 'Output' returned nothing (undefined).")
        let caught = try Harness(jsonataMachine(#"""
        "S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": "{% $number('x') %}",
              "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "T"}], "End": true},
        "T": {"Type": "Pass", "End": true}
        """#))
        #expect(caught.succeededOutput?["Error"] == "States.QueryEvaluationError")
    }

    @Test func definitionsAWSRefuses() throws {
        func diagnostics(_ text: String) -> [String] {
            StateMachineDefinition.validate(text).diagnostics.map(\.description)
        }
        #expect(diagnostics(jsonataMachine(#""S": {"Type": "Pass", "Output": "{% 1 + %}", "End": true}"#))
                == ["INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/S/Output"])
        #expect(diagnostics(jsonataMachine(#""S": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": true}"#))
                == ["UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/S/Output/v"])
        #expect(diagnostics(machine(#"{"Type": "Pass", "Output": {"a": 1}, "End": true}"#))
                == ["SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage at /States/S"])
        #expect(diagnostics(jsonataMachine(#""S": {"Type": "Pass", "InputPath": "$.a", "End": true}"#))
                == ["SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage at /States/S"])
        #expect(diagnostics(jsonataMachine(#""S": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}"#))
                == ["SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine at /States/S"])
        #expect(diagnostics(jsonataMachine(#""S": {"Type": "Pass", "Assign": {"9lives": 1}, "End": true}"#)).count == 1)
        #expect(diagnostics(jsonataMachine(#""S": {"Type": "Succeed", "Assign": {"x": 1}}"#)) == ["SCHEMA_VALIDATION_FAILED: Field 'Assign' is not supported at /States/S"])
    }

    @Test func assignOverItsSizeLimitFails() throws {
        let run = try Harness(jsonataMachine(#""S": {"Type": "Pass", "Assign": {"big": "{% $pad('', 270000, 'x') %}"}, "End": true}"#))
        #expect(run.failure?.error == "States.Runtime")
    }

    @Test func waitSecondsFromAnExpression() throws {
        var run = try Harness(jsonataMachine(#""S": {"Type": "Wait", "Seconds": "{% $states.input.delay * 2 %}", "Assign": {"waited": true}, "End": true}"#),
                              input: ["delay": 5])
        #expect(run.timers.count == 1)
        try run.fireNextTimer()
        #expect(run.succeededOutput == ["delay": 5])
        #expect(run.detail("WaitStateExited", "assignedVariables") == ["waited": "true"])
        #expect(run.clock == Harness.epoch.addingTimeInterval(10))
    }
}
