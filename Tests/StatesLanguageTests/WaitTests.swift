#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import StatesLanguage
import Testing

/// Wait: the four ways to say how long, and their errors.
@Suite struct WaitTests {
    func waitThenDone(_ fields: String) -> String {
        machine(#"{"Type": "Wait", \#(fields), "Next": "Done"}"#, extraStates: #""Done": {"Type": "Succeed"}"#)
    }

    @Test func secondsStartsATimerAndContinuesWhenItFires() throws {
        var run = try Harness(waitThenDone(#""Seconds": 90"#), input: ["a": 1])
        #expect(run.types == ["ExecutionStarted", "WaitStateEntered"])
        #expect(Array(run.timers.values) == [Harness.epoch.addingTimeInterval(90)])
        #expect(run.execution.activeStates == ["S"])
        try run.fireNextTimer()
        #expect(run.types.suffix(4) == ["WaitStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"])
        #expect(run.succeededOutput == ["a": 1])
        #expect(run.event("WaitStateExited")?.timestamp == Harness.epoch.addingTimeInterval(90))
    }

    @Test func timestampInTheFutureAndInThePast() throws {
        let future = try Harness(waitThenDone(#""Timestamp": "2027-01-15T09:00:00Z""#))
        #expect(Array(future.timers.values) == [Harness.epoch.addingTimeInterval(3600)])
        let past = try Harness(waitThenDone(#""Timestamp": "2020-01-01T00:00:00Z""#))
        #expect(past.execution.status == .succeeded)
        #expect(past.timers.isEmpty)
    }

    @Test func secondsPathAndTimestampPath() throws {
        let seconds = try Harness(waitThenDone(#""SecondsPath": "$.delay""#), input: ["delay": 5])
        #expect(Array(seconds.timers.values) == [Harness.epoch.addingTimeInterval(5)])
        let timestamp = try Harness(waitThenDone(#""TimestampPath": "$.until""#), input: ["until": "2027-01-15T08:00:10+00:00"])
        #expect(Array(timestamp.timers.values) == [Harness.epoch.addingTimeInterval(10)])
    }

    @Test func badPathsAreRuntimeErrors() throws {
        for (fields, input) in [(#""SecondsPath": "$.delay""#, ["delay": "soon"] as JSONValue),
                                (#""SecondsPath": "$.delay""#, ["delay": -1]),
                                (#""SecondsPath": "$.missing""#, [:]),
                                (#""TimestampPath": "$.until""#, ["until": "tomorrow"])] {
            let run = try Harness(waitThenDone(fields), input: input)
            #expect(run.failure?.error == "States.Runtime", "\(fields) \(input)")
        }
    }

    @Test func waitAppliesInputAndOutputPath() throws {
        var run = try Harness(waitThenDone(#""Seconds": 1, "InputPath": "$.a", "OutputPath": "$.b""#), input: ["a": ["b": 7]])
        try run.fireNextTimer()
        #expect(run.succeededOutput == 7)
    }
}

/// AWS's cause texts for the Wait path fields and its limit (issue #17).
@Suite struct WaitCauseTests {
    func waitThenDone(_ fields: String) -> String {
        machine(#"{"Type": "Wait", \#(fields), "Next": "Done"}"#, extraStates: #""Done": {"Type": "Succeed"}"#)
    }

    @Test func secondsPathAndTimestampPathCauses() throws {
        let cases: [(String, JSONValue, String)] = [
            (#""SecondsPath": "$.delay""#, ["delay": "soon"], "The SecondsPath parameter cannot be parsed as a long value: $.delay == soon"),
            (#""SecondsPath": "$.delay""#, ["delay": 1.5], "The SecondsPath parameter cannot be parsed as a long value: $.delay == 1.5"),
            (#""SecondsPath": "$.delay""#, ["delay": -1], "The SecondsPath parameter references a negative value: $.delay == -1"),
            (#""TimestampPath": "$.until""#, ["until": "tomorrow"],
             "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.until == tomorrow"),
        ]
        for (fields, input, cause) in cases {
            let run = try Harness(waitThenDone(fields), input: input)
            #expect(run.failure == StatesError("States.Runtime", cause))
        }
    }

    @Test func aWaitTooFarAheadFailsAtOnce() throws {
        let run = try Harness(waitThenDone(#""TimestampPath": "$.until""#), input: ["until": "2030-01-01T00:00:00Z"])
        #expect(run.failure == StatesError("States.Runtime", "Wait state delay is too long."))
        #expect(run.timers.isEmpty)
        // Past 2262 too (a nanosecond count would wrap there and end the Wait at once).
        let far = try Harness(waitThenDone(#""TimestampPath": "$.until""#), input: ["until": "2999-01-01T00:00:00Z"])
        #expect(far.failure == StatesError("States.Runtime", "Wait state delay is too long."))
        let near = try Harness(waitThenDone(#""TimestampPath": "$.until""#), input: ["until": "2027-06-01T00:00:00Z"])
        #expect(near.failure == nil)
    }

    @Test func secondsPathReadsAVariable() throws {
        let definition = #"""
        {"StartAt": "Set", "States": {"Set": {"Type": "Pass", "Assign": {"pause": 30}, "Next": "W"},
          "W": {"Type": "Wait", "SecondsPath": "$pause", "End": true}}}
        """#
        let run = try Harness(definition)
        #expect(Array(run.timers.values) == [Harness.epoch.addingTimeInterval(30)])
    }
}
