import Demo
import Foundation
import GRDB
import JSON
import Testing
@testable import Stack

@Suite struct SagaServiceTests {
    let role: JSONValue = "arn:aws:iam::000000000000:role/saga"

    /// Runs the seed's order saga with one outcome per activity; returns the execution ARN.
    func runOrder(_ stack: SagaStack, name: String, fail: Set<String>) async throws -> String {
        let machine = try await stack.createMachine("order-saga", OrderSaga.definition)
        var activities: [String: String] = [:]
        for activity in ["inventory-reserve", "payment-charge", "shipping-create", "inventory-release", "payment-refund"] {
            activities[activity] = try await stack.createActivity(activity)
        }
        let execution = try await stack.start(machine, name: name, input: #"{"orderId":"o-1","amount":42}"#)
        var steps = 0
        while try await stack.status(execution) == "RUNNING", steps < 20 {
            steps += 1
            for (activity, arn) in activities {
                guard let task = try await stack.poll(arn) else { continue }
                if fail.contains(activity) {
                    _ = try await stack.sfn("SendTaskFailure", ["taskToken": .string(task.token), "error": "Declined", "cause": .string(activity)])
                } else {
                    _ = try await stack.sfn("SendTaskSuccess", ["taskToken": .string(task.token),
                                                                "output": .string(#"{"done":"\#(activity)"}"#)])
                }
            }
        }
        return execution
    }

    @Test func orderSagaHappyPathSucceedsWithAWSHistory() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let execution = try await runOrder(stack, name: "happy", fail: [])
        #expect(try await stack.status(execution) == "SUCCEEDED")
        let types = try await stack.historyTypes(execution)
        #expect(types == ["ExecutionStarted",
                          "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
                          "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
                          "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
                          "ExecutionSucceeded"])
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
        #expect(described["output"]?.stringValue == #"{"done":"shipping-create"}"#)
        // Event ids are dense and previousEventId points back.
        let events = try await stack.sfn("GetExecutionHistory", ["executionArn": .string(execution)])["events"]?.arrayValue ?? []
        #expect(events.compactMap { $0["id"]?.intValue } == Array(1...events.count))
    }

    @Test func shippingFailureRefundsThenReleases() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let execution = try await runOrder(stack, name: "ship-fails", fail: ["shipping-create"])
        #expect(try await stack.status(execution) == "FAILED")
        let entered = try await stack.sfn("GetExecutionHistory", ["executionArn": .string(execution), "maxResults": 1000])["events"]?
            .arrayValue?.compactMap { $0["stateEnteredEventDetails"]?["name"]?.stringValue } ?? []
        #expect(entered == ["ReserveInventory", "ChargePayment", "ShipOrder", "CompensatePayment", "CompensateInventory", "SagaFailed"])
    }

    @Test func startIsIdempotentByNameAndInput() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("idem", #"{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:never","End":true}}}"#)
        let first = try await stack.start(machine, name: "same", input: #"{"a":1}"#)
        let again = try await stack.start(machine, name: "same", input: #"{"a":1}"#)
        #expect(first == again)
        #expect(await stack.sfnError("StartExecution", ["stateMachineArn": .string(machine), "name": "same", "input": #"{"a":2}"#]) == "ExecutionAlreadyExists")
        let listed = try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine), "statusFilter": "RUNNING"])
        #expect(listed["executions"]?.arrayValue?.count == 1)
    }

    @Test func badRequestsGetAWSErrorCodes() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        #expect(await stack.sfnError("CreateStateMachine", ["name": "x", "definition": #"{"StartAt":"Nope","States":{}}"#, "roleArn": role]) == "InvalidDefinition")
        #expect(await stack.sfnError("CreateStateMachine", ["name": "bad name", "definition": #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#, "roleArn": role]) == "InvalidName")
        #expect(await stack.sfnError("CreateStateMachine", ["name": "p", "definition": #"{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$$$","End":true}}}"#, "roleArn": role]) == "InvalidDefinition")
        #expect(await stack.sfnError("DescribeStateMachine", ["stateMachineArn": "not-an-arn"]) == "InvalidArn")
        #expect(await stack.sfnError("DescribeStateMachine", ["stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:none"]) == "StateMachineDoesNotExist")
        #expect(await stack.sfnError("DescribeExecution", ["executionArn": "arn:aws:states:us-east-1:000000000000:execution:none:x"]) == "ExecutionDoesNotExist")
        #expect(await stack.sfnError("GetActivityTask", ["activityArn": "arn:aws:states:us-east-1:000000000000:activity:none"]) == "ActivityDoesNotExist")
        #expect(await stack.sfnError("SendTaskSuccess", ["taskToken": "garbage", "output": "{}"]) == "InvalidToken")
        #expect(await stack.sfnError("SendTaskSuccess", ["taskToken": .string(String(repeating: "a", count: 64)), "output": "{}"]) == "TaskDoesNotExist")
        let machine = try await stack.createMachine("p", #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        #expect(await stack.sfnError("StartExecution", ["stateMachineArn": .string(machine), "input": "{nope"]) == "InvalidExecutionInput")
        let big = "\"" + String(repeating: "x", count: 262_144) + "\""
        #expect(await stack.sfnError("StartExecution", ["stateMachineArn": .string(machine), "input": .string(big)]) == "ValidationException")
        let report = try await stack.sfn("ValidateStateMachineDefinition", ["definition": #"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#])
        #expect(report["result"]?.stringValue == "FAIL")
        #expect(report["diagnostics"]?.arrayValue?.first?["code"]?.stringValue == "MISSING_TRANSITION_TARGET")
    }

    @Test func usedTokenIsTimedOutAndBadOutputLeavesTaskPending() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let activity = try await stack.createActivity("work")
        let machine = try await stack.createMachine("one", #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(activity)","End":true}}}"#)
        let execution = try await stack.start(machine, name: "e")
        let task = try #require(try await stack.poll(activity))
        #expect(await stack.sfnError("SendTaskSuccess", ["taskToken": .string(task.token), "output": "{broken"]) == "InvalidOutput")
        #expect(try await stack.status(execution) == "RUNNING")
        _ = try await stack.sfn("SendTaskSuccess", ["taskToken": .string(task.token), "output": #"{"ok":true}"#])
        #expect(await stack.sfnError("SendTaskSuccess", ["taskToken": .string(task.token), "output": "{}"]) == "TaskTimedOut")
        #expect(try await stack.status(execution) == "SUCCEEDED")
    }

    @Test func runningExecutionSurvivesReopeningTheStore() async throws {
        let first = try SagaStack()
        defer { first.remove() }
        let activity = try await first.createActivity("slow")
        let machine = try await first.createMachine("durable", #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(activity)","Next":"Done"},"Done":{"Type":"Pass","End":true}}}"#)
        let untaken = try await first.start(machine, name: "untaken", input: #"{"n":1}"#)
        let taken = try await first.start(machine, name: "taken", input: #"{"n":2}"#)
        // One task is handed to a worker before the "crash"; the other is not.
        let held = try #require(try await first.poll(activity))
        #expect(held.input == ["n": 1] || held.input == ["n": 2])
        let heldExecution = held.input == ["n": 1] ? untaken : taken
        let otherExecution = heldExecution == untaken ? taken : untaken

        let second = try SagaStack(directory: first.directory)
        // The task nobody took is offered again; the held token stays valid.
        let offered = try #require(try await second.poll(activity))
        #expect(offered.input != held.input)
        #expect(try await second.poll(activity) == nil)
        _ = try await second.sfn("SendTaskSuccess", ["taskToken": .string(held.token), "output": "{}"])
        _ = try await second.sfn("SendTaskSuccess", ["taskToken": .string(offered.token), "output": "{}"])
        #expect(try await second.waitForEnd(heldExecution) == "SUCCEEDED")
        #expect(try await second.waitForEnd(otherExecution) == "SUCCEEDED")
    }

    @Test func stopAndRedrive() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let activity = try await stack.createActivity("flaky")
        let machine = try await stack.createMachine("redrive", #"{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"a":1},"Next":"T"},"T":{"Type":"Task","Resource":"\#(activity)","End":true}}}"#)
        let execution = try await stack.start(machine, name: "r")
        let task = try #require(try await stack.poll(activity))
        _ = try await stack.sfn("SendTaskFailure", ["taskToken": .string(task.token), "error": "Boom"])
        #expect(try await stack.waitForEnd(execution) == "FAILED")
        let redriven = try await stack.sfn("RedriveExecution", ["executionArn": .string(execution)])
        #expect(redriven["redriveDate"] != nil)
        let again = try #require(try await stack.poll(activity))
        #expect(again.input == ["a": 1])
        _ = try await stack.sfn("SendTaskSuccess", ["taskToken": .string(again.token), "output": "{}"])
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
        let types = try await stack.historyTypes(execution)
        #expect(types.filter { $0 == "PassStateEntered" }.count == 1)
        #expect(types.contains("ExecutionRedriven"))
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
        #expect(described["redriveCount"]?.intValue == 1)

        // A store from before the redrive columns (migration sfn-v7) takes them from the state.
        let state = try #require(try await stack.store.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM sfn_execution WHERE arn = ?", arguments: [execution])
        })
        let olderDirectory = stack.directory.appendingPathComponent("older")
        let older = try StackStore(directory: olderDirectory, migrations: StackAssembly.migrations.filter { $0.identifier != "sfn-v7-execution-redrives" })
        try await older.write { db in
            try db.execute(sql: "INSERT INTO sfn_execution (arn, machine_arn, name, status, input, started_at, version, state) VALUES (?, ?, 'r', 'SUCCEEDED', '{}', 0, 9, ?)",
                           arguments: [execution, machine, state])
        }
        let migrated = try StackStore(directory: olderDirectory, migrations: StackAssembly.migrations)
        let columns = try #require(try await migrated.read { db in
            try Row.fetchOne(db, sql: "SELECT redrive_count, redrive_date FROM sfn_execution WHERE arn = ?", arguments: [execution])
                .map { ($0["redrive_count"] as Int, $0["redrive_date"] as Int64?) }
        })
        #expect(columns.0 == 1)
        #expect(columns.1.map { Date(millis: $0).epochSeconds } == redriven["redriveDate"])

        let second = try await stack.start(machine, name: "s")
        _ = try await stack.sfn("StopExecution", ["executionArn": .string(second), "error": "Manual", "cause": "operator"])
        #expect(try await stack.status(second) == "ABORTED")
        #expect(try await stack.poll(activity) == nil)
    }
}
