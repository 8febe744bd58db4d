import Foundation
import JSON
import Testing
@testable import Stack

/// Distributed Map on the stack (issue #17): children as executions of a Map Run, its counts,
/// UpdateMapRun, the tolerated failure threshold, stopping, a restart, and S3 refused.
@Suite struct SagaMapRunTests {
    static func machine(_ fields: String, processor: String) -> String {
        #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", \#(fields) "End": true,
          "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, \#(processor)}}}}
        """#
    }

    static let passProcessor = #""StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": true}}"#

    /// Fails items whose `fail` is true.
    static let failingProcessor = #"""
    "StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "F"}], "Default": "OK"},
      "F": {"Type": "Fail", "Error": "ItemBroken", "Cause": "bad item"}, "OK": {"Type": "Succeed"}}
    """#

    func mapRunArn(_ stack: SagaStack, _ execution: String) async throws -> String {
        let runs = try await stack.sfn("ListMapRuns", ["executionArn": .string(execution)])["mapRuns"]?.arrayValue ?? []
        return try #require(runs.first?["mapRunArn"]?.stringValue)
    }

    @Test func childrenRunAsExecutionsOfAMapRun() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("fan", Self.machine(#""Label": "doubler", "MaxConcurrency": 2,"#, processor: Self.passProcessor))
        let execution = try await stack.start(machine, name: "e1", input: #"[{"n":1},{"n":2},{"n":3},{"n":4},{"n":5}]"#)
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
        #expect(try JSONValue(parsing: described["output"]?.stringValue ?? "") == [["doubled": 2], ["doubled": 4], ["doubled": 6], ["doubled": 8], ["doubled": 10]])
        let types = try await stack.historyTypes(execution)
        #expect(types == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded",
                          "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"])

        let listed = try await stack.sfn("ListMapRuns", ["executionArn": .string(execution)])["mapRuns"]?.arrayValue ?? []
        #expect(listed.count == 1)
        let runArn = try #require(listed.first?["mapRunArn"]?.stringValue)
        #expect(runArn.hasPrefix("arn:aws:states:us-east-1:000000000000:mapRun:fan/doubler:"))
        #expect(listed.first?["stateMachineArn"] == .string(machine))
        #expect(listed.first?["stopDate"] != nil)

        let run = try await stack.sfn("DescribeMapRun", ["mapRunArn": .string(runArn)])
        #expect(run["status"] == "SUCCEEDED")
        #expect(run["executionArn"] == .string(execution))
        #expect(run["maxConcurrency"] == 2)
        #expect(run["toleratedFailureCount"] == 0 && run["toleratedFailurePercentage"] == 0)
        #expect(run["itemCounts"]?["succeeded"] == 5 && run["itemCounts"]?["total"] == 5 && run["itemCounts"]?["pending"] == 0)
        #expect(run["executionCounts"]?["succeeded"] == 5 && run["executionCounts"]?["running"] == 0)

        let children = try await stack.sfn("ListExecutions", ["mapRunArn": .string(runArn)])["executions"]?.arrayValue ?? []
        #expect(children.count == 5)
        #expect(children.allSatisfy { $0["mapRunArn"] == .string(runArn) && $0["status"] == "SUCCEEDED" })
        #expect(children.allSatisfy { $0["stateMachineArn"] == .string(machine + "/doubler") })
        let child = try #require(children.first?["executionArn"]?.stringValue)
        #expect(child.hasPrefix("arn:aws:states:us-east-1:000000000000:execution:fan/doubler:"))
        #expect(try await stack.sfn("DescribeExecution", ["executionArn": .string(child)])["mapRunArn"] == .string(runArn))
        let childMachine = try await stack.sfn("DescribeStateMachineForExecution", ["executionArn": .string(child)])
        #expect(childMachine["label"] == "doubler" && childMachine["mapRunArn"] == .string(runArn))
        #expect(try await stack.historyTypes(child).first == "ExecutionStarted")

        // The machine's own listing holds the parent only.
        let own = try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine)])["executions"]?.arrayValue ?? []
        #expect(own.map { $0["executionArn"] } == [.string(execution)])
        #expect(own.first?["mapRunArn"] == nil)
    }

    @Test func batchesGoToOneChildEach() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let processor = #""StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"count.$": "States.ArrayLength($.Items)", "tag.$": "$.BatchInput.tag"}, "End": true}}"#
        let machine = try await stack.createMachine("batches", Self.machine(#""ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"tag": "t"}},"#, processor: processor))
        let execution = try await stack.start(machine, name: "b", input: "[1,2,3,4,5]")
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
        let output = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])["output"]?.stringValue ?? ""
        #expect(try JSONValue(parsing: output) == [["count": 2, "tag": "t"], ["count": 2, "tag": "t"], ["count": 1, "tag": "t"]])
        let run = try await stack.sfn("DescribeMapRun", ["mapRunArn": .string(try await mapRunArn(stack, execution))])
        #expect(run["itemCounts"]?["total"] == 5 && run["executionCounts"]?["total"] == 3)
    }

    @Test func toleratedFailuresAndTheThreshold() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let input = #"[{"fail":true},{"fail":false},{"fail":true},{"fail":false}]"#
        let strict = try await stack.createMachine("strict", Self.machine(#""ToleratedFailureCount": 1,"#, processor: Self.failingProcessor))
        let failed = try await stack.start(strict, name: "s", input: input)
        #expect(try await stack.waitForEnd(failed) == "FAILED")
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(failed)])
        #expect(described["error"] == "States.ExceedToleratedFailureThreshold")
        #expect(described["cause"] == "The specified tolerated failure threshold was exceeded")
        #expect(try await stack.historyTypes(failed).suffix(3) == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"])
        let run = try await stack.sfn("DescribeMapRun", ["mapRunArn": .string(try await mapRunArn(stack, failed))])
        #expect(run["status"] == "FAILED")
        #expect(run["toleratedFailureCount"] == 1)
        #expect(run["itemCounts"]?["failed"] == 2)

        let lenient = try await stack.createMachine("lenient", Self.machine(#""ToleratedFailurePercentage": 50,"#, processor: Self.failingProcessor))
        let tolerated = try await stack.start(lenient, name: "l", input: input)
        #expect(try await stack.waitForEnd(tolerated) == "SUCCEEDED")
        let output = try await stack.sfn("DescribeExecution", ["executionArn": .string(tolerated)])["output"]?.stringValue ?? ""
        #expect(try JSONValue(parsing: output) == [["Error": "ItemBroken", "Cause": "bad item"], ["fail": false],
                                                   ["Error": "ItemBroken", "Cause": "bad item"], ["fail": false]])
        let failedChildren = try await stack.sfn("ListExecutions", ["mapRunArn": .string(try await mapRunArn(stack, tolerated)), "statusFilter": "FAILED"])
        #expect(failedChildren["executions"]?.arrayValue?.count == 2)
    }

    @Test func updateMapRunStopAndRestart() async throws {
        let first = try SagaStack()
        defer { first.remove() }
        let activity = try await first.createActivity("item-worker")
        let processor = #""StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(activity)", "End": true}}"#
        let machine = try await first.createMachine("slow", Self.machine(#""MaxConcurrency": 1,"#, processor: processor))
        let execution = try await first.start(machine, name: "u", input: "[1,2,3]")
        let runArn = try await mapRunArn(first, execution)
        var run = try await first.sfn("DescribeMapRun", ["mapRunArn": .string(runArn)])
        #expect(run["status"] == "RUNNING" && run["executionCounts"]?["running"] == 1 && run["executionCounts"]?["pending"] == 2)
        #expect(await first.sfnError("UpdateMapRun", ["mapRunArn": .string(runArn)]) == "ValidationException")
        #expect(await first.sfnError("UpdateMapRun", ["mapRunArn": .string(runArn), "toleratedFailurePercentage": 101]) == "ValidationException")
        // AWS's wording for the bound each member breaks (the API model: maxConcurrency and
        // toleratedFailureCount have a minimum of 0, toleratedFailurePercentage 0–100, a float).
        for (member, value, text) in [("toleratedFailurePercentage", JSONValue.number(101), "Value '101.0' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value less than or equal to 100"),
                                      ("toleratedFailurePercentage", JSONValue.number(-0.5), "Value '-0.5' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value greater than or equal to 0"),
                                      ("maxConcurrency", JSONValue.number(-1), "Value '-1' at 'maxConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 0"),
                                      ("toleratedFailureCount", JSONValue.number(-2), "Value '-2' at 'toleratedFailureCount' failed to satisfy constraint: Member must have value greater than or equal to 0")] {
            let refused = await first.call("AWSStepFunctions", "UpdateMapRun", ["mapRunArn": .string(runArn), member: value])
            #expect(refused.body["message"]?.stringValue == "1 validation error detected: " + text)
        }
        _ = try await first.sfn("UpdateMapRun", ["mapRunArn": .string(runArn), "maxConcurrency": 2, "toleratedFailureCount": 3])
        run = try await first.sfn("DescribeMapRun", ["mapRunArn": .string(runArn)])
        #expect(run["maxConcurrency"] == 2 && run["toleratedFailureCount"] == 3 && run["executionCounts"]?["running"] == 2)

        // A restart: the Map Run goes on from its children's rows, with the updated settings.
        let second = try SagaStack(directory: first.directory)
        var inputs: [JSONValue] = []
        for _ in 0..<3 {
            let task = try #require(try await second.poll(activity))
            inputs.append(task.input)
            _ = try await second.sfn("SendTaskSuccess", ["taskToken": .string(task.token), "output": .string(#"{"done":\#(task.input.serialized)}"#)])
        }
        #expect(Set(inputs.map(\.serialized)) == ["1", "2", "3"])
        #expect(try await second.waitForEnd(execution) == "SUCCEEDED")
        let output = try await second.sfn("DescribeExecution", ["executionArn": .string(execution)])["output"]?.stringValue ?? ""
        #expect(try JSONValue(parsing: output) == [["done": 1], ["done": 2], ["done": 3]])
        run = try await second.sfn("DescribeMapRun", ["mapRunArn": .string(runArn)])
        #expect(run["status"] == "SUCCEEDED" && run["maxConcurrency"] == 2)
        #expect(await second.sfnError("UpdateMapRun", ["mapRunArn": .string(runArn), "maxConcurrency": 5]) == "ValidationException")
    }

    @Test func stoppingTheParentAbortsTheRunAndItsChildren() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let activity = try await stack.createActivity("never")
        let processor = #""StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(activity)", "End": true}}"#
        let machine = try await stack.createMachine("stopped", Self.machine("", processor: processor))
        let execution = try await stack.start(machine, name: "x", input: "[1,2]")
        let runArn = try await mapRunArn(stack, execution)
        _ = try await stack.sfn("StopExecution", ["executionArn": .string(execution)])
        #expect(try await stack.historyTypes(execution).suffix(2) == ["MapRunAborted", "ExecutionAborted"])
        var run = JSONValue.null
        for _ in 0..<100 {
            run = try await stack.sfn("DescribeMapRun", ["mapRunArn": .string(runArn)])
            if run["executionCounts"]?["aborted"] == 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(run["status"] == "ABORTED" && run["executionCounts"]?["aborted"] == 2)
    }

    /// Fails an activity task, or succeeds it with `{"done": input}`.
    func answer(_ stack: SagaStack, _ task: (token: String, input: JSONValue), fail: Bool) async throws {
        if fail {
            _ = try await stack.sfn("SendTaskFailure", ["taskToken": .string(task.token), "error": "ItemBroken", "cause": "try again"])
        } else {
            _ = try await stack.sfn("SendTaskSuccess", ["taskToken": .string(task.token), "output": .string(#"{"done":\#(task.input.serialized)}"#)])
        }
    }

    /// Polls until DescribeMapRun satisfies `done` (children end asynchronously).
    func mapRun(_ stack: SagaStack, _ arn: String, until done: (JSONValue) -> Bool) async throws -> JSONValue {
        var run = JSONValue.null
        for _ in 0..<200 {
            run = try await stack.sfn("DescribeMapRun", ["mapRunArn": .string(arn)])
            if done(run) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return run
    }

    /// "Redriving Map Runs" (developer guide): redriving the parent redrives the same Map Run —
    /// MapRunRedriven in the parent's history, the run's redriveCount and redriveDate, the
    /// failed children redriven in place (their ExecutionRedriven, their redriveCount), the
    /// succeeded ones kept, those never started started; PENDING_REDRIVE while they wait.
    @Test func redrivingTheParentRedrivesTheSameMapRun() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let activity = try await stack.createActivity("flaky")
        let processor = #""StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(activity)", "End": true}}"#
        let machine = try await stack.createMachine("redriven", Self.machine(#""MaxConcurrency": 1, "ToleratedFailureCount": 1,"#, processor: processor))
        let execution = try await stack.start(machine, name: "r", input: "[1,2,3]")
        let runArn = try await mapRunArn(stack, execution)
        // Items 1 and 2 fail (the second failure is past the threshold); item 3 never starts.
        for _ in 0..<2 { try await answer(stack, try #require(try await stack.poll(activity)), fail: true) }
        #expect(try await stack.waitForEnd(execution) == "FAILED")
        var run = try await mapRun(stack, runArn) { $0["status"] == "FAILED" }
        #expect(run["status"] == "FAILED" && run["redriveCount"] == 0 && run["redriveDate"] == nil)
        #expect(run["executionCounts"]?["failed"] == 2 && run["executionCounts"]?["pending"] == 1)
        let children = try await stack.sfn("ListExecutions", ["mapRunArn": .string(runArn)])["executions"]?.arrayValue ?? []
        #expect(children.count == 2)
        let failedChildren = Set(children.compactMap { $0["executionArn"]?.stringValue })
        #expect(children.allSatisfy { $0["itemCount"] == 1 })
        let child = try #require(failedChildren.first)
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(child)])
        #expect(described["redriveStatus"] == "REDRIVABLE_BY_MAP_RUN")
        #expect(await stack.sfnError("RedriveExecution", ["executionArn": .string(child)]) == "ExecutionNotRedrivable")

        _ = try await stack.sfn("RedriveExecution", ["executionArn": .string(execution)])
        #expect(try await stack.historyTypes(execution).suffix(2) == ["ExecutionRedriven", "MapRunRedriven"])
        let history = try await stack.sfn("GetExecutionHistory", ["executionArn": .string(execution), "reverseOrder": true, "maxResults": 1])
        #expect(history["events"]?[0]?["mapRunRedrivenEventDetails"] == ["mapRunArn": .string(runArn), "redriveCount": 1])
        #expect(try await stack.sfn("ListMapRuns", ["executionArn": .string(execution)])["mapRuns"]?.arrayValue?.count == 1)
        run = try await stack.sfn("DescribeMapRun", ["mapRunArn": .string(runArn)])
        #expect(run["status"] == "RUNNING" && run["redriveCount"] == 1 && run["redriveDate"] != nil && run["stopDate"] == nil)
        // MaxConcurrency 1: one failed child runs again, the other waits to be redriven.
        #expect(run["executionCounts"]?["running"] == 1 && run["executionCounts"]?["pendingRedrive"] == 1)
        #expect(run["itemCounts"]?["pendingRedrive"] == 1)
        let waiting = try await stack.sfn("ListExecutions", ["mapRunArn": .string(runArn), "statusFilter": "PENDING_REDRIVE"])["executions"]?.arrayValue ?? []
        #expect(waiting.count == 1 && waiting.first?["status"] == "PENDING_REDRIVE")
        let waitingArn = try #require(waiting.first?["executionArn"]?.stringValue)
        #expect(try await stack.sfn("DescribeExecution", ["executionArn": .string(waitingArn)])["status"] == "PENDING_REDRIVE")
        #expect(await stack.sfnError("ListExecutions", ["stateMachineArn": .string(machine), "statusFilter": "PENDING_REDRIVE"]) == "ValidationException")

        for _ in 0..<3 { try await answer(stack, try #require(try await stack.poll(activity)), fail: false) }
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
        let output = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])["output"]?.stringValue ?? ""
        #expect(try JSONValue(parsing: output) == [["done": 1], ["done": 2], ["done": 3]])
        run = try await mapRun(stack, runArn) { $0["status"] == "SUCCEEDED" }
        #expect(run["status"] == "SUCCEEDED" && run["redriveCount"] == 1)
        #expect(run["itemCounts"]?["succeeded"] == 3 && run["executionCounts"]?["succeeded"] == 3 && run["executionCounts"]?["pendingRedrive"] == 0)
        let after = try await stack.sfn("ListExecutions", ["mapRunArn": .string(runArn)])["executions"]?.arrayValue ?? []
        #expect(after.count == 3, "the failed children were redriven in place")
        for arn in failedChildren {
            let redriven = try await stack.sfn("DescribeExecution", ["executionArn": .string(arn)])
            #expect(redriven["status"] == "SUCCEEDED" && redriven["redriveCount"] == 1)
            #expect(try await stack.historyTypes(arn).contains("ExecutionRedriven"))
        }
        // redriveFilter (API reference, ListExecutions): the redriven children, and the parent.
        let redrivenChildren = try await stack.sfn("ListExecutions", ["mapRunArn": .string(runArn), "redriveFilter": "REDRIVEN"])["executions"]?.arrayValue ?? []
        #expect(Set(redrivenChildren.compactMap { $0["executionArn"]?.stringValue }) == failedChildren)
        #expect(redrivenChildren.allSatisfy { $0["redriveCount"] == 1 && $0["redriveDate"] != nil })
        let firstTime = try await stack.sfn("ListExecutions", ["mapRunArn": .string(runArn), "redriveFilter": "NOT_REDRIVEN"])["executions"]?.arrayValue ?? []
        #expect(firstTime.count == 1 && firstTime.first?["redriveCount"] == 0 && firstTime.first?["redriveDate"] == nil)
        let parents = try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine), "redriveFilter": "REDRIVEN"])["executions"]?.arrayValue ?? []
        #expect(parents.map { $0["executionArn"] } == [.string(execution)] && parents.first?["redriveCount"] == 1)
        #expect(try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine), "redriveFilter": "NOT_REDRIVEN"])["executions"]?.arrayValue?.isEmpty == true)
        #expect(await stack.sfnError("ListExecutions", ["stateMachineArn": .string(machine), "redriveFilter": "SOMETIMES"]) == "ValidationException")
    }

    /// A redriven Map Run survives a restart between the redrive and its children's ends.
    @Test func aRedrivenMapRunGoesOnAfterARestart() async throws {
        let first = try SagaStack()
        defer { first.remove() }
        let activity = try await first.createActivity("flaky-durable")
        let processor = #""StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(activity)", "End": true}}"#
        let machine = try await first.createMachine("redriven-durable", Self.machine(#""MaxConcurrency": 1,"#, processor: processor))
        let execution = try await first.start(machine, name: "d", input: "[1,2]")
        let runArn = try await mapRunArn(first, execution)
        try await answer(first, try #require(try await first.poll(activity)), fail: true)
        #expect(try await first.waitForEnd(execution) == "FAILED")
        _ = try await first.sfn("RedriveExecution", ["executionArn": .string(execution)])

        let second = try SagaStack(directory: first.directory)
        for _ in 0..<2 { try await answer(second, try #require(try await second.poll(activity)), fail: false) }
        #expect(try await second.waitForEnd(execution) == "SUCCEEDED")
        let run = try await mapRun(second, runArn) { $0["status"] == "SUCCEEDED" }
        #expect(run["status"] == "SUCCEEDED" && run["redriveCount"] == 1 && run["executionCounts"]?["total"] == 2)
    }

    /// `ProcessorConfig.ExecutionType: EXPRESS`: the children are Express executions
    /// (`…:express:MACHINE/LABEL:NAME:ID`). As the API reference says, DescribeExecution takes
    /// them (a Map Run dispatched them), ListExecutions(mapRunArn) lists them, and the
    /// operations not supported for Express executions refuse them; a redrive restarts a failed
    /// one as a new execution (StartExecution), not in place.
    @Test func expressChildrenAreExpressExecutions() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let activity = try await stack.createActivity("express-worker")
        let text = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "fast", "End": true,
          "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                            "StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "\#(activity)", "End": true}}}}}}
        """#
        let machine = try await stack.createMachine("express-fan", text)
        let execution = try await stack.start(machine, name: "x", input: "[1,2]")
        let runArn = try await mapRunArn(stack, execution)
        let first = try #require(try await stack.poll(activity))
        let second = try #require(try await stack.poll(activity))
        try await answer(stack, first.input == 1 ? first : second, fail: false)
        try await answer(stack, first.input == 1 ? second : first, fail: true)
        #expect(try await stack.waitForEnd(execution) == "FAILED")
        let children = try await stack.sfn("ListExecutions", ["mapRunArn": .string(runArn)])["executions"]?.arrayValue ?? []
        #expect(children.count == 2)
        let arns = children.compactMap { $0["executionArn"]?.stringValue }
        #expect(arns.allSatisfy { $0.hasPrefix("arn:aws:states:us-east-1:000000000000:express:express-fan/fast:") && $0.split(separator: ":").count == 9 })
        #expect(children.allSatisfy { $0["stateMachineArn"] == .string(machine + "/fast") })
        let failedChild = try #require(children.first { $0["status"] == "FAILED" }?["executionArn"]?.stringValue)
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(failedChild)])
        #expect(described["mapRunArn"] == .string(runArn) && described["error"] == "ItemBroken")
        for operation in ["GetExecutionHistory", "StopExecution", "RedriveExecution", "DescribeStateMachineForExecution"] {
            let refused = await stack.call("AWSStepFunctions", operation, ["executionArn": .string(failedChild)])
            #expect(refused.body["__type"]?.stringValue?.hasSuffix("InvalidArn") == true, "\(operation)")
            #expect(refused.body["message"] == "Invalid Arn: 'Resource type not valid in this context: express'")
        }
        // The parent's own listing holds only the parent.
        #expect(try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine)])["executions"]?.arrayValue?.count == 1)

        _ = try await stack.sfn("RedriveExecution", ["executionArn": .string(execution)])
        let retried = try #require(try await stack.poll(activity))
        #expect(retried.input == 2)
        try await answer(stack, retried, fail: false)
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
        let output = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])["output"]?.stringValue ?? ""
        #expect(try JSONValue(parsing: output) == [["done": 1], ["done": 2]])
        let listed = try await stack.sfn("ListExecutions", ["mapRunArn": .string(runArn)])["executions"]?.arrayValue ?? []
        #expect(listed.count == 3, "the failed Express child stays; its restart is a new execution")
        #expect(try await stack.sfn("DescribeExecution", ["executionArn": .string(failedChild)])["status"] == "FAILED")
        let run = try await mapRun(stack, runArn) { $0["status"] == "SUCCEEDED" }
        #expect(run["itemCounts"]?["succeeded"] == 2 && run["itemCounts"]?["failed"] == 0 && run["executionCounts"]?["total"] == 2)
    }

    @Test func errorsInAWSShape() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let reader = Self.machine(#""ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}},"#,
                                  processor: Self.passProcessor)
        let refused = await stack.call("AWSStepFunctions", "CreateStateMachine",
                                       ["name": "s3", "definition": .string(reader), "roleArn": "arn:aws:iam::000000000000:role/saga"])
        #expect(refused.status == 400)
        #expect(refused.body["__type"]?.stringValue?.hasSuffix("ValidationException") == true)
        #expect(refused.body["message"]?.stringValue?.contains("the local stack has no S3") == true)
        // It is valid States Language all the same.
        let validated = try await stack.sfn("ValidateStateMachineDefinition", ["definition": .string(reader)])
        #expect(validated["result"] == "OK")

        let missing = "arn:aws:states:us-east-1:000000000000:mapRun:fan/label:00000000-0000-0000-0000-000000000000"
        #expect(await stack.sfnError("DescribeMapRun", ["mapRunArn": .string(missing)]) == "ResourceNotFound")
        #expect(await stack.sfnError("DescribeMapRun", ["mapRunArn": "arn:aws:states:us-east-1:000000000000:execution:a:b"]) == "InvalidArn")
        #expect(await stack.sfnError("UpdateMapRun", ["mapRunArn": .string(missing), "maxConcurrency": 1]) == "ResourceNotFound")
        #expect(await stack.sfnError("ListMapRuns", ["executionArn": "arn:aws:states:us-east-1:000000000000:execution:a:b"]) == "ExecutionDoesNotExist")
        #expect(await stack.sfnError("ListExecutions", ["mapRunArn": .string(missing)]) == "ResourceNotFound")
        #expect(await stack.sfnError("ListExecutions", ["mapRunArn": .string(missing), "stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:a"]) == "ValidationException")
    }
}
