import JSON
import StatesLanguage
import Testing

/// What `$states` holds in each JSONata field. The interpreter builds `$states.context` only
/// for expressions that may read it; these check that no expression can tell: every way of
/// reading it sees the same context object, members in the same order, in any field.
@Suite struct JSONataScopeTests {
    func jsonataMachine(_ states: String) -> String {
        #"{"QueryLanguage": "JSONata", "StartAt": "S", "States": {\#(states)}}"#
    }

    @Test func statesAsAWholeHasItsMembersInOrderInEveryField() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"keys": "{% $keys($states) %}"},
              "Output": {"keys": "{% $keys($states) %}", "args": "{% $states.result %}"},
              "Assign": {"seen": "{% $keys($states) %}"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:fail",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "U",
                         "Output": {"keys": "{% $keys($states) %}", "before": "{% $seen %}", "previous": "{% $states.input %}"}}], "End": true},
        "U": {"Type": "Pass", "End": true}
        """#)
        var run = try Harness(definition)
        let token = try #require(run.token(for: "lambda:invoke"))
        #expect(run.tasks[token]?.input == ["keys": ["input", "context"]])
        try run.succeed("lambda:invoke", output: ["ok": true])
        try run.failTask("lambda:fail", error: "Boom", cause: "no")
        let output = try #require(run.succeededOutput)
        #expect(output["keys"] == ["input", "context", "errorOutput"])
        #expect(output["before"] == ["input", "context", "result"])
        #expect(output["previous"] == ["keys": ["input", "context", "result"], "args": ["ok": true]])
    }

    @Test func contextReadInOneMemberOfATemplateHasTheTaskToken() throws {
        // Arguments whose first member does not read the context and whose second does: the
        // context is added between them, with the task's token.
        let definition = jsonataMachine(#"""
        "S": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
              "Arguments": {"first": "{% $states.input.n %}", "token": "{% $states.context.Task.Token %}",
                            "state": "{% $states.context.State.Name %}", "again": "{% $states.context.Task.Token %}",
                            "whole": "{% $states.context.Execution.Name & ' ' & $string($states.input) %}"},
              "End": true}
        """#)
        let run = try Harness(definition, input: ["n": 1])
        let token = try #require(run.token(for: "sendMessage.waitForTaskToken"))
        #expect(run.tasks[token]?.input == ["first": 1, "token": .string(token), "state": "S", "again": .string(token),
                                            "whole": #"run-1 {"n":1}"#])
    }

    @Test func contextThroughAnotherNameOrAFunctionIsTheSame() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Pass", "Output": {
            "direct": "{% $states.context.Execution.Id %}",
            "bound": "{% ($s := $states; $s.context.Execution.Id) %}",
            "lookup": "{% $lookup($lookup($states, 'context').Execution, 'Id') %}",
            "state": "{% $states.context.State %}"}, "End": true}
        """#)
        let output = try #require(try Harness(definition).succeededOutput)
        let id: JSONValue = .string(Harness.context.executionArn)
        #expect(output["direct"] == id)
        #expect(output["bound"] == id)
        #expect(output["lookup"] == id)
        // A Pass state's `$states.context.State` has only EnteredTime and Name, as in JSONPath.
        #expect(output["state"]?.objectValue?.keys.sorted() == ["EnteredTime", "Name"])
    }

    @Test func aFailingExpressionDeepInATemplateNamesItsPlace() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Pass", "Output": {"a": {"list": [1, {"v": "{% $states.input.nothing %}"}]}}, "End": true}
        """#)
        #expect(try Harness(definition).failure?.cause
                == "The JSONata expression '$states.input.nothing' specified for the field 'Output/a/list[1]/v' returned nothing (undefined).")
        let assign = jsonataMachine(#"""
        "S": {"Type": "Pass", "Assign": {"x": 1, "y": ["{% $number('q') %}"]}, "End": true}
        """#)
        #expect(try Harness(assign).failure?.cause
                == #"The JSONata expression '$number('q')' specified for the field 'Assign/y[0]' threw an error during evaluation. D3030: Unable to cast value to a number: "q""#)
    }

    @Test func eachExpressionSeesTheVariablesItNamesAsTheyWereWhenTheStateBegan() throws {
        let definition = jsonataMachine(#"""
        "S": {"Type": "Pass", "Assign": {"a": 1, "b": {"c": 2}, "unused": [1, 2, 3]}, "Next": "T"},
        "T": {"Type": "Pass", "Assign": {"a": "{% $a + $b.c %}", "b": {"c": "{% $a %}"}},
              "Output": {"total": "{% $a + $b.c %}", "builtin": "{% $sum([$a, $b.c]) %}"}, "Next": "U"},
        "U": {"Type": "Pass", "Output": {"before": "{% $states.input %}", "a": "{% $a %}", "b": "{% $b %}",
                                         "unused": "{% $unused %}", "missing": "{% $exists($nope) %}"}, "End": true}
        """#)
        #expect(try Harness(definition).succeededOutput
                == ["before": ["total": 3, "builtin": 3], "a": 3, "b": ["c": 1], "unused": [1, 2, 3], "missing": false])
    }
}
