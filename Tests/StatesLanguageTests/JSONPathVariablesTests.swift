import JSON
import StatesLanguage
import Testing

/// Workflow variables read from JSONPath states (`$name`, `$name.field`), as AWS's "Passing
/// data between states with variables" page documents: in Parameters, ResultSelector,
/// ItemSelector, Assign, Choice rules, the `…Path` fields and intrinsic arguments.
@Suite struct JSONPathVariablesTests {
    @Test func pathsParseAVariableRoot() throws {
        let path = try JSONPath("$order.items[0]['sku']")
        #expect(path.variable == "order")
        #expect(path.normalized == "$order['items'][0]['sku']")
        #expect(!path.isReferencePath)
        let variables: JSONObject = ["order": ["items": [["sku": "A-1"]]]]
        #expect(path.select(in: [:], context: .null, variables: variables) == "A-1")
        #expect(path.select(in: [:], context: .null, variables: [:]) == nil)
        #expect(try JSONPath("$_x2").variable == "_x2")
        #expect(try JSONPath("$.a").variable == nil)
    }

    @Test func parametersResultSelectorAndChoiceReadVariables() throws {
        let definition = #"""
        {"StartAt": "Set", "States": {
          "Set": {"Type": "Pass", "Assign": {"limit": 2, "customer": {"name": "Lin", "tier": "gold"}}, "Next": "Use"},
          "Use": {"Type": "Pass", "Parameters": {"who.$": "$customer.name", "max.$": "$limit",
                  "line.$": "States.Format('{} may order {}', $customer.name, $limit)"},
                  "Next": "Fan"},
          "Fan": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}],
                  "ResultSelector": {"first.$": "$[0].who", "cap.$": "$limit"}, "ResultPath": "$.fan", "Next": "Pick"},
          "Pick": {"Type": "Choice", "Choices": [
              {"Variable": "$customer.tier", "StringEquals": "gold", "Next": "Gold"}], "Default": "Other"},
          "Gold": {"Type": "Pass", "InputPath": "$customer", "Assign": {"seen.$": "$limit"}, "Next": "Done"},
          "Other": {"Type": "Fail", "Error": "Other"},
          "Done": {"Type": "Pass", "Parameters": {"seen.$": "$seen", "tier.$": "$.tier"}, "End": true}}}
        """#
        let run = try Harness(definition, input: ["ignored": 0])
        #expect(run.succeededOutput == ["seen": 2, "tier": "gold"])
        #expect(run.detail("PassStateExited", "output", 1) == #"{"who":"Lin","max":2,"line":"Lin may order 2"}"#)
        #expect(run.detail("ParallelStateExited", "output") == #"{"who":"Lin","max":2,"line":"Lin may order 2","fan":{"first":"Lin","cap":2}}"#)
    }

    @Test func choiceComparesAgainstAVariablePath() throws {
        let definition = #"""
        {"StartAt": "Set", "States": {
          "Set": {"Type": "Pass", "Assign": {"threshold": 10}, "Next": "Pick"},
          "Pick": {"Type": "Choice", "Choices": [
              {"Variable": "$.amount", "NumericGreaterThanPath": "$threshold", "Next": "Big"}], "Default": "Small"},
          "Big": {"Type": "Succeed"}, "Small": {"Type": "Fail", "Error": "Small"}}}
        """#
        #expect(try Harness(definition, input: ["amount": 11]).execution.status == .succeeded)
        #expect(try Harness(definition, input: ["amount": 9]).failure?.error == "Small")
    }

    @Test func itemsPathAndItemSelectorReadVariables() throws {
        let definition = #"""
        {"StartAt": "Set", "States": {
          "Set": {"Type": "Pass", "Assign": {"skus": ["a", "b"], "tag": "t"}, "Next": "Each"},
          "Each": {"Type": "Map", "ItemsPath": "$skus",
                   "ItemSelector": {"sku.$": "$$.Map.Item.Value", "tag.$": "$tag"},
                   "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}
        """#
        let run = try Harness(definition)
        #expect(run.succeededOutput == [["sku": "a", "tag": "t"], ["sku": "b", "tag": "t"]])
    }

    @Test func anUnsetVariableIsAMissingPath() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "Parameters": {"x.$": "$nothing"}, "End": true}"#))
        #expect(run.failure?.error == "States.Runtime")
        #expect(run.failure?.cause?.hasSuffix("The JSONPath '$nothing' specified for the field 'x.$' could not be found in the input '{}'") == true)
    }

    @Test func aVariableIsNotAResultPath() {
        #expect(throws: (any Error).self) {
            try StateMachineDefinition(parsing: machine(#"{"Type": "Pass", "ResultPath": "$x", "End": true}"#))
        }
    }
}

/// The context object and path details AWS records (issue #17).
@Suite struct ContextAndPathDetailsTests {
    @Test func inputPathAndOutputPathReadTheContextObject() throws {
        let whole = try Harness(machine(#"{"Type": "Pass", "InputPath": "$$", "OutputPath": "$.Execution.Name", "End": true}"#), input: ["a": 1])
        #expect(whole.succeededOutput == "run-1")
        let input = try Harness(machine(#"{"Type": "Pass", "Result": 1, "ResultPath": "$.r", "OutputPath": "$$.Execution.Input", "End": true}"#), input: ["a": 1])
        #expect(input.succeededOutput == ["a": 1])
    }

    @Test func passStateContextHasOnlyNameAndEnteredTime() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "Parameters": {"state.$": "$$.State"}, "End": true}"#))
        #expect(run.succeededOutput == ["state": ["EnteredTime": "2027-01-15T08:00:00.000Z", "Name": "S"]])
    }

    @Test func bracketNotationWithEscapedQuotes() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "Parameters": {"v.$": "$['a\\\"b']", "w.$": "$[\"it's\"]", "f.$": "States.Format('{}', $['a\\'q'])"}, "End": true}"#),
                              input: ["a\"b": 1, "it's": 2, "a'q": 3])
        #expect(run.succeededOutput == ["v": 1, "w": 2, "f": "3"])
    }

    @Test func outputPathThatSelectsNothingNamesTheEnteredEvent() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "OutputPath": "$.Payload", "End": true}"#), input: ["a": 1])
        #expect(run.failure?.cause == "An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.Payload' : No results for path: $['Payload']")
    }

    @Test func choiceWithAMissingVariableNamesTheEnteredEvent() throws {
        let run = try Harness(machine(#"{"Type": "Choice", "Choices": [{"Variable": "$.kind", "StringEquals": "x", "Next": "T"}]}"#,
                                      extraStates: #""T": {"Type": "Succeed"}"#), input: [:])
        #expect(run.failure?.cause == "An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.kind': The choice state's condition path references an invalid value.")
    }

    @Test func mapMaxConcurrencyPathCauses() throws {
        func map(_ input: JSONValue) throws -> StatesError? {
            try Harness(machine(#"{"Type": "Map", "MaxConcurrencyPath": "$.m", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "ItemsPath": "$.items", "End": true}"#),
                        input: input).failure
        }
        #expect(try map(["m": "x", "items": [1]])?.cause == #"The MaxConcurrencyPath field refers to value "x" which is not a valid integer: $.m"#)
        #expect(try map(["m": -1, "items": [1]])?.cause == "Expected non-negative integer for MaxConcurrency, got '-1' instead.")
        #expect(try map(["m": 1, "items": [1]]) == nil)
    }
}
