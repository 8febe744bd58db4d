import Foundation
import JSON
import StackProtocol
import Testing
@testable import Stack

/// The saga engine with the bus: `events:putEvents` tasks, rules that start executions, the
/// `executions` stream topic and a prompt shutdown of activity long polls.
@Suite struct SagaIntegrationTests {
    /// A rule on the default bus for `source`, delivering to `queueArn`.
    func route(_ stack: SagaStack, rule: String, source: String, to targetArn: String, extra: JSONObject = [:]) async throws {
        try await stack.events("PutRule", ["Name": .string(rule), "EventPattern": .string(#"{"source":["\#(source)"]}"#)])
        var target: JSONObject = ["Id": "t1", "Arn": .string(targetArn)]
        for (key, value) in extra { target[key] = value }
        try await stack.events("PutTargets", ["Rule": .string(rule), "Targets": [.object(target)]])
    }

    func putEventsMachine(_ stack: SagaStack, name: String, resource: String = "arn:aws:states:::events:putEvents",
                          detail: String = #"{"orderId.$":"$.orderId"}"#, bus: String = "default") async throws -> String {
        try await stack.createMachine(name, #"""
            {"StartAt":"Announce","States":{"Announce":{"Type":"Task","Resource":"\#(resource)",
             "Parameters":{"Entries":[{"Detail":\#(detail),"DetailType":"OrderShipped","Source":"saga.test","EventBusName":"\#(bus)"}]},
             "End":true}}}
            """#)
    }

    @Test func putEventsTaskCommitsTheEventBeforeSucceeding() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let queue = try await stack.createQueue("shipped")
        try await route(stack, rule: "to-queue", source: "saga.test", to: queue.arn)
        let machine = try await putEventsMachine(stack, name: "announce")
        let execution = try await stack.start(machine, name: "o-7", input: #"{"orderId":"o-7"}"#)
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")

        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
        let output = try JSONValue(parsing: described["output"]?.stringValue ?? "")
        #expect(output["FailedEntryCount"]?.intValue == 0)
        let eventId = output["Entries"]?.arrayValue?.first?["EventId"]?.stringValue
        #expect(eventId != nil)
        // The event is already in the queue, with the execution and machine in Resources.
        let message = try #require(try await stack.receiveBody(queue.url))
        let event = try JSONValue(parsing: message.body)
        #expect(event["id"]?.stringValue == eventId)
        #expect(event["detail-type"]?.stringValue == "OrderShipped")
        #expect(event["detail"]?["orderId"]?.stringValue == "o-7")
        #expect(event["resources"]?.arrayValue?.compactMap(\.stringValue) == [machine, execution])
        #expect(try await stack.historyTypes(execution) == [
            "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded",
        ])
    }

    @Test func putEventsFailuresFailTheTaskWithEventBridgeErrorNames() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        // A bus that does not exist: the entry is refused, so the task fails.
        let machine = try await putEventsMachine(stack, name: "nowhere", bus: "no-such-bus")
        let execution = try await stack.start(machine, name: "x", input: #"{"orderId":"o-1"}"#)
        #expect(try await stack.waitForEnd(execution) == "FAILED")
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
        let error = described["error"]?.stringValue ?? ""
        #expect(error == "EventBridge.FailedEntry", "error was \(error)")
        #expect(try await stack.historyTypes(execution).contains("TaskFailed"))
    }

    @Test func putEventsWaitForTaskTokenWaitsForTheCallback() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let queue = try await stack.createQueue("callbacks")
        try await route(stack, rule: "callbacks", source: "saga.test", to: queue.arn)
        let machine = try await putEventsMachine(stack, name: "callback", resource: "arn:aws:states:::events:putEvents.waitForTaskToken",
                                                 detail: #"{"token.$":"$$.Task.Token"}"#)
        let execution = try await stack.start(machine, name: "cb")
        let message = try #require(try await stack.receiveBody(queue.url))
        let token = try #require(try JSONValue(parsing: message.body)["detail"]?["token"]?.stringValue)
        #expect(try await stack.status(execution) == "RUNNING")
        _ = try await stack.sfn("SendTaskSuccess", ["taskToken": .string(token), "output": #"{"confirmed":true}"#])
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
        #expect(described["output"]?.stringValue == #"{"confirmed":true}"#)
    }

    @Test func ruleWithStateMachineTargetStartsAnExecutionWithTheEvent() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("on-order", #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        try await route(stack, rule: "start-saga", source: "shop.orders", to: machine,
                        extra: ["RoleArn": "arn:aws:iam::000000000000:role/events-to-sfn"])
        let put = try await stack.events("PutEvents", ["Entries": [[
            "Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": #"{"orderId":"o-42"}"#,
        ]]])
        let eventId = try #require(put["Entries"]?.arrayValue?.first?["EventId"]?.stringValue)
        // Acknowledged means started: the execution is there as soon as PutEvents answered.
        let listed = try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine)])["executions"]?.arrayValue ?? []
        #expect(listed.count == 1)
        let execution = try #require(listed.first?["executionArn"]?.stringValue)
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
        let input = try JSONValue(parsing: described["input"]?.stringValue ?? "")
        #expect(input["id"]?.stringValue == eventId)
        #expect(input["source"]?.stringValue == "shop.orders")
        #expect(input["detail-type"]?.stringValue == "OrderPlaced")
        #expect(input["detail"]?["orderId"]?.stringValue == "o-42")
    }

    @Test func ruleTargetInputPathSelectsTheExecutionInput() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("detail-only", #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        try await route(stack, rule: "detail", source: "shop.orders", to: machine, extra: ["InputPath": "$.detail"])
        try await stack.events("PutEvents", ["Entries": [["Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": #"{"orderId":"o-1"}"#]]])
        let execution = try #require(try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine)])["executions"]?
            .arrayValue?.first?["executionArn"]?.stringValue)
        let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
        #expect(described["input"]?.stringValue == #"{"orderId":"o-1"}"#)
    }

    /// A target that is a version or alias ARN starts that version (the alias's), as
    /// StartExecution with a qualified ARN does, whatever the machine's current definition.
    @Test func ruleTargetingAVersionOrAliasStartsThatVersion() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("versioned", #"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"v1","End":true}}}"#)
        let v1 = try #require(try await stack.sfn("PublishStateMachineVersion", ["stateMachineArn": .string(machine)])["stateMachineVersionArn"]?.stringValue)
        _ = try await stack.sfn("UpdateStateMachine", ["stateMachineArn": .string(machine),
                                                       "definition": #"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"v2","End":true}}}"#])
        let alias = try #require(try await stack.sfn("CreateStateMachineAlias", ["name": "PROD", "routingConfiguration": [
            ["stateMachineVersionArn": .string(v1), "weight": 100]]])["stateMachineAliasArn"]?.stringValue)
        try await route(stack, rule: "to-version", source: "by.version", to: v1)
        try await route(stack, rule: "to-alias", source: "by.alias", to: alias)
        try await stack.events("PutEvents", ["Entries": [["Source": "by.version", "DetailType": "X", "Detail": "{}"],
                                                         ["Source": "by.alias", "DetailType": "X", "Detail": "{}"]]])
        let listed = try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine)])["executions"]?.arrayValue ?? []
        #expect(listed.count == 2)
        var seen: [String?] = []
        for item in listed {
            let execution = try #require(item["executionArn"]?.stringValue)
            #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
            let described = try await stack.sfn("DescribeExecution", ["executionArn": .string(execution)])
            #expect(described["output"]?.stringValue == #""v1""#)
            #expect(described["stateMachineArn"]?.stringValue == machine)
            #expect(described["stateMachineVersionArn"]?.stringValue == v1)
            seen.append(described["stateMachineAliasArn"]?.stringValue)
        }
        #expect(Set(seen) == [nil, alias])
        let throughAlias = try await stack.sfn("ListExecutions", ["stateMachineArn": .string(alias)])["executions"]?.arrayValue ?? []
        #expect(throughAlias.count == 1)
    }

    /// A version or alias that is not there fails the delivery as a missing machine does.
    @Test func ruleTargetingAMissingVersionOrAliasIsDeadLettered() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("few-versions", #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        let dlq = try await stack.createQueue("version-dlq")
        let noRetry: JSONObject = ["RetryPolicy": ["MaximumRetryAttempts": 0], "DeadLetterConfig": ["Arn": .string(dlq.arn)]]
        try await route(stack, rule: "to-missing-version", source: "missing.version", to: machine + ":7", extra: noRetry)
        try await route(stack, rule: "to-missing-alias", source: "missing.alias", to: machine + ":NOPE", extra: noRetry)
        try await stack.events("PutEvents", ["Entries": [["Source": "missing.version", "DetailType": "X", "Detail": "{}"],
                                                         ["Source": "missing.alias", "DetailType": "X", "Detail": "{}"]]])
        for _ in 0..<2 {
            let message = try #require(try await stack.receiveBody(dlq.url))
            #expect(message.attributes["ERROR_CODE"]?["StringValue"]?.stringValue == "ResourceNotFoundException")
            #expect(message.attributes["ERROR_MESSAGE"]?["StringValue"]?.stringValue?.hasPrefix("State Machine Does Not Exist: '\(machine):") == true)
        }
        #expect(try await stack.sfn("ListExecutions", ["stateMachineArn": .string(machine)])["executions"]?.arrayValue?.isEmpty == true)
    }

    @Test func missingStateMachineIsDeadLetteredAsTheBusRulesSay() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let dlq = try await stack.createQueue("saga-dlq")
        try await route(stack, rule: "to-missing", source: "shop.orders", to: "arn:aws:states:us-east-1:000000000000:stateMachine:gone",
                        extra: ["RetryPolicy": ["MaximumRetryAttempts": 0], "DeadLetterConfig": ["Arn": .string(dlq.arn)]])
        let put = try await stack.events("PutEvents", ["Entries": [["Source": "shop.orders", "DetailType": "X", "Detail": "{}"]]])
        #expect(put["FailedEntryCount"]?.intValue == 0)
        let message = try #require(try await stack.receiveBody(dlq.url))
        #expect(message.attributes["ERROR_CODE"]?["StringValue"]?.stringValue == "ResourceNotFoundException")
    }

    @Test func streamCarriesEveryCommittedHistoryEventAndStatusChanges() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let subscription = stack.hub.subscribe(topics: [.executions])
        let machine = try await stack.createMachine("streamed", #"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}"#)
        let execution = try await stack.start(machine, name: "s1")
        #expect(try await stack.waitForEnd(execution) == "SUCCEEDED")
        // Decoded by the protocol's one decoder, which checks `"v":1` and each type's shape.
        let messages = try await Self.executionMessages(subscription, stack: stack)
        let history = try await stack.sfn("GetExecutionHistory", ["executionArn": .string(execution), "maxResults": 1000])["events"]?.arrayValue ?? []
        let streamed = messages.compactMap { message -> ExecutionHistoryEvent? in
            if case .history(let event) = message { return event } else { return nil }
        }
        #expect(streamed.map(\.event) == history)
        #expect(streamed.allSatisfy { $0.execution.executionArn == execution && $0.execution.stateMachineArn == machine })
        #expect(streamed.last?.status == "SUCCEEDED")
        #expect(streamed.first?.status == "RUNNING")
        let statuses = messages.compactMap { message -> String? in
            if case .execution(let change) = message { return change.status } else { return nil }
        }
        #expect(statuses == ["RUNNING", "SUCCEEDED"])
        #expect(messages.allSatisfy { $0.topic == .executions })
    }

    @Test func beginShutdownAnswersOpenActivityPollsAtOnce() async throws {
        let stack = try SagaStack(activityPollLimit: .seconds(60))
        defer { stack.remove() }
        let activity = try await stack.createActivity("idle")
        let started = ContinuousClock.now
        let poll = Task { try await stack.poll(activity) }
        // Let the poll park (it answers empty either way; only shutdown makes it early).
        try await Task.sleep(for: .milliseconds(200))
        await stack.sagas.beginShutdown()
        let task = try await poll.value
        #expect(task == nil)
        #expect(ContinuousClock.now - started < .seconds(30), "the poll waited for its full minute")
        // Polls after shutdown began do not wait either.
        #expect(try await stack.poll(activity) == nil)
    }

    @Test func startsFollowUpdatesAndDeletesOfTheMachine() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("versioned", #"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"End":true}}}"#)
        let first = try await stack.start(machine, name: "one")
        _ = try await stack.sfn("UpdateStateMachine", ["stateMachineArn": .string(machine),
                                                       "definition": #"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":2,"End":true}}}"#])
        let second = try await stack.start(machine, name: "two")
        #expect(try await stack.sfn("DescribeExecution", ["executionArn": .string(first)])["output"]?.stringValue == "1")
        #expect(try await stack.sfn("DescribeExecution", ["executionArn": .string(second)])["output"]?.stringValue == "2")
        _ = try await stack.sfn("DeleteStateMachine", ["stateMachineArn": .string(machine)])
        #expect(await stack.sfnError("StartExecution", ["stateMachineArn": .string(machine), "name": "three"]) == "StateMachineDoesNotExist")
    }

    @Test func executionStartedByARuleSurvivesReopeningTheStore() async throws {
        let first = try SagaStack()
        defer { first.remove() }
        let activity = try await first.createActivity("fulfil")
        let machine = try await first.createMachine("fulfilment", #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(activity)","End":true}}}"#)
        try await route(first, rule: "fulfil", source: "shop.orders", to: machine, extra: ["InputPath": "$.detail"])
        try await first.events("PutEvents", ["Entries": [["Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": #"{"orderId":"o-5"}"#]]])

        // A restart right after PutEvents answered: the execution is there and its task offered.
        let second = try SagaStack(directory: first.directory)
        let task = try #require(try await second.poll(activity))
        #expect(task.input == ["orderId": "o-5"])
        _ = try await second.sfn("SendTaskSuccess", ["taskToken": .string(task.token), "output": #"{"shipped":true}"#])
        let execution = try #require(try await second.sfn("ListExecutions", ["stateMachineArn": .string(machine)])["executions"]?
            .arrayValue?.first?["executionArn"]?.stringValue)
        #expect(try await second.waitForEnd(execution) == "SUCCEEDED")
    }

    @Test func redriveIsStreamedAsRunningAgain() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let activity = try await stack.createActivity("once-failing")
        let machine = try await stack.createMachine("redriven", #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(activity)","End":true}}}"#)
        let execution = try await stack.start(machine, name: "r1")
        let failing = try #require(try await stack.poll(activity))
        _ = try await stack.sfn("SendTaskFailure", ["taskToken": .string(failing.token), "error": "Flaky"])
        #expect(try await stack.waitForEnd(execution) == "FAILED")
        let subscription = stack.hub.subscribe(topics: [.executions])
        _ = try await stack.sfn("RedriveExecution", ["executionArn": .string(execution)])
        let retry = try #require(try await stack.poll(activity))
        _ = try await stack.sfn("SendTaskSuccess", ["taskToken": .string(retry.token), "output": "{}"])
        let messages = try await Self.executionMessages(subscription, stack: stack)
        guard case .execution(let restarted)? = messages.first else {
            Issue.record("the first frame is not an execution frame: \(String(describing: messages.first))")
            return
        }
        #expect(restarted.status == "RUNNING")
        #expect(restarted.redriveCount == 1)
        guard case .history(let redriven)? = messages.dropFirst().first else {
            Issue.record("the second frame is not a history frame")
            return
        }
        #expect(redriven.event["type"] == "ExecutionRedriven")
    }

    /// The `executions` messages until the execution frame saying SUCCEEDED, then unsubscribes.
    static func executionMessages(_ subscription: StreamSubscription, stack: SagaStack) async throws -> [StreamMessage] {
        var messages: [StreamMessage] = []
        for await text in subscription {
            guard case .published(let message, _) = try StreamFrameCodec.decode(text) else { continue }
            messages.append(message)
            if case .execution(let change) = message, change.status == "SUCCEEDED" { break }
        }
        stack.hub.unsubscribe(subscription)
        return messages
    }
}
