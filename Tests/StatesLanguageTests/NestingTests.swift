import JSON
import StatesLanguage
import Testing

/// Fan-outs inside fan-outs, and Retry on a whole Parallel.
@Suite struct NestingTests {
    static let activity = "arn:aws:states:us-east-1:123456789012:activity:"

    @Test func parallelInsideMapRunsToCompletion() throws {
        let definition = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "\#(Self.activity)t", "End": true}}},
                {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": "q", "End": true}}}]}}}}}}
        """#
        var run = try Harness(definition, input: [1, 2])
        #expect(run.tasks.count == 2)
        #expect(run.execution.activeStates.sorted() == ["M", "P", "P", "T", "T"])
        try run.succeed(":t", output: "t1")
        try run.succeed(":t", output: "t2")
        #expect(run.succeededOutput == [["t1", "q"], ["t2", "q"]])
        #expect(run.history.map(\.id) == Array(1...run.history.count))
        #expect(run.history.allSatisfy { $0.previousEventId < $0.id })
    }

    @Test func stopInsideNestedFanOutWithdrawsEveryTask() throws {
        let definition = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "\#(Self.activity)t", "End": true}}},
                {"StartAt": "U", "States": {"U": {"Type": "Task", "Resource": "\#(Self.activity)u", "End": true}}}]}}}}}}
        """#
        var run = try Harness(definition, input: [1, 2, 3])
        #expect(run.tasks.count == 6)
        run.apply(try run.execution.stop(error: nil, cause: nil, at: run.clock))
        #expect(run.tasks.isEmpty)
        #expect(run.execution.pendingTasks.isEmpty)
    }

    @Test func retryOnAParallelRerunsAllBranches() throws {
        let definition = #"""
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 3}], "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "\#(Self.activity)a", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": true}}}]}}}
        """#
        var run = try Harness(definition)
        try run.failTask(":a", error: "Flaky")
        #expect(run.timers.count == 1)
        try run.fireNextTimer()
        try run.succeed(":a", output: "a")
        #expect(run.succeededOutput == ["a", "b"])
        #expect(run.types.filter { $0 == "ParallelStateStarted" }.count == 2)
        #expect(run.types.filter { $0 == "ParallelStateEntered" }.count == 1)
    }

    @Test func duplicateStartedCallsAreHarmless() throws {
        var run = try Harness(machine(#"{"Type": "Task", "Resource": "\#(Self.activity)a", "End": true}"#))
        let token = try #require(run.token(for: ":a"))
        run.apply(try run.execution.taskStarted(token: token, workerName: "w", at: run.clock))
        let again = try run.execution.taskStarted(token: token, workerName: "w", at: run.clock)
        #expect(again.events.isEmpty)
    }
}
