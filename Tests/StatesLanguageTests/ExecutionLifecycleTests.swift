#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import StatesLanguage
import Testing

/// Whole-execution inputs: stop, the execution timeout, redrive rules, and storing an
/// execution mid-flight and resuming it.
@Suite struct ExecutionLifecycleTests {
    static let activity = "arn:aws:states:us-east-1:123456789012:activity:w"

    @Test func startEventCarriesInputAndRole() throws {
        let run = try Harness(machine(#"{"Type": "Pass", "End": true}"#), input: ["k": "v"])
        let started = try #require(run.history.first)
        #expect(started.type == "ExecutionStarted" && started.id == 1 && started.previousEventId == 0)
        #expect(started.details == ["input": #"{"k":"v"}"#, "inputDetails": ["truncated": false], "roleArn": .string(Harness.context.roleArn)])
        let wire = started.wireObject()
        #expect(wire["executionStartedEventDetails"]?["roleArn"] == .string(Harness.context.roleArn))
        #expect(wire["timestamp"] == .number(1_800_000_000))
        #expect(started.wireObject(includeExecutionData: false)["executionStartedEventDetails"]?["input"] == nil)
    }

    @Test func detailsKeysFollowAWS() {
        func key(_ type: String) -> String { HistoryEvent(id: 1, previousEventId: 0, timestamp: Harness.epoch, type: type, details: [:]).detailsKey }
        #expect(key("TaskStateEntered") == "stateEnteredEventDetails")
        #expect(key("MapStateExited") == "stateExitedEventDetails")
        #expect(key("ActivityScheduled") == "activityScheduledEventDetails")
        #expect(key("MapIterationStarted") == "mapIterationStartedEventDetails")
        #expect(key("LambdaFunctionFailed") == "lambdaFunctionFailedEventDetails")
        #expect(key("ExecutionRedriven") == "executionRedrivenEventDetails")
    }

    @Test func stopAbortsAndWithdrawsEverything() throws {
        let definition = #"""
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "\#(Self.activity)", "HeartbeatSeconds": 5, "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 100, "End": true}}}]}}}
        """#
        var run = try Harness(definition)
        #expect(run.tasks.count == 1 && run.timers.count == 2)
        run.apply(try run.execution.stop(error: "Operator", cause: "stuck", at: run.clock))
        #expect(run.execution.status == .aborted)
        #expect(run.tasks.isEmpty && run.timers.isEmpty)
        #expect(run.types.last == "ExecutionAborted")
        #expect(run.event("ExecutionAborted")?.details == ["error": "Operator", "cause": "stuck"])
        #expect(run.outcome == .aborted(StatesError("Operator", "stuck")))
        #expect(throws: ExecutionInputError.executionNotRunning(.aborted)) { _ = try run.execution.stop(error: nil, cause: nil, at: run.clock) }
        // An aborted execution can be redriven: the Task and the Wait start over.
        run.apply(try run.execution.redrive(at: run.clock))
        #expect(run.tasks.count == 1 && run.timers.count == 2)
    }

    @Test func executionTimeout() throws {
        let definition = #"{"TimeoutSeconds": 30, "StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "\#(Self.activity)", "End": true}}}"#
        var run = try Harness(definition)
        #expect(Array(run.timers.values) == [Harness.epoch.addingTimeInterval(30)])
        try run.fireNextTimer()
        #expect(run.execution.status == .timedOut)
        #expect(run.detail("ExecutionTimedOut", "error") == "States.Timeout")
        #expect(run.tasks.isEmpty)
        if case .timedOut = run.outcome {} else { Issue.record("expected a timed-out outcome") }
    }

    @Test func succeededExecutionsCannotBeRedriven() throws {
        var run = try Harness(machine(#"{"Type": "Pass", "End": true}"#))
        #expect(throws: ExecutionInputError.notRedrivable("Execution with status SUCCEEDED cannot be redriven")) {
            _ = try run.execution.redrive(at: run.clock)
        }
        #expect(ExecutionInputError.notRedrivable("").awsErrorCode == "ExecutionNotRedrivable")
        #expect(run.execution.redriveStatus == "NOT_REDRIVABLE")
        var failed = try Harness(machine(#"{"Type": "Fail", "Error": "E"}"#))
        #expect(failed.execution.redriveStatus == "REDRIVABLE")
        failed.apply(try failed.execution.redrive(at: failed.clock))
        #expect(failed.execution.redriveStatus == "REDRIVABLE", "a Fail state fails again")
        #expect(failed.execution.redriveCount == 1)
    }

    @Test func redriveContextCountsRedrives() throws {
        let definition = machine(#"{"Type": "Task", "Resource": "\#(Self.activity)", "Parameters": {"n.$": "$$.Execution.RedriveCount"}, "End": true}"#)
        var run = try Harness(definition)
        try run.failTask(":w", error: "X")
        run.apply(try run.execution.redrive(at: run.clock.addingTimeInterval(60)))
        let token = try #require(run.token(for: ":w"))
        #expect(run.tasks[token]?.input == ["n": 1])
        #expect(run.types.suffix(3) == ["ExecutionRedriven", "TaskStateEntered", "ActivityScheduled"])
        let redriven = try #require(run.event("ExecutionRedriven"))
        #expect(redriven.details == ["redriveCount": 1])
    }

    @Test func storedMidFlightAndResumed() throws {
        let definition = #"""
        {"StartAt": "Reserve", "States": {
          "Reserve": {"Type": "Task", "Resource": "\#(Self.activity)", "HeartbeatSeconds": 30, "ResultPath": "$.reservation", "Next": "Pause"},
          "Pause": {"Type": "Wait", "Seconds": 10, "Next": "Fan"},
          "Fan": {"Type": "Map", "ItemsPath": "$.lines", "MaxConcurrency": 1, "ResultPath": "$.lines", "End": true,
                  "ItemProcessor": {"StartAt": "Line", "States": {"Line": {"Type": "Task", "Resource": "\#(Self.activity)", "End": true}}}}}}
        """#
        var run = try Harness(definition, input: ["z": 1, "a": 2, "lines": ["x", "y"]])
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        func reload() throws {
            let data = try encoder.encode(run.execution)
            run.execution = try decoder.decode(Execution.self, from: data)
        }
        try reload()
        #expect(run.execution.pendingTasks.count == 1)
        #expect(run.execution.pendingTimers.count == 1)
        try run.succeed(":w", output: ["id": "r-1", "b": 2])
        try reload()
        try run.fireNextTimer()
        try reload()
        try run.succeed(":w", output: "X")
        try reload()
        try run.succeed(":w", output: "Y")
        #expect(run.succeededOutput == ["z": 1, "a": 2, "lines": ["X", "Y"], "reservation": ["id": "r-1", "b": 2]])
        #expect(run.succeededOutput?.serialized == #"{"z":1,"a":2,"lines":["X","Y"],"reservation":{"id":"r-1","b":2}}"#)
        #expect(run.history.map(\.id) == Array(1...run.history.count))
    }

    @Test func codableRoundTripInEveryPhase() throws {
        let definition = #"""
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Next": "M", "Branches": [
            {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "\#(Self.activity)", "TimeoutSeconds": 50, "HeartbeatSeconds": 5, "End": true}}},
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "End": true}}},
            {"StartAt": "R", "States": {"R": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Retry": [{"ErrorEquals": ["States.ALL"]}], "End": true}}}]},
          "M": {"Type": "Map", "MaxConcurrency": 1, "End": true, "ItemsPath": "$[0].items",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Task", "Resource": "\#(Self.activity)", "End": true}}}}}}
        """#
        var run = try Harness(definition, input: ["b": 1, "a": ["z": 2, "y": 3]])
        func reload() throws {
            let data = try JSONEncoder().encode(run.execution)
            let restored = try JSONDecoder().decode(Execution.self, from: data)
            #expect(restored.pendingTasks == run.execution.pendingTasks)
            #expect(restored.pendingTimers == run.execution.pendingTimers)
            #expect(restored.lastEventId == run.execution.lastEventId && restored.input.serialized == run.execution.input.serialized)
            run.execution = restored
        }
        try reload()
        try run.failTask("sendMessage.waitForTaskToken", error: "Throttled")
        try reload()
        try run.fireNextTimer()   // the retry (1 s) comes before the Wait (3 s)
        try reload()
        try run.succeed("sendMessage.waitForTaskToken", output: "sent")
        try run.succeed(":w", output: ["items": ["p", "q"]])
        try reload()
        try run.fireNextTimer()   // the Wait
        try reload()
        try run.succeed(":w", output: "P")
        try reload()
        try run.succeed(":w", output: "Q")
        #expect(run.succeededOutput == ["P", "Q"])
        #expect(run.history.map(\.id) == Array(1...run.history.count))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Execution.self, from: Data(#"{"runs": 1}"#.utf8)) }
    }

    @Test func storedHistoryEventsKeepKeyOrder() throws {
        let event = HistoryEvent(id: 3, previousEventId: 2, timestamp: Harness.epoch, type: "TaskStateEntered",
                                 details: ["name": "S", "input": "{}", "inputDetails": ["truncated": false]])
        let decoded = try JSONDecoder().decode(HistoryEvent.self, from: JSONEncoder().encode(event))
        #expect(decoded == event)
        #expect(decoded.details.map { Array($0.keys) } == ["name", "input", "inputDetails"])
    }
}
