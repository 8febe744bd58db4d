#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import StatesLanguage
import Testing

/// Parallel and inline Map: fan-out, results in order, failure propagation, concurrency,
/// tolerated failures.
@Suite struct ParallelMapTests {
    static let activity = "arn:aws:states:us-east-1:123456789012:activity:"

    @Test func parallelCollectsBranchOutputsInOrder() throws {
        let definition = #"""
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "ResultPath": "$.results", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "\#(Self.activity)a", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": true}}}]}}}
        """#
        var run = try Harness(definition, input: ["id": 1])
        #expect(run.types.prefix(3) == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"])
        #expect(run.execution.status == .running)
        try run.succeed(":a", output: "a")
        #expect(run.succeededOutput == ["id": 1, "results": ["a", "b"]])
        #expect(run.types.suffix(3) == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"])
        let started = try #require(run.event("ParallelStateStarted"))
        let branchEntries = run.history.filter { $0.type.hasSuffix("StateEntered") && $0.details?["name"] != "P" }
        #expect(branchEntries.allSatisfy { $0.previousEventId == started.id })
    }

    @Test func parallelBranchFailureCancelsTheOthersAndIsCatchable() throws {
        let definition = #"""
        {"StartAt": "P", "States": {
          "P": {"Type": "Parallel", "Next": "Done", "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.err", "Next": "Recover"}], "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "\#(Self.activity)a", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "\#(Self.activity)b", "TimeoutSeconds": 100, "End": true}}}]},
          "Recover": {"Type": "Pass", "End": true},
          "Done": {"Type": "Succeed"}}}
        """#
        var run = try Harness(definition, input: ["id": 1])
        let other = try #require(run.token(for: ":b"))
        try run.failTask(":a", error: "Boom", cause: "bad")
        #expect(run.tasks[other] == nil, "the sibling task is withdrawn")
        #expect(run.timers.isEmpty)
        #expect(run.succeededOutput == ["id": 1, "err": ["Error": "Boom", "Cause": "bad"]])
        #expect(run.types.contains("ParallelStateFailed"))
    }

    @Test func parallelWithParametersAndResultSelector() throws {
        let definition = #"""
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Parameters": {"x.$": "$.x"}, "ResultSelector": {"first.$": "$[0]"}, "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": 2, "End": true}}}]}}}
        """#
        let run = try Harness(definition, input: ["x": 1, "y": 2])
        #expect(run.succeededOutput == ["first": ["x": 1]])
    }

    @Test func mapRunsEveryItemWithSelectorAndContext() throws {
        let definition = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": true,
            "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value", "order.$": "$.order"},
            "ItemProcessor": {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Parameters": {"i.$": "$.index", "v.$": "States.MathAdd($.value, $.value)", "o.$": "$.order"}, "End": true}}}}}}
        """#
        let run = try Harness(definition, input: ["order": "o-1", "items": [1, 2, 3]])
        #expect(run.succeededOutput == [["i": 0, "v": 2, "o": "o-1"], ["i": 1, "v": 4, "o": "o-1"], ["i": 2, "v": 6, "o": "o-1"]])
        #expect(run.detail("MapStateStarted", "length") == 3)
        #expect(run.history.filter { $0.type == "MapIterationStarted" }.map { $0.details?["index"] } == [0, 1, 2])
        #expect(run.detail("MapIterationStarted", "name") == "M")
        #expect(run.types.filter { $0 == "MapIterationSucceeded" }.count == 3)
        #expect(run.types.suffix(3) == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"])
    }

    @Test func legacyIteratorAndParameters() throws {
        let definition = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "Parameters": {"v.$": "$$.Map.Item.Value"}, "End": true,
            "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.v", "End": true}}}}}}
        """#
        let run = try Harness(definition, input: ["a", "b"])
        #expect(run.succeededOutput == ["a", "b"])
    }

    @Test func emptyMapSucceedsAtOnce() throws {
        let definition = #"{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#
        let run = try Harness(definition, input: [])
        #expect(run.succeededOutput == [])
        #expect(run.detail("MapStateStarted", "length") == 0)
    }

    @Test func maxConcurrencyLimitsRunningIterations() throws {
        let definition = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2, "End": true,
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(Self.activity)w", "End": true}}}}}}
        """#
        var run = try Harness(definition, input: [10, 20, 30, 40, 50])
        var outputs: [JSONValue] = []
        while run.execution.status == .running {
            #expect(run.tasks.count <= 2)
            let token = try #require(run.taskOrder.first)
            let input = try #require(run.tasks[token]?.input)
            outputs.append(input)
            try run.succeed(":w", output: input)
        }
        #expect(outputs == [10, 20, 30, 40, 50])
        #expect(run.succeededOutput == [10, 20, 30, 40, 50])
    }

    @Test func iterationFailureFailsTheMapWithoutTolerance() throws {
        let definition = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(Self.activity)w", "End": true}}}}}}
        """#
        var run = try Harness(definition, input: [1, 2, 3])
        #expect(run.tasks.count == 3)
        try run.failTask(":w", error: "ItemBroken", cause: "item 1")
        #expect(run.failure?.error == "ItemBroken")
        #expect(run.tasks.isEmpty)
        #expect(run.types.filter { $0 == "MapIterationAborted" }.count == 2)
        #expect(run.types.suffix(3) == ["MapIterationAborted", "MapStateFailed", "ExecutionFailed"])
    }

    @Test func toleratedFailuresAndThreshold() throws {
        let definition = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailureCount": 1, "End": true,
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(Self.activity)w", "End": true}}}}}}
        """#
        var tolerated = try Harness(definition, input: [1, 2, 3])
        try tolerated.failTask(":w", error: "Bad")
        try tolerated.succeed(":w", output: "two")
        try tolerated.succeed(":w", output: "three")
        #expect(tolerated.succeededOutput == [["Error": "Bad", "Cause": nil], "two", "three"])

        var exceeded = try Harness(definition, input: [1, 2, 3])
        try exceeded.failTask(":w", error: "Bad")
        try exceeded.failTask(":w", error: "Bad")
        #expect(exceeded.failure?.error == "States.ExceedToleratedFailureThreshold")

        let percentage = definition.replacing(#""ToleratedFailureCount": 1"#, with: #""ToleratedFailurePercentage": 50"#)
        var half = try Harness(percentage, input: [1, 2, 3, 4])
        try half.failTask(":w", error: "Bad")
        try half.failTask(":w", error: "Bad")
        #expect(half.execution.status == .running)
        try half.failTask(":w", error: "Bad")
        #expect(half.failure?.error == "States.ExceedToleratedFailureThreshold")
    }

    @Test func itemsPathMustSelectAnArray() throws {
        let definition = #"{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": true, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#
        let run = try Harness(definition, input: ["items": "not a list"])
        #expect(run.failure?.error == "States.Runtime")
    }

    @Test func redriveOfAMapRerunsOnlyFailedIterations() throws {
        let definition = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(Self.activity)w", "End": true}}}}}}
        """#
        var run = try Harness(definition, input: [1, 2, 3])
        try run.succeed(":w", output: "one")
        try run.failTask(":w", error: "Bad")
        #expect(run.execution.status == .failed)
        run.apply(try run.execution.redrive(at: run.clock))
        #expect(Set(run.tasks.values.map(\.input)) == [2, 3])
        try run.succeed(":w", output: "two")
        try run.succeed(":w", output: "three")
        #expect(run.succeededOutput == ["one", "two", "three"])
    }

    @Test func redriveOfAParallelRerunsOnlyTheFailedBranch() throws {
        let definition = #"""
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "\#(Self.activity)a", "End": true}}},
            {"StartAt": "B1", "States": {"B1": {"Type": "Task", "Resource": "\#(Self.activity)b1", "Next": "B2"},
                                        "B2": {"Type": "Task", "Resource": "\#(Self.activity)b2", "End": true}}}]}}}
        """#
        var run = try Harness(definition)
        try run.succeed(":a", output: "a")
        try run.succeed(":b1", output: "b1")
        try run.failTask(":b2", error: "Down")
        #expect(run.failure?.error == "Down")
        run.apply(try run.execution.redrive(at: run.clock))
        #expect(run.tasks.values.map(\.resource.arn) == [Self.activity + "b2"])
        try run.succeed(":b2", output: "b2")
        #expect(run.succeededOutput == ["a", "b2"])
    }
}
