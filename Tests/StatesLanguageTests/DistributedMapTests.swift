import JSON
@testable import StatesLanguage
import Testing

/// Distributed Map inside the interpreter: what it asks its host for (the Map Run with its
/// children's inputs and settings) and the parent history AWS records around it. The host's
/// side (children as executions, counts, UpdateMapRun) is in StackTests and conformance.
struct DistributedMapTests {
    static func machine(_ fields: String, processor: String = #""StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}"#,
                        mode: String = #""Mode": "DISTRIBUTED", "ExecutionType": "STANDARD""#) -> String {
        #"""
        {"StartAt": "M", "States": {
          "M": {"Type": "Map", \#(fields) "Next": "Done",
                "ItemProcessor": {"ProcessorConfig": {\#(mode)}, \#(processor)},
                "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "ResultPath": "$.error", "Next": "Caught"}]},
          "Done": {"Type": "Succeed"},
          "Caught": {"Type": "Pass", "End": true}}}
        """#
    }

    @Test func asksForAMapRunAndWaitsForIt() throws {
        var run = try Harness(Self.machine(#""ItemsPath": "$.orders", "Label": "orders", "MaxConcurrency": 2,"#),
                              input: ["orders": [["id": 1], ["id": 2], ["id": 3]]])
        #expect(run.types == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted"])
        #expect(run.history[2].details?["length"] == 3)
        let request = try #require(run.mapRuns.first)
        #expect(request.mapRunArn.hasPrefix("arn:aws:states:ap-northeast-1:123456789012:mapRun:order-saga/orders:"))
        #expect(run.history[3].details?["mapRunArn"] == .string(request.mapRunArn))
        #expect(request.childStateMachineArn == "arn:aws:states:ap-northeast-1:123456789012:stateMachine:order-saga/orders")
        #expect(request.childInputs == [["id": 1], ["id": 2], ["id": 3]])
        #expect(request.itemCounts == [1, 1, 1])
        #expect(request.maxConcurrency == 2)
        #expect(request.executionType == "STANDARD")
        #expect(request.definition == #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        #expect(run.execution.awaitedMapRuns == [request.mapRunArn])

        run.apply(try run.execution.mapRunSucceeded(mapRunArn: request.mapRunArn, output: ["a", "b", "c"], at: run.clock))
        #expect(run.types.suffix(6) == ["MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "SucceedStateEntered", "SucceedStateExited",
                                        "ExecutionSucceeded"])
        #expect(run.succeededOutput == ["a", "b", "c"])
        #expect(run.execution.awaitedMapRuns.isEmpty)
    }

    /// "ItemBatcher (Map)" (developer guide, input-output-itembatcher.html): with batching, a
    /// child's input is `{"BatchInput": …, "Items": […]}`.
    @Test func batchesItemsWithBatchInputAndItemSelector() throws {
        let fields = #"""
        "ItemSelector": {"statement.$": "$$.Map.Item.Value.statement_source", "index.$": "$$.Map.Item.Index"},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"factCheck.$": "$.month"}},
        """#
        let run = try Harness(Self.machine(fields + #""ItemsPath": "$.items","#), input: [
            "month": "December 2022",
            "items": [["statement_source": "speech"], ["statement_source": "television"], ["statement_source": "news"]],
        ])
        let request = try #require(run.mapRuns.first)
        #expect(request.childInputs == [
            ["BatchInput": ["factCheck": "December 2022"], "Items": [["statement": "speech", "index": 0], ["statement": "television", "index": 1]]],
            ["BatchInput": ["factCheck": "December 2022"], "Items": [["statement": "news", "index": 2]]],
        ])
        #expect(request.itemCounts == [2, 1])
        #expect(run.history[2].details?["length"] == 3)
    }

    @Test func batchesByBytes() throws {
        // Each item serialises to 7 bytes (`"aaaaa"`); `{"Items":[]}` is 12, a comma 1.
        let items: [JSONValue] = Array(repeating: "aaaaa", count: 5)
        let batches = Execution.batch(items, maxItems: nil, maxBytes: 12 + 7 + 1 + 7, batchInput: nil)
        #expect(batches.map(\.count) == [2, 2, 1])
        #expect(batches[0].input == ["Items": ["aaaaa", "aaaaa"]])
        let big = Execution.batch(["a very long item indeed", "b"], maxItems: 10, maxBytes: 15, batchInput: nil)
        #expect(big.map(\.count) == [1, 1], "an item larger than a batch goes alone")
    }

    @Test func mapRunFailureIsTheMapsError() throws {
        var run = try Harness(Self.machine(#""ToleratedFailureCount": 1, "ItemsPath": "$.xs","#), input: ["xs": [1, 2, 3]])
        let request = try #require(run.mapRuns.first)
        #expect(request.toleratedFailureCount == 1)
        #expect(request.toleratedFailurePercentage == nil)
        run.apply(try run.execution.mapRunFailed(mapRunArn: request.mapRunArn, error: MapRunFailure.thresholdExceeded, at: run.clock))
        let failed = try #require(run.history.first { $0.type == "MapRunFailed" })
        #expect(failed.details == ["error": "States.ExceedToleratedFailureThreshold", "cause": "The specified tolerated failure threshold was exceeded"])
        #expect(failed.detailsKey == "mapRunFailedEventDetails")
        #expect(run.types.contains("MapStateFailed"))
        #expect(run.succeededOutput?["error"] == ["Error": "States.ExceedToleratedFailureThreshold", "Cause": "The specified tolerated failure threshold was exceeded"])
    }

    @Test func stoppingTheParentAbortsTheMapRun() throws {
        var run = try Harness(Self.machine(""), input: [1])
        let request = try #require(run.mapRuns.first)
        run.apply(try run.execution.stop(error: "Enough", cause: nil, at: run.clock))
        #expect(run.types.suffix(2) == ["MapRunAborted", "ExecutionAborted"])
        #expect(run.abortedMapRuns == [request.mapRunArn])
        #expect(throws: ExecutionInputError.self) {
            _ = try run.execution.mapRunSucceeded(mapRunArn: request.mapRunArn, output: [], at: run.clock)
        }
    }

    /// "Redriving Map Runs" (developer guide): redriving a parent whose distributed Map did
    /// not exit redrives that same Map Run (a MapRunRedriven event with the run's redrive
    /// count), whether it failed or was aborted with the parent; no new Map Run starts.
    @Test func redrivingTheParentRedrivesTheSameMapRun() throws {
        let text = #"""
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
          "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}
        """#
        var run = try Harness(text, input: [1, 2])
        let request = try #require(run.mapRuns.first)
        run.apply(try run.execution.mapRunFailed(mapRunArn: request.mapRunArn, error: MapRunFailure.thresholdExceeded, at: run.clock))
        #expect(run.execution.status == .failed)
        run.apply(try run.execution.redrive(at: run.clock))
        #expect(run.types.suffix(2) == ["ExecutionRedriven", "MapRunRedriven"])
        let redriven = try #require(run.event("MapRunRedriven"))
        #expect(redriven.details == ["mapRunArn": .string(request.mapRunArn), "redriveCount": 1])
        #expect(redriven.detailsKey == "mapRunRedrivenEventDetails")
        #expect(run.mapRuns.count == 1, "no new Map Run")
        #expect(run.redrivenMapRuns.map(\.arn) == [request.mapRunArn] && run.redrivenMapRuns.map(\.count) == [1])
        #expect(run.execution.awaitedMapRuns == [request.mapRunArn])

        // Aborted with the parent, then redriven again: the count goes on.
        run.apply(try run.execution.stop(error: nil, cause: nil, at: run.clock))
        #expect(run.abortedMapRuns == [request.mapRunArn])
        run.apply(try run.execution.redrive(at: run.clock))
        #expect(run.detail("MapRunRedriven", "redriveCount", 1) == 2)
        run.apply(try run.execution.mapRunSucceeded(mapRunArn: request.mapRunArn, output: ["a", "b"], at: run.clock))
        #expect(run.types.suffix(4) == ["MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"])
        #expect(run.succeededOutput == ["a", "b"])
    }

    @Test func unknownMapRunIsRefused() throws {
        var run = try Harness(Self.machine(""), input: [1])
        #expect(throws: ExecutionInputError.mapRunDoesNotExist("arn:nope")) {
            _ = try run.execution.mapRunSucceeded(mapRunArn: "arn:nope", output: [], at: run.clock)
        }
    }

    @Test func jsonataMachineGivesItsLanguageToTheChildren() throws {
        let text = #"""
        {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "Items": "{% $states.input.xs %}",
          "ItemSelector": {"x": "{% $states.context.Map.Item.Value * 10 %}"}, "End": true,
          "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                            "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input.x + 1 %}", "End": true}}}}}}
        """#
        let run = try Harness(text, input: ["xs": [1, 2]])
        let request = try #require(run.mapRuns.first)
        #expect(request.childInputs == [["x": 10], ["x": 20]])
        #expect(request.executionType == "EXPRESS")
        let child = try StateMachineDefinition(parsing: request.definition)
        let childRun = try Harness(child.source, input: request.childInputs[1])
        #expect(childRun.succeededOutput == 21)
    }

    @Test func toleratedFailurePathTexts() throws {
        // moto's texts (tolerated_failure.py), which reproduce AWS's.
        let notInteger = try Harness(Self.machine(#""ToleratedFailureCountPath": "$.n", "ItemsPath": "$.xs","#), input: ["n": "x", "xs": [1]])
        #expect(notInteger.failure?.cause == #"The ToleratedFailureCountPath field refers to value "x" which is not a valid integer: $.n"#)
        let negative = try Harness(Self.machine(#""ToleratedFailureCountPath": "$.n", "ItemsPath": "$.xs","#), input: ["n": -1, "xs": [1]])
        #expect(negative.failure?.cause == "ToleratedFailureCount cannot be negative.")
        let notFloat = try Harness(Self.machine(#""ToleratedFailurePercentagePath": "$.p", "ItemsPath": "$.xs","#), input: ["p": [1], "xs": [1]])
        #expect(notFloat.failure?.cause == #"The ToleratedFailurePercentagePath field refers to value "[1]" which is not a valid float: $.p"#)
        let over = try Harness(Self.machine(#""ToleratedFailurePercentagePath": "$.p", "ItemsPath": "$.xs","#), input: ["p": 101, "xs": [1]])
        #expect(over.failure?.cause == "ToleratedFailurePercentage must be between 0 and 100.")
        let fine = try Harness(Self.machine(#""ToleratedFailurePercentagePath": "$.p", "ItemsPath": "$.xs","#), input: ["p": 12.5, "xs": [1]])
        #expect(fine.mapRuns.first?.toleratedFailurePercentage == 12.5)
    }

    @Test func s3FieldsParseAndAreListed() throws {
        let definition = try StateMachineDefinition(parsing: Self.machine(#""ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}},"#))
        #expect(definition.s3Fields.map(\.field) == ["ItemReader"])
        #expect(definition.s3Fields.map(\.state) == ["M"])
    }
}

/// The Map Run's bookkeeping the host keeps: concurrency, thresholds, counts.
struct MapRunProgressTests {
    static func request(items: [Int], maxConcurrency: Int = 0, count: Int? = nil, percentage: Double? = nil) throws -> MapRunRequest {
        let fields = (count.map { #""ToleratedFailureCount": \#($0),"# } ?? "")
            + (percentage.map { #""ToleratedFailurePercentage": \#($0),"# } ?? "")
            + #""MaxConcurrency": \#(maxConcurrency), "ItemsPath": "$.xs","#
        let run = try Harness(DistributedMapTests.machine(fields), input: ["xs": .array(items.map { .number(Double($0)) })])
        return try #require(run.mapRuns.first)
    }

    @Test func startsWithinMaxConcurrency() throws {
        var progress = MapRunProgress(request: try Self.request(items: [1, 2, 3, 4, 5], maxConcurrency: 2))
        #expect(progress.startable() == [0, 1])
        #expect(progress.startable() == [])
        progress.record(0, .succeeded)
        #expect(progress.startable() == [2])
        progress.maxConcurrency = 0
        #expect(progress.startable() == [3, 4])
        for index in 1...4 { progress.record(index, .succeeded) }
        #expect(progress.isComplete)
        #expect(!progress.thresholdExceeded)
    }

    /// After a redrive, unsuccessful children wait (`pendingRedrive`): they are not failures
    /// against the threshold, they start again within MaxConcurrency, and the run is complete
    /// only once none waits.
    @Test func childrenWaitingForARedriveRunAgain() throws {
        var progress = MapRunProgress(request: try Self.request(items: [1, 2, 3], maxConcurrency: 1))
        progress.redriveCount = 1
        progress.record(0, .succeeded)
        progress.record(1, .failed, waitsForRedrive: true)
        progress.record(2, .aborted, waitsForRedrive: true)
        #expect(!progress.thresholdExceeded && !progress.isComplete)
        #expect(progress.counts.executions.pendingRedrive == 2 && progress.counts.executions.failed == 1)
        #expect(progress.counts.executions.wire["pendingRedrive"] == 2)
        #expect(progress.startable() == [1])
        #expect(progress.counts.executions.pendingRedrive == 1 && progress.counts.executions.running == 1)
        progress.record(1, .succeeded)
        #expect(progress.startable() == [2])
        progress.record(2, .failed)
        #expect(progress.thresholdExceeded && progress.isComplete)
    }

    @Test func anyFailureExceedsWithoutThresholds() throws {
        var progress = MapRunProgress(request: try Self.request(items: [1, 2]))
        _ = progress.startable()
        progress.record(1, .failed)
        #expect(progress.thresholdExceeded)
    }

    @Test func countAndPercentageThresholds() throws {
        var counted = MapRunProgress(request: try Self.request(items: [1, 2, 3, 4], count: 1))
        _ = counted.startable()
        counted.record(0, .failed)
        #expect(!counted.thresholdExceeded)
        counted.record(1, .timedOut)
        #expect(counted.thresholdExceeded)

        var share = MapRunProgress(request: try Self.request(items: [1, 2, 3, 4], percentage: 50))
        _ = share.startable()
        share.record(0, .failed)
        share.record(1, .aborted)
        #expect(!share.thresholdExceeded, "2 of 4 is 50 %, not more")
        share.record(2, .failed)
        #expect(share.thresholdExceeded)
    }

    @Test func countsItemsAndExecutions() throws {
        var progress = MapRunProgress(request: try Self.request(items: [1, 2, 3], maxConcurrency: 1))
        _ = progress.startable()
        let (items, executions) = progress.counts
        #expect(items.running == 1 && items.pending == 2 && items.total == 3)
        #expect(executions.wire["total"] == 3)
        #expect(executions.wire["resultsWritten"] == 0)
    }
}
