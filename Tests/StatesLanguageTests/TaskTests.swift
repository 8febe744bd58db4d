#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import StatesLanguage
import Testing

/// Task states: scheduling, the events per resource kind, ResultSelector, Retry, Catch,
/// timeouts and heartbeats, and the errors a host can hit.
@Suite struct TaskTests {
    static let activity = "arn:aws:states:ap-northeast-1:123456789012:activity:work"

    func task(_ extra: String = "", resource: String = activity) -> String {
        machine(#"{"Type": "Task", "Resource": "\#(resource)"\#(extra.isEmpty ? "" : ", " + extra), "End": true}"#)
    }

    @Test func activityLifecycleEvents() throws {
        var run = try Harness(task(#""TimeoutSeconds": 60, "HeartbeatSeconds": 10"#), input: ["n": 1])
        let scheduled = try #require(run.event("ActivityScheduled"))
        #expect(scheduled.details == ["resource": .string(Self.activity), "input": #"{"n":1}"#, "inputDetails": ["truncated": false],
                                      "timeoutInSeconds": 60, "heartbeatInSeconds": 10])
        #expect(scheduled.previousEventId == 2)
        let token = try #require(run.token(for: ":work"))
        let request = try #require(run.tasks[token])
        #expect(request.timeoutSeconds == 60 && request.heartbeatSeconds == 10 && request.stateName == "S")
        #expect(run.timers.count == 2)
        run.apply(try run.execution.taskStarted(token: token, workerName: "w-1", at: run.clock))
        #expect(run.event("ActivityStarted")?.details == ["workerName": "w-1"])
        try run.succeed(":work", output: ["done": true])
        #expect(run.types == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"])
        #expect(run.detail("ActivitySucceeded", "output") == #"{"done":true}"#)
        #expect(run.timers.isEmpty)
        #expect(run.execution.pendingTasks.isEmpty && run.execution.pendingTimers.isEmpty)
    }

    @Test func waitForTaskTokenServiceIntegration() throws {
        let state = task(#""Parameters": {"QueueUrl": "http://q/orders", "MessageBody": {"token.$": "$$.Task.Token", "id.$": "$.id"}}"#,
                         resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken")
        var run = try Harness(state, input: ["id": "o-1"])
        let token = try #require(run.token(for: "sendMessage.waitForTaskToken"))
        let request = try #require(run.tasks[token])
        #expect(request.resource.kind == .service(service: "sqs", action: "sendMessage"))
        #expect(request.resource.pattern == .waitForTaskToken)
        #expect(request.input["MessageBody"]?["token"] == .string(token))
        let scheduled = try #require(run.event("TaskScheduled")?.details)
        #expect(scheduled["resourceType"] == "sqs")
        #expect(scheduled["resource"] == "sendMessage.waitForTaskToken")
        #expect(scheduled["region"] == "ap-northeast-1")
        #expect(scheduled["parameters"] == .string(request.input.serialized))
        run.apply(try run.execution.taskStarted(token: token, at: run.clock))
        run.apply(try run.execution.taskSubmitted(token: token, output: ["MessageId": "m-1"], at: run.clock))
        #expect(run.execution.status == .running)
        try run.succeed("sendMessage.waitForTaskToken", output: ["approved": true])
        #expect(run.types == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"])
        #expect(run.event("TaskStarted")?.details == ["resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"])
        #expect(run.detail("TaskSucceeded", "output") == #"{"approved":true}"#)
    }

    @Test func resourceClassification() {
        #expect(TaskResource(arn: "arn:aws:states:::events:putEvents").kind == .service(service: "events", action: "putEvents"))
        #expect(TaskResource(arn: "arn:aws:states:::states:startExecution.sync:2").pattern == .sync)
        #expect(TaskResource(arn: "arn:aws:states:::states:startExecution.sync:2").kind == .service(service: "states", action: "startExecution"))
        #expect(TaskResource(arn: "arn:aws:lambda:us-east-1:1:function:f:prod").kind == .lambdaFunction(name: "f"))
        #expect(TaskResource(arn: "arn:aws:states:us-east-1:1:activity:a").kind == .activity(name: "a"))
        #expect(TaskResource(arn: "arn:aws:sns:us-east-1:1:topic").kind == .other)
    }

    @Test func resultSelectorResultPathOutputPath() throws {
        var run = try Harness(task(#""ResultSelector": {"id.$": "$.Payload.id", "when.$": "$$.Execution.StartTime"}, "ResultPath": "$.result", "OutputPath": "$.result""#),
                              input: ["keep": 1])
        try run.succeed(":work", output: ["Payload": ["id": 9, "noise": true]])
        #expect(run.succeededOutput == ["id": 9, "when": "2027-01-15T08:00:00.000Z"])
    }

    @Test func retryBacksOffThenSucceeds() throws {
        var run = try Harness(task(#""Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}]"#))
        try run.failTask(":work", error: "Flaky")
        #expect(run.timers.values.first == Harness.epoch.addingTimeInterval(2))
        #expect(run.token(for: ":work") == nil)
        try run.fireNextTimer()
        try run.failTask(":work", error: "Flaky")
        #expect(run.timers.values.first == run.clock.addingTimeInterval(6))
        try run.fireNextTimer()
        try run.succeed(":work", output: 1)
        #expect(run.succeededOutput == 1)
        #expect(run.types.filter { $0 == "ActivityScheduled" }.count == 3)
        #expect(run.types.filter { $0 == "TaskStateEntered" }.count == 1)
    }

    @Test func retryCountIsInTheContextObject() throws {
        var run = try Harness(task(#""Parameters": {"try.$": "$$.State.RetryCount"}, "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}]"#))
        try run.failTask(":work", error: "X")
        try run.fireNextTimer()
        let token = try #require(run.token(for: ":work"))
        #expect(run.tasks[token]?.input == ["try": 1])
    }

    @Test func maxDelayCapsAndFullJitterStaysWithin() throws {
        var run = try Harness(task(#""Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "BackoffRate": 10, "MaxDelaySeconds": 15, "MaxAttempts": 5, "JitterStrategy": "FULL"}]"#))
        for _ in 0..<4 {
            try run.failTask(":work", error: "X")
            let deadline = try #require(run.timers.values.first)
            let delay = deadline.timeIntervalSince(run.clock)
            #expect(delay >= 0 && delay <= 15)
            try run.fireNextTimer()
        }
    }

    @Test func exhaustedRetryFallsToCatchWithResultPath() throws {
        let definition = machine(#"""
            {"Type": "Task", "Resource": "\#(Self.activity)", "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 1}],
             "Catch": [{"ErrorEquals": ["Other"], "Next": "Never"}, {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}], "End": true}
            """#, extraStates: #""Handled": {"Type": "Pass", "End": true}, "Never": {"Type": "Fail"}"#)
        var run = try Harness(definition, input: ["order": 1])
        try run.failTask(":work", error: "Flaky", cause: "first")
        try run.fireNextTimer()
        try run.failTask(":work", error: "Flaky", cause: "second")
        #expect(run.succeededOutput == ["order": 1, "error": ["Error": "Flaky", "Cause": "second"]])
        #expect(run.detail("TaskStateExited", "name") == "S")
        #expect(run.detail("PassStateEntered", "name") == "Handled")
    }

    @Test func maxAttemptsZeroMeansNoRetry() throws {
        var run = try Harness(task(#""Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]"#))
        try run.failTask(":work", error: "X", cause: "c")
        #expect(run.failure?.error == "X" && run.failure?.cause == "c")
        #expect(run.types.suffix(2) == ["ActivityFailed", "ExecutionFailed"])
    }

    @Test func taskFailedMatchesWorkerErrorsButNotTimeouts() throws {
        let definition = machine(#"""
            {"Type": "Task", "Resource": "\#(Self.activity)", "TimeoutSeconds": 5,
             "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Failed"}, {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}], "End": true}
            """#, extraStates: #""Failed": {"Type": "Pass", "Result": "failed", "End": true}, "TimedOut": {"Type": "Pass", "Result": "timeout", "End": true}"#)
        var failed = try Harness(definition)
        try failed.failTask(":work", error: "Anything")
        #expect(failed.succeededOutput == "failed")
        var timedOut = try Harness(definition)
        let token = try #require(timedOut.token(for: ":work"))
        try timedOut.fireNextTimer()
        #expect(timedOut.succeededOutput == "timeout")
        #expect(timedOut.detail("ActivityTimedOut", "error") == "States.Timeout")
        #expect(timedOut.tasks[token] == nil, "the timed-out task is withdrawn")
        #expect(throws: ExecutionInputError.executionNotRunning(.succeeded)) {
            _ = try timedOut.execution.taskSucceeded(token: token, output: 1, at: timedOut.clock)
        }
    }

    @Test func heartbeatsKeepTheTaskAliveUntilTheyStop() throws {
        var run = try Harness(task(#""HeartbeatSeconds": 10"#))
        let token = try #require(run.token(for: ":work"))
        run.apply(try run.execution.taskStarted(token: token, workerName: "w", at: run.clock))
        for _ in 0..<3 {
            run.clock = run.clock.addingTimeInterval(8)
            run.apply(try run.execution.taskHeartbeat(token: token, at: run.clock))
            #expect(run.timers.count == 1)
            #expect(run.timers.values.first == run.clock.addingTimeInterval(10))
        }
        #expect(run.execution.status == .running)
        try run.fireNextTimer()
        #expect(run.failure?.error == "States.HeartbeatTimeout")
        #expect(run.detail("ActivityTimedOut", "error") == "States.HeartbeatTimeout")
        #expect(run.types.last == "ExecutionFailed")
    }

    @Test func staleTimerFiringsAreIgnored() throws {
        var run = try Harness(task(#""HeartbeatSeconds": 10"#))
        let token = try #require(run.token(for: ":work"))
        let firstTimer = try #require(run.timers.keys.first)
        run.apply(try run.execution.taskHeartbeat(token: token, at: run.clock))
        let step = run.execution.timerFired(id: firstTimer, at: run.clock.addingTimeInterval(11))
        #expect(step.events.isEmpty && step.effects.isEmpty)
        #expect(run.execution.status == .running)
    }

    @Test func timeoutFromPath() throws {
        let run = try Harness(task(#""TimeoutSecondsPath": "$.limit""#), input: ["limit": 30])
        #expect(run.timers.values.first == Harness.epoch.addingTimeInterval(30))
        let bad = try Harness(task(#""TimeoutSecondsPath": "$.limit""#), input: ["limit": "soon"])
        #expect(bad.failure?.error == "States.Runtime")
    }

    @Test func unknownAndUsedTokensAreRefused() throws {
        var run = try Harness(task())
        #expect(throws: ExecutionInputError.taskDoesNotExist(token: "nope")) {
            _ = try run.execution.taskSucceeded(token: "nope", output: 1, at: run.clock)
        }
        let token = try #require(run.token(for: ":work"))
        try run.succeed(":work", output: 1)
        #expect(throws: ExecutionInputError.executionNotRunning(.succeeded)) {
            _ = try run.execution.taskFailed(token: token, error: "late", cause: nil, at: run.clock)
        }
        #expect(ExecutionInputError.taskDoesNotExist(token: "x").awsErrorCode == "TaskDoesNotExist")
    }

    @Test func oversizedResultIsDataLimitExceededAndNotCaughtByAll() throws {
        let definition = machine(#"{"Type": "Task", "Resource": "\#(Self.activity)", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": true}"#,
                                 extraStates: #""C": {"Type": "Succeed"}"#)
        var run = try Harness(definition)
        try run.succeed(":work", output: .string(String(repeating: "y", count: Execution.payloadLimit + 1)))
        #expect(run.failure?.error == "States.DataLimitExceeded")
    }

    /// A missing Parameters path is States.Runtime on AWS (issue #17), which no Catch takes.
    @Test func parametersPathFailureIsNotCaught() throws {
        let definition = machine(#"{"Type": "Task", "Resource": "\#(Self.activity)", "Parameters": {"x.$": "$.nope"}, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": true}"#,
                                 extraStates: #""C": {"Type": "Succeed"}"#)
        let run = try Harness(definition, input: ["a": 1])
        #expect(run.execution.status == .failed)
        #expect(run.failure?.error == "States.Runtime")
    }

    @Test func runtimeErrorsAreNotCaught() throws {
        let definition = machine(#"{"Type": "Task", "Resource": "\#(Self.activity)", "InputPath": "$.nope", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": true}"#,
                                 extraStates: #""C": {"Type": "Succeed"}"#)
        let run = try Harness(definition, input: ["a": 1])
        #expect(run.failure?.error == "States.Runtime")
    }

    @Test func sameSeedSameHistory() throws {
        var a = try Harness(task(#""Parameters": {"id.$": "States.UUID()"}"#), seed: 99)
        var b = try Harness(task(#""Parameters": {"id.$": "States.UUID()"}"#), seed: 99)
        #expect(a.taskOrder == b.taskOrder)
        try a.succeed(":work", output: 1)
        try b.succeed(":work", output: 1)
        #expect(a.history == b.history)
        let c = try Harness(task(), seed: 100)
        #expect(c.taskOrder != a.taskOrder)
    }
}
