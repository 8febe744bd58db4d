import Foundation
import JSON
import StackProtocol
import Testing
import Timekeeping
@testable import Stack

@Suite("EventBridge service")
struct BusTests {
    @Test("buses: default exists; create, describe, list, delete; AWS's errors")
    func buses() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let described = try await stack.events("DescribeEventBus", [:])
        #expect(described["Name"] == "default")
        #expect(described["Arn"] == "arn:aws:events:us-east-1:000000000000:event-bus/default")
        let created = try await stack.events("CreateEventBus", ["Name": "orders", "Description": "order events"])
        #expect(created["EventBusArn"] == "arn:aws:events:us-east-1:000000000000:event-bus/orders")
        #expect(await stack.eventsError("CreateEventBus", ["Name": "orders"]) == "ResourceAlreadyExistsException")
        #expect(await stack.eventsError("CreateEventBus", ["Name": "bad/name"]) == "ValidationException")
        #expect(await stack.eventsError("DeleteEventBus", ["Name": "default"]) == "ValidationException")
        #expect(await stack.eventsError("DescribeEventBus", ["Name": "nope"]) == "ResourceNotFoundException")
        let byArn = try await stack.events("DescribeEventBus", ["Name": "arn:aws:events:us-east-1:000000000000:event-bus/orders"])
        #expect(byArn["Description"] == "order events")
        let listed = try await stack.events("ListEventBuses", [:])
        #expect(listed["EventBuses"]?.arrayValue?.compactMap { $0["Name"]?.stringValue } == ["default", "orders"])
        let page = try await stack.events("ListEventBuses", ["Limit": 1])
        #expect(page["EventBuses"]?.arrayValue?.count == 1)
        let next = try await stack.events("ListEventBuses", ["Limit": 1, "NextToken": page["NextToken"] ?? .null])
        #expect(next["EventBuses"]?[0]?["Name"] == "orders")
        try await stack.events("DeleteEventBus", ["Name": "orders"])
        #expect(await stack.eventsError("DescribeEventBus", ["Name": "orders"]) == "ResourceNotFoundException")
        try await stack.events("DeleteEventBus", ["Name": "orders"])
    }

    @Test("rules: patterns validated, states, describe and list; AWS's errors")
    func rules() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let put = try await stack.events("PutRule", ["Name": "placed", "EventPattern": #"{"source":["orders"]}"#])
        #expect(put["RuleArn"] == "arn:aws:events:us-east-1:000000000000:rule/placed")
        #expect(await stack.eventsError("PutRule", ["Name": "bad", "EventPattern": #"{"source":"orders"}"#]) == "InvalidEventPatternException")
        let invalid = await stack.call("AWSEvents", "PutRule", ["Name": "bad", "EventPattern": #"{"source":[]}"#])
        #expect(invalid.body["message"]?.stringValue?.hasPrefix("Event pattern is not valid. Reason:") == true)
        #expect(await stack.eventsError("PutRule", ["Name": "none"]) == "ValidationException")
        #expect(await stack.eventsError("PutRule", ["Name": "x", "EventPattern": #"{"source":["a"]}"#, "EventBusName": "missing"]) == "ResourceNotFoundException")
        #expect(await stack.eventsError("PutRule", ["Name": "bad name!", "EventPattern": #"{"source":["a"]}"#]) == "ValidationException")
        #expect(await stack.eventsError("PutRule", ["Name": "x", "EventPattern": #"{"source":["a"]}"#, "State": "ON"]) == "ValidationException")
        try await stack.events("CreateEventBus", ["Name": "custom"])
        let custom = try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["a"]}"#, "EventBusName": "custom"])
        #expect(custom["RuleArn"] == "arn:aws:events:us-east-1:000000000000:rule/custom/r")
        try await stack.events("DisableRule", ["Name": "placed"])
        let described = try await stack.events("DescribeRule", ["Name": "placed"])
        #expect(described["State"] == "DISABLED")
        #expect(described["EventPattern"] == #"{"source":["orders"]}"#)
        #expect(described["EventBusName"] == "default")
        try await stack.events("EnableRule", ["Name": "placed"])
        #expect(try await stack.events("DescribeRule", ["Name": "placed"])["State"] == "ENABLED")
        #expect(await stack.eventsError("EnableRule", ["Name": "ghost"]) == "ResourceNotFoundException")
        #expect(await stack.eventsError("DescribeRule", ["Name": "ghost"]) == "ResourceNotFoundException")
        let listed = try await stack.events("ListRules", ["NamePrefix": "pl"])
        #expect(listed["Rules"]?.arrayValue?.count == 1)
        #expect(try await stack.events("ListRules", ["EventBusName": "custom"])["Rules"]?[0]?["Name"] == "r")
        #expect(await stack.eventsError("ListRules", ["EventBusName": "ghost"]) == "ResourceNotFoundException")
    }

    @Test("targets: per-target failures, the limit of five, removal and lookup by target")
    func targets() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["a"]}"#])
        let put = try await stack.events("PutTargets", ["Rule": "r", "Targets": [
            ["Id": "q", "Arn": .string(stack.queueArn("q"))],
            ["Id": "fn", "Arn": "arn:aws:lambda:us-east-1:000000000000:function:f"],
        ]])
        #expect(put["FailedEntryCount"] == 1)
        #expect(put["FailedEntries"]?[0]?["TargetId"] == "fn")
        #expect(await stack.eventsError("PutTargets", ["Rule": "ghost", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("q"))]]]) == "ResourceNotFoundException")
        #expect(await stack.eventsError("PutTargets", ["Rule": "r", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("q")), "Input": "{not json"]]]) == "ValidationException")
        #expect(await stack.eventsError("PutTargets", ["Rule": "r", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("q")), "Input": "{}", "InputPath": "$.detail"]]]) == "ValidationException")
        let five: [JSONValue] = (1...5).map { ["Id": .string("t\($0)"), "Arn": .string(stack.queueArn("q\($0)"))] }
        #expect(await stack.eventsError("PutTargets", ["Rule": "r", "Targets": .array(five)]) == "LimitExceededException")
        let byTarget = try await stack.events("ListRuleNamesByTarget", ["TargetArn": .string(stack.queueArn("q"))])
        #expect(byTarget["RuleNames"] == ["r"])
        #expect(await stack.eventsError("DeleteRule", ["Name": "r"]) == "ValidationException")
        let listed = try await stack.events("ListTargetsByRule", ["Rule": "r"])
        #expect(listed["Targets"]?[0]?["Id"] == "q")
        let removed = try await stack.events("RemoveTargets", ["Rule": "r", "Ids": ["q", "ghost"]])
        #expect(removed["FailedEntryCount"] == 1)
        #expect(removed["FailedEntries"]?[0]?["TargetId"] == "ghost")
        try await stack.events("DeleteRule", ["Name": "r"])
        #expect(await stack.eventsError("DescribeRule", ["Name": "r"]) == "ResourceNotFoundException")
    }

    @Test("PutEvents delivers the envelope to SQS; disabled rules deliver nothing")
    func deliveryToQueue() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let url = try await stack.createQueue("orders")
        try await stack.events("PutRule", ["Name": "placed", "EventPattern": #"{"source":["orders"],"detail":{"total":[{"numeric":[">",100]}]}}"#])
        try await stack.events("PutTargets", ["Rule": "placed", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("orders"))]]])
        let result = try await stack.events("PutEvents", ["Entries": [
            ["Source": "orders", "DetailType": "OrderPlaced", "Detail": #"{"total":150}"#, "Resources": ["arn:x"]],
            ["Source": "orders", "DetailType": "OrderPlaced", "Detail": #"{"total":50}"#],
        ]])
        #expect(result["FailedEntryCount"] == 0)
        let id = result["Entries"]?[0]?["EventId"]?.stringValue
        let bodies = try await stack.bodies(url)
        #expect(bodies.count == 1)
        let envelope = try JSONValue(parsing: bodies[0])
        #expect(envelope["id"]?.stringValue == id)
        #expect(envelope["version"] == "0")
        #expect(envelope["detail-type"] == "OrderPlaced")
        #expect(envelope["source"] == "orders")
        #expect(envelope["account"] == "000000000000")
        #expect(envelope["region"] == "us-east-1")
        #expect(envelope["resources"] == ["arn:x"])
        #expect(envelope["detail"]?["total"] == 150)
        #expect(envelope["time"]?.stringValue == BusEvents.iso8601(millis: stack.clock.wallClockNow.milliseconds))
        try await stack.events("DisableRule", ["Name": "placed"])
        _ = try await stack.putEvent(detail: ["total": 500])
        #expect(try await stack.bodies(url).count == 1)
    }

    @Test("PutEvents: per-entry errors, the entry count and the 256 KB size rule")
    func putEventsErrors() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let result = try await stack.events("PutEvents", ["Entries": [
            ["Source": "a", "DetailType": "t", "Detail": "{}"],
            ["Source": "a", "DetailType": "t"],
            ["Source": "a", "DetailType": "t", "Detail": "[1,2"],
            ["Source": "a", "DetailType": "t", "Detail": "{}", "EventBusName": "ghost"],
        ]])
        #expect(result["FailedEntryCount"] == 3)
        let entries = result["Entries"]?.arrayValue ?? []
        #expect(entries[0]["EventId"] != nil)
        #expect(entries[1]["ErrorCode"] == "InvalidArgument")
        #expect(entries[2]["ErrorCode"] == "MalformedDetail")
        #expect(entries[3]["ErrorCode"] == "InvalidArgument")
        let eleven: [JSONValue] = (0..<11).map { _ in ["Source": "a", "DetailType": "t", "Detail": "{}"] }
        #expect(await stack.eventsError("PutEvents", ["Entries": .array(eleven)]) == "ValidationException")
        #expect(await stack.eventsError("PutEvents", ["Entries": []]) == "ValidationException")
        let big = String(repeating: "x", count: 256 * 1024)
        #expect(await stack.eventsError("PutEvents", ["Entries": [["Source": "a", "DetailType": "t", "Detail": .string("{\"b\":\"\(big)\"}")]]]) == "ValidationException")
        let justUnder = String(repeating: "x", count: 256 * 1024 - 20)
        let fits = try await stack.events("PutEvents", ["Entries": [["Source": "a", "DetailType": "t", "Detail": .string("{\"b\":\"\(justUnder)\"}")]]])
        #expect(fits["FailedEntryCount"] == 0)
    }

    @Test("Input, InputPath and InputTransformer shape what the target receives")
    func transformations() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let url = try await stack.createQueue("shaped")
        let arn = JSONValue.string(stack.queueArn("shaped"))
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["orders"]}"#])
        try await stack.events("PutTargets", ["Rule": "r", "Targets": [
            ["Id": "constant", "Arn": arn, "Input": #"{"fixed":true}"#],
            ["Id": "path", "Arn": arn, "InputPath": "$.detail.customer"],
            ["Id": "template", "Arn": arn, "InputTransformer": [
                "InputPathsMap": ["id": "$.detail.id", "total": "$.detail.total", "first": "$.detail.items[0].sku"],
                "InputTemplate": #"{"order":"<id>","total":<total>,"sku":"<first>","rule":"<aws.events.rule-name>","text":"order <id> of <total>"}"#,
            ]],
        ]])
        _ = try await stack.putEvent(detail: ["id": "o-1", "total": 42.5, "customer": ["name": "Ada \"A\""],
                                              "items": [["sku": "S1"], ["sku": "S2"]]])
        let bodies = try await stack.bodies(url).compactMap { try? JSONValue(parsing: $0) }
        #expect(bodies.count == 3)
        #expect(bodies.contains(["fixed": true]))
        #expect(bodies.contains(["name": "Ada \"A\""]))
        #expect(bodies.contains(["order": "o-1", "total": 42.5, "sku": "S1", "rule": "r", "text": "order o-1 of 42.5"]))
        #expect(await stack.eventsError("PutTargets", ["Rule": "r", "Targets": [["Id": "bad", "Arn": arn, "InputTransformer": [
            "InputPathsMap": ["aws.events.x": "$.detail"], "InputTemplate": "<x>"]]]]) == "ValidationException")
    }

    @Test("events reach other buses and their rules")
    func busToBus() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let url = try await stack.createQueue("audit")
        try await stack.events("CreateEventBus", ["Name": "audit"])
        try await stack.events("PutRule", ["Name": "forward", "EventPattern": #"{"source":["orders"]}"#])
        try await stack.events("PutTargets", ["Rule": "forward", "Targets": [["Id": "b", "Arn": "arn:aws:events:us-east-1:000000000000:event-bus/audit"]]])
        try await stack.events("PutRule", ["Name": "all", "EventPattern": #"{"detail-type":["OrderPlaced"]}"#, "EventBusName": "audit"])
        try await stack.events("PutTargets", ["Rule": "all", "EventBusName": "audit", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("audit"))]]])
        let put = try await stack.putEvent(detail: ["n": 1])
        let bodies = try await stack.bodies(url)
        #expect(bodies.count == 1)
        #expect(try JSONValue(parsing: bodies[0])["id"] == put["Entries"]?[0]?["EventId"])
    }

    @Test("a delivery to a missing queue is retried from the outbox until the queue exists")
    func retries() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["orders"]}"#])
        try await stack.events("PutTargets", ["Rule": "r", "Targets": [["Id": "later", "Arn": .string(stack.queueArn("later"))]]])
        _ = try await stack.putEvent(detail: ["n": 1])
        var outbox = try await stack.bus.outbox()
        #expect(outbox.count == 1)
        #expect(outbox.first?.state == "pending")
        #expect(outbox.first?.errorCode == "QueueDoesNotExist")
        #expect(try await stack.bus.retryDue() == 0)
        stack.clock.advance(by: .seconds(1))
        #expect(try await stack.bus.retryDue() == 1)
        outbox = try await stack.bus.outbox()
        #expect(outbox.first?.attempts == 1)
        let url = try await stack.createQueue("later")
        stack.clock.advance(by: .seconds(2))
        #expect(try await stack.bus.retryDue() == 1)
        #expect(try await stack.bus.outbox().isEmpty)
        #expect(try await stack.bodies(url).count == 1)
        let samples = stack.metrics.samples()
        #expect(samples.contains(.init(name: "signalbox_events_deliveries_total", labels: ["outcome": "retrying"], value: 2)))
        #expect(samples.contains(.init(name: "signalbox_events_deliveries_total", labels: ["outcome": "delivered"], value: 1)))
    }

    @Test("out of retries: to the dead-letter queue with AWS's attributes, or kept as failed")
    func deadLetters() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let dlq = try await stack.createQueue("dlq")
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["orders"]}"#])
        try await stack.events("PutTargets", ["Rule": "r", "Targets": [
            ["Id": "withDLQ", "Arn": .string(stack.queueArn("gone")), "RetryPolicy": ["MaximumRetryAttempts": 0],
             "DeadLetterConfig": ["Arn": .string(stack.queueArn("dlq"))]],
            ["Id": "noDLQ", "Arn": .string(stack.queueArn("gone2")), "RetryPolicy": ["MaximumRetryAttempts": 0]],
        ]])
        let put = try await stack.putEvent(detail: ["n": 1])
        let received = try await stack.sqs("ReceiveMessage", ["QueueUrl": .string(dlq), "MessageAttributeNames": ["All"]])
        let message = received["Messages"]?[0]
        #expect(try JSONValue(parsing: message?["Body"]?.stringValue ?? "")["id"] == put["Entries"]?[0]?["EventId"])
        #expect(message?["MessageAttributes"]?["ERROR_CODE"]?["StringValue"] == "QueueDoesNotExist")
        #expect(message?["MessageAttributes"]?["RULE_ARN"]?["StringValue"] == "arn:aws:events:us-east-1:000000000000:rule/r")
        let outbox = try await stack.bus.outbox()
        #expect(outbox.map { $0.targetId } == ["noDLQ"])
        #expect(outbox.first?.state == "failed")
        let samples = stack.metrics.samples()
        #expect(samples.contains(.init(name: "signalbox_events_deliveries_total", labels: ["outcome": "failed"], value: 1)))
        #expect(samples.contains(.init(name: "signalbox_events_deliveries_total", labels: ["outcome": "dead-lettered"], value: 1)))
        #expect(await stack.eventsError("PutTargets", ["Rule": "r", "Targets": [["Id": "x", "Arn": .string(stack.queueArn("q")),
            "RetryPolicy": ["MaximumRetryAttempts": 200]]]]) == "ValidationException")
    }

    @Test("acknowledged deliveries and the outbox survive reopening the store")
    func durability() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-bus-durable-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let stack = try BusTestStack(directory: directory)
            _ = try await stack.createQueue("kept")
            try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["orders"]}"#])
            try await stack.events("PutTargets", ["Rule": "r", "Targets": [
                ["Id": "kept", "Arn": .string(stack.queueArn("kept"))],
                ["Id": "later", "Arn": .string(stack.queueArn("later"))],
            ]])
            for index in 0..<20 { _ = try await stack.putEvent(detail: ["n": .number(Double(index))]) }
        }
        let reopened = try BusTestStack(directory: directory)
        #expect(try await reopened.bodies("http://127.0.0.1:4599/000000000000/kept").count == 20)
        #expect(try await reopened.bus.outbox().count == 20)
        let later = try await reopened.createQueue("later")
        reopened.clock.advance(by: .seconds(5))
        #expect(try await reopened.bus.retryDue() == 20)
        #expect(try await reopened.bodies(later).count == 20)
        // Routing was rebuilt from the store: a new event is still delivered.
        _ = try await reopened.putEvent(detail: ["n": 99])
        #expect(try await reopened.bodies(later).count == 21)
    }

    @Test("TestEventPattern answers with the matcher's verdict and AWS's errors")
    func testEventPattern() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let event = #"{"id":"1","account":"1","source":"orders","time":"2024-01-01T00:00:00Z","region":"us-east-1","detail-type":"x","detail":{"a":5}}"#
        #expect(try await stack.events("TestEventPattern", ["EventPattern": #"{"detail":{"a":[{"numeric":[">",4]}]}}"#, "Event": .string(event)])["Result"] == true)
        #expect(try await stack.events("TestEventPattern", ["EventPattern": #"{"source":["payments"]}"#, "Event": .string(event)])["Result"] == false)
        #expect(await stack.eventsError("TestEventPattern", ["EventPattern": #"{"source":"x"}"#, "Event": .string(event)]) == "InvalidEventPatternException")
        #expect(await stack.eventsError("TestEventPattern", ["EventPattern": #"{"source":["x"]}"#, "Event": "{}"]) == "ValidationException")
    }

    @Test("tags on buses and rules")
    func tags() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("CreateEventBus", ["Name": "t", "Tags": [["Key": "team", "Value": "orders"]]])
        let arn = JSONValue.string("arn:aws:events:us-east-1:000000000000:event-bus/t")
        try await stack.events("TagResource", ["ResourceARN": arn, "Tags": [["Key": "env", "Value": "dev"]]])
        #expect(try await stack.events("ListTagsForResource", ["ResourceARN": arn])["Tags"] == [["Key": "env", "Value": "dev"], ["Key": "team", "Value": "orders"]])
        try await stack.events("UntagResource", ["ResourceARN": arn, "TagKeys": ["team"]])
        #expect(try await stack.events("ListTagsForResource", ["ResourceARN": arn])["Tags"]?.arrayValue?.count == 1)
        #expect(await stack.eventsError("ListTagsForResource", ["ResourceARN": "arn:aws:events:us-east-1:000000000000:rule/ghost"]) == "ResourceNotFoundException")
    }

    @Test("stream viewers see each event with its matched rules and delivery outcomes")
    func streamFrames() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        _ = try await stack.createQueue("q")
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["orders"]}"#])
        try await stack.events("PutTargets", ["Rule": "r", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("q"))],
                                                                       ["Id": "missing", "Arn": .string(stack.queueArn("missing"))]]])
        let viewer = stack.hub.subscribe(topics: [.events])
        let filtered = stack.hub.subscribe(topics: [.events], pattern: try .init(parsing: #"{"source":["payments"]}"#))
        _ = try await stack.putEvent(detail: ["n": 1])
        _ = try await stack.putEvent(source: "payments", detail: ["n": 2])
        // Decoding checks `"v":1` and the `event` type's shape.
        let first = try #require(try Self.eventFrame(await viewer.next()))
        #expect(first.matched == [MatchedRule(bus: "default", rule: "r")])
        #expect(first.deliveries.map(\.status) == [.delivered, .retrying])
        let second = try #require(try Self.eventFrame(await viewer.next()))
        #expect(second.event.value["source"] == "payments")
        #expect(second.matched == [])
        #expect(filtered.buffered == 1)
    }

    @Test("a bus-to-bus hop reports the rules it matched on the next bus, even one without targets")
    func streamFramesNameRulesMatchedAfterAHop() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("CreateEventBus", ["Name": "audit"])
        try await stack.events("PutRule", ["Name": "forward", "EventPattern": #"{"source":["orders"]}"#])
        try await stack.events("PutTargets", ["Rule": "forward", "Targets": [
            ["Id": "audit", "Arn": "arn:aws:events:us-east-1:000000000000:event-bus/audit"],
        ]])
        try await stack.events("PutRule", ["Name": "watch", "EventBusName": "audit", "EventPattern": #"{"source":["orders"]}"#])
        let viewer = stack.hub.subscribe(topics: [.events])
        _ = try await stack.putEvent(detail: ["n": 1])
        let frame = try #require(try Self.eventFrame(await viewer.next()))
        #expect(frame.matched == [MatchedRule(bus: "default", rule: "forward"), MatchedRule(bus: "audit", rule: "watch")])
    }

    @Test("PutEvents' frames written from its delivery report: messages carried for a viewer that asked, sent frames numbered but not built while nobody reads them, and every viewer's bytes the one encoder's")
    func streamFramesFromTheReport() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        _ = try await stack.createQueue("raw")
        _ = try await stack.createQueue("fixed")
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["orders"]}"#])
        try await stack.events("PutTargets", ["Rule": "r", "Targets": [
            ["Id": "raw", "Arn": .string(stack.queueArn("raw"))],
            ["Id": "fixed", "Arn": .string(stack.queueArn("fixed")), "Input": #"{"fixed":"ü\u0001"}"#],
            ["Id": "missing", "Arn": .string(stack.queueArn("missing"))],
        ]])
        func subscribe(_ topics: [StreamTopic], sentWithEvents: Bool) async throws -> StreamSubscription {
            let viewer = stack.hub.subscribe(topics: [])
            StreamRoute.handle(StreamRequest.subscribe(topics: topics, pattern: nil, sentWithEvents: sentWithEvents).text, subscription: viewer, hub: stack.hub)
            _ = try #require(await viewer.next(), "the acknowledgement")
            return viewer
        }
        func put(_ count: Int) async throws {
            let entries: [JSONValue] = (0..<count).map { n in
                ["Source": "orders", "DetailType": "t", "Detail": .string(JSONValue.object(["n": .number(Double(n))]).serialized)]
            }
            #expect(try await stack.events("PutEvents", ["Entries": .array(entries)])["FailedEntryCount"] == 0)
        }
        /// The frame's text, checked to be what the one encoder writes for the frame it reads as.
        func published(_ text: String?, withSent: Bool = true) throws -> (StreamMessage, Int) {
            let text = try #require(text)
            guard case .published(let message, let sequence) = try StreamFrameCodec.decode(text) else {
                Issue.record("not a published frame: \(text)")
                throw StackProtocolError("not published")
            }
            #expect(StreamFrameCodec.encode(.published(message, sequence: sequence), withSent: withSent) == text, "byte for byte")
            return (message, sequence)
        }

        let asked = try await subscribe([.events, .messages], sentWithEvents: true)
        #expect(stack.hub.sentAudience == StreamHub.SentAudience(carried: true, frames: false))
        try await put(2)
        for n in 0..<2 {
            let (message, sequence) = try published(await asked.next())
            guard case .event(let frame) = message else { Issue.record("\(message)"); return }
            #expect(sequence == n + 1 && frame.event.value["detail"]?["n"] == .number(Double(n)))
            #expect(frame.deliveries.map(\.targetId) == ["raw", "fixed", "missing"])
            #expect(frame.deliveries.map(\.status) == [.delivered, .delivered, .retrying])
            #expect(frame.deliveries[0].sent?.bodyIsEvent == true && frame.deliveries[0].sent?.queue == "raw")
            #expect(frame.deliveries[1].sent?.body == #"{"fixed":"ü\u0001"}"# && frame.deliveries[1].sent?.queue == "fixed")
            #expect(frame.deliveries[2].sent == nil)
        }
        #expect(asked.buffered == 0, "no sent frames for a viewer that takes them in the events")
        // The four deliveries' sent frames were numbered, unbuilt: the next `messages` frame is the fifth.
        stack.hub.publish(.message(QueueMessageChange(change: .deleted, queue: "raw", messageId: "m", time: 1)))
        #expect(try published(await asked.next()).1 == 5)

        let plain = try await subscribe([.events, .messages], sentWithEvents: false)
        let eventsOnly = try await subscribe([.events], sentWithEvents: false)
        #expect(stack.hub.sentAudience == StreamHub.SentAudience(carried: true, frames: true))
        try await put(1)
        var sent: [QueueMessageChange] = []
        for expected in [6, 7] {
            let (message, sequence) = try published(await plain.next())
            guard case .message(let change) = message else { Issue.record("\(message)"); return }
            #expect(sequence == expected)
            sent.append(change)
        }
        #expect(sent.map(\.queue) == ["raw", "fixed"] && sent[0].bodyIsEvent && sent[0].body == nil)
        let plainEvent = try #require(await plain.next())
        #expect(try #require(await eventsOnly.next()) == plainEvent, "one encoding for every viewer without the option")
        let (carrying, _) = try published(await asked.next())
        guard case .event(var frame) = carrying else { Issue.record("\(carrying)"); return }
        #expect(frame.deliveries.map { $0.sent?.queue } == ["raw", "fixed", nil])
        #expect(zip(frame.deliveries.prefix(2), sent).allSatisfy { delivery, change in delivery.sent.map { $0.change(sender: delivery.sender) } == change },
                "the message carried is the sent frame's, member for member")
        for index in frame.deliveries.indices { frame.deliveries[index].sent = nil }
        #expect(StreamFrameCodec.encode(.published(.event(frame), sequence: 3)) == plainEvent,
                "without its messages, the asked viewer's frame is the plain one")
        #expect(plain.buffered == 0 && asked.buffered == 0 && eventsOnly.buffered == 0)
    }

    /// A stream frame's text decoded as an `event` frame; nil for any other frame.
    static func eventFrame(_ text: String?) throws -> BusEventFrame? {
        guard case .published(.event(let frame), _) = try StreamFrameCodec.decode(text ?? "") else { return nil }
        return frame
    }
}
