import Foundation
import JSON
@testable import Provider
import StackClient
import SignalboxTestSupport
import StackProtocol
import Testing
import Wire

/// The stack provider against a real stack on loopback: what the console shows must be what
/// the system holds, reached through the public APIs only.
@Suite("StackProvider against a running stack", .serialized)
struct StackProviderTests {
    static let role: JSONValue = "arn:aws:iam::000000000000:role/saga"

    func provider(_ endpoint: StackEndpoint, refresh: Duration = .milliseconds(200)) -> StackProvider {
        StackProvider(endpoint: EndpointDescription(name: "test", url: endpoint.url?.absoluteString), stack: endpoint,
                      options: StackProviderOptions(refreshInterval: refresh, actor: "tester", requestTimeout: .seconds(5)))
    }

    @Test("a snapshot shows queues with counts and DLQ links, a rule with its SQS target, a state machine and an execution's timeline")
    func snapshotShowsTheSystem() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let dlq = try await aws.call(.sqs, "CreateQueue", ["QueueName": "orders-dlq"])["QueueUrl"]?.stringValue ?? ""
            let dlqArn = try await aws.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(dlq), "AttributeNames": ["QueueArn"]])["Attributes"]?["QueueArn"]?.stringValue ?? ""
            let redrive = JSONValue.object(["deadLetterTargetArn": .string(dlqArn), "maxReceiveCount": 3]).serialized
            let orders = try await aws.call(.sqs, "CreateQueue", ["QueueName": "orders",
                                                                  "Attributes": ["RedrivePolicy": .string(redrive)]])["QueueUrl"]?.stringValue ?? ""
            for body in ["a", "b", "c"] { _ = try await aws.call(.sqs, "SendMessage", ["QueueUrl": .string(orders), "MessageBody": .string(body)]) }
            _ = try await aws.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(orders), "MaxNumberOfMessages": 1, "VisibilityTimeout": 600])
            let ordersArn = dlqArn.replacingOccurrences(of: "orders-dlq", with: "orders")
            _ = try await aws.call(.eventBridge, "PutRule", ["Name": "order-placed", "EventPattern": #"{"detail-type":["OrderPlaced"]}"#])
            _ = try await aws.call(.eventBridge, "PutTargets", ["Rule": "order-placed", "Targets": [["Id": "q", "Arn": .string(ordersArn)]]])
            let machine = try await aws.call(.stepFunctions, "CreateStateMachine", [
                "name": "order-saga", "roleArn": Self.role,
                "definition": #"{"StartAt":"Reserve","States":{"Reserve":{"Type":"Pass","Next":"Ship"},"Ship":{"Type":"Pass","End":true}}}"#,
            ])["stateMachineArn"]?.stringValue ?? ""
            let execution = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(machine), "name": "o-1"])["executionArn"]?.stringValue ?? ""

            let provider = provider(endpoint)
            try await watching(provider) { watcher in
                let snapshot = try await watcher.wait("the created resources") { s in
                    s.executions.first?.status == .succeeded && s.executions.first?.timeline.contains { $0.type == "ExecutionSucceeded" } == true
                        && s.queues.count == 2
                }
                #expect(snapshot.connection.label == "connected")
                let queue = try #require(snapshot.queues.first { $0.name == "orders" })
                #expect(queue.visibleMessages == 2)
                #expect(queue.inFlightMessages == 1)
                #expect(queue.deadLetterTargetArn == dlqArn)
                #expect(queue.maxReceiveCount == 3)
                #expect(snapshot.queues.first { $0.name == "orders-dlq" }?.deadLetterSourceArns == [ordersArn])
                let rule = try #require(snapshot.rules.first { $0.name == "order-placed" })
                #expect(rule.eventBusName == "default")
                #expect(rule.targets == [RuleTarget(id: "q", arn: ordersArn)])
                #expect(snapshot.topology.edges.contains { $0.to == ordersArn && $0.via == "order-placed" })
                #expect(snapshot.buses.map(\.name).contains("default"))
                #expect(snapshot.stateMachines.map(\.name) == ["order-saga"])
                let shown = try #require(snapshot.executions.first)
                #expect(shown.arn == execution)
                #expect(shown.stateMachineName == "order-saga")
                #expect(shown.timeline.first?.type == "ExecutionStarted")
                #expect(shown.timeline.contains { $0.type == "PassStateEntered" && $0.stateName == "Ship" })
                #expect(shown.currentState == "Ship")
            }
        }
    }

    @Test("an event put on the bus arrives through the live stream with its matched rule and delivery")
    func eventsArriveThroughTheStream() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let url = try await aws.call(.sqs, "CreateQueue", ["QueueName": "inventory"])["QueueUrl"]?.stringValue ?? ""
            let arn = try await aws.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(url), "AttributeNames": ["QueueArn"]])["Attributes"]?["QueueArn"]?.stringValue ?? ""
            _ = try await aws.call(.eventBridge, "PutRule", ["Name": "to-inventory", "EventPattern": #"{"source":["shop.orders"]}"#])
            _ = try await aws.call(.eventBridge, "PutTargets", ["Rule": "to-inventory", "Targets": [["Id": "inv", "Arn": .string(arn)]]])

            // A slow poll: whatever reaches recentEvents came from the stream (polls never list events).
            let provider = provider(endpoint, refresh: .seconds(30))
            try await watching(provider) { watcher in
                _ = try await watcher.wait("a connection") { $0.connection.label == "connected" }
                while await !provider.streamIsLive { try await Task.sleep(for: .milliseconds(20)) }
                _ = try await aws.call(.eventBridge, "PutEvents", ["Entries": [
                    ["Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": #"{"orderId":"o-7"}"#],
                ]])
                let snapshot = try await watcher.wait("the event") { !$0.recentEvents.isEmpty }
                let event = try #require(snapshot.recentEvents.last)
                #expect(event.source == "shop.orders")
                #expect(event.detailType == "OrderPlaced")
                #expect(event.detail["orderId"] == "o-7")
                #expect(event.matchedRules == ["to-inventory"])
                #expect(event.deliveries.first?.targetArn == arn)
                #expect(event.deliveries.first?.status == .delivered)
                // Queue counts move between polls too (the stream's queue statistics).
                let counted = try await watcher.wait("the delivered message counted") { $0.queues.first?.visibleMessages == 1 }
                #expect(counted.queues.first?.name == "inventory")
            }
        }
    }

    @Test("a console attached with its credentials to a stack run with --auth gets live events")
    func eventsArriveThroughTheStreamUnderAuth() async throws {
        try await withRunningStack(configure: { $0.credentials = ["AKIDCONSOLE": "console-secret"] }) { open in
            var endpoint = open
            endpoint.credentials = AWSCredentials(accessKeyId: "AKIDCONSOLE", secretAccessKey: "console-secret")
            // A slow poll: whatever reaches recentEvents came from the (signed) stream.
            let provider = provider(endpoint, refresh: .seconds(30))
            try await watching(provider) { watcher in
                _ = try await watcher.wait("a connection") { $0.connection.label == "connected" }
                while await !provider.streamIsLive { try await Task.sleep(for: .milliseconds(20)) }
                _ = try await AWSClient(endpoint: endpoint).call(.eventBridge, "PutEvents", ["Entries": [
                    ["Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": #"{"orderId":"o-8"}"#],
                ]])
                let snapshot = try await watcher.wait("the event") { !$0.recentEvents.isEmpty }
                #expect(snapshot.recentEvents.last?.detail["orderId"] == "o-8")
            }
        }
    }

    @Test("purge and DLQ redrive change the queues")
    func queueActions() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let dlq = try await aws.call(.sqs, "CreateQueue", ["QueueName": "work-dlq"])["QueueUrl"]?.stringValue ?? ""
            let dlqArn = try await aws.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(dlq), "AttributeNames": ["QueueArn"]])["Attributes"]?["QueueArn"]?.stringValue ?? ""
            let redrive = JSONValue.object(["deadLetterTargetArn": .string(dlqArn), "maxReceiveCount": 1]).serialized
            let work = try await aws.call(.sqs, "CreateQueue", ["QueueName": "work", "Attributes": ["RedrivePolicy": .string(redrive)]])["QueueUrl"]?.stringValue ?? ""
            let junk = try await aws.call(.sqs, "CreateQueue", ["QueueName": "junk"])["QueueUrl"]?.stringValue ?? ""
            for _ in 0..<3 { _ = try await aws.call(.sqs, "SendMessage", ["QueueUrl": .string(junk), "MessageBody": "x"]) }
            _ = try await aws.call(.sqs, "SendMessage", ["QueueUrl": .string(work), "MessageBody": "poison"])
            // Received once without deletion, then received again: over maxReceiveCount → DLQ.
            _ = try await aws.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(work), "VisibilityTimeout": 0])
            _ = try await aws.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(work), "VisibilityTimeout": 0])

            let provider = provider(endpoint)
            try await watching(provider) { watcher in
                _ = try await watcher.wait("the backlog") { s in
                    s.queues.first { $0.name == "junk" }?.visibleMessages == 3 && s.queues.first { $0.name == "work-dlq" }?.visibleMessages == 1
                }
                let purged = try await provider.perform(.purgeQueue(url: junk))
                #expect(purged.contains("junk"))
                _ = try await watcher.wait("the purged queue empty") { $0.queues.first { $0.name == "junk" }?.visibleMessages == 0 }

                let redriven = try await provider.perform(.redriveDeadLetterQueue(arn: dlqArn))
                #expect(redriven.contains("work-dlq"))
                let after = try await watcher.wait("the message back in its source queue") { s in
                    s.queues.first { $0.name == "work" }?.visibleMessages == 1 && s.queues.first { $0.name == "work-dlq" }?.visibleMessages == 0
                }
                #expect(after.queues.first { $0.name == "work-dlq" }?.isDeadLetterQueue == true)

                // A refused action carries the service's code and message.
                await #expect(throws: ProviderError.self) {
                    _ = try await provider.perform(.purgeQueue(url: endpoint.url!.absoluteString + "/000000000000/missing"))
                }
                do {
                    _ = try await provider.perform(.redriveDeadLetterQueue(arn: dlqArn.replacingOccurrences(of: "work-dlq", with: "missing")))
                } catch {
                    #expect("\(error)".contains("StartMessageMoveTask"))
                }
            }
        }
    }

    @Test("stop aborts a running execution and redrive resumes a failed one")
    func executionActions() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let activity = try await aws.call(.stepFunctions, "CreateActivity", ["name": "charge"])["activityArn"]?.stringValue ?? ""
            let definition = #"{"StartAt":"Reserve","States":{"Reserve":{"Type":"Pass","Next":"Charge"},"Charge":{"Type":"Task","Resource":"\#(activity)","End":true}}}"#
            let machine = try await aws.call(.stepFunctions, "CreateStateMachine", ["name": "saga", "roleArn": Self.role,
                                                                                    "definition": .string(definition)])["stateMachineArn"]?.stringValue ?? ""
            let stuck = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(machine), "name": "stuck"])["executionArn"]?.stringValue ?? ""

            let provider = provider(endpoint)
            try await watching(provider) { watcher in
                _ = try await watcher.wait("the running execution in Charge") { s in
                    s.executions.first { $0.arn == stuck }.map { $0.status == .running && $0.currentState == "Charge" } == true
                }
                let stopped = try await provider.perform(.stopExecution(arn: stuck, cause: "stuck in Charge"))
                #expect(stopped.contains("stuck"))
                let aborted = try await watcher.wait("the execution aborted, to the end of its history") { s in
                    s.executions.first { $0.arn == stuck }.map { $0.status == .aborted && $0.timeline.last?.type == "ExecutionAborted" } == true
                }
                let timeline = try #require(aborted.executions.first { $0.arn == stuck }?.timeline)
                #expect(timeline.last?.type == "ExecutionAborted")
                #expect(timeline.last?.detail?.contains("stuck in Charge") == true)

                // A task failure fails the second one; redrive sends it back to Charge.
                let failing = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(machine), "name": "failing"])["executionArn"]?.stringValue ?? ""
                let task = try await aws.call(.stepFunctions, "GetActivityTask", ["activityArn": .string(activity)])
                _ = try await aws.call(.stepFunctions, "SendTaskFailure", ["taskToken": task["taskToken"] ?? "", "error": "CardDeclined"])
                let failed = try await watcher.wait("the execution failed, to the end of its history") { s in
                    s.executions.first { $0.arn == failing }.map { $0.status == .failed && $0.timeline.last?.type == "ExecutionFailed" } == true
                }
                #expect(failed.executions.first { $0.arn == failing }?.timeline.contains { $0.detail?.hasPrefix("CardDeclined") == true } == true)
                _ = try await provider.perform(.redriveExecution(arn: failing))
                let resumed = try await watcher.wait("the execution redriven") { s in
                    s.executions.first { $0.arn == failing }.map { $0.status == .running && $0.timeline.contains { $0.type == "ExecutionRedriven" } } == true
                }
                #expect(resumed.executions.first { $0.arn == failing }?.currentState == "Charge")
            }
        }
    }

    @Test("an endpoint nobody answers on is not connected, with the reason, until the stack starts")
    func connectsWhenTheServerAppears() async throws {
        let port = try freeLoopbackPort()
        let endpoint = try StackEndpoint(parsing: "http://127.0.0.1:\(port)")
        let provider = provider(endpoint)
        try await watching(provider) { watcher in
            let down = try await watcher.wait("not connected") { $0.connection.label == "not connected" }
            #expect(down.connection.detail?.contains("127.0.0.1:\(port)") == true)
            #expect(down.isEmpty)
            await #expect(throws: (any Error).self) { _ = try await provider.perform(.purgeQueue(url: "http://127.0.0.1:\(port)/q")) }

            try await withRunningStack(port: port) { _ in
                let aws = AWSClient(endpoint: endpoint)
                _ = try await aws.call(.sqs, "CreateQueue", ["QueueName": "appeared"])
                let up = try await watcher.wait("the stack's queue") { $0.queues.map(\.name) == ["appeared"] }
                #expect(up.connection.isLive)
            }
        }
    }

    @Test("shutdown ends every subscriber's stream and returns once the provider's tasks have ended")
    func shutdownEndsStreams() async throws {
        let port = try freeLoopbackPort()
        let provider = provider(try StackEndpoint(parsing: "http://127.0.0.1:\(port)"))
        var first = provider.snapshots().makeAsyncIterator()
        var second = provider.snapshots().makeAsyncIterator()
        #expect(await first.next() != nil)
        #expect(await second.next() != nil)
        await provider.shutdown()
        while await first.next() != nil {}
        while await second.next() != nil {}
        #expect(await !provider.streamIsLive)
    }

    @Test("stream frames: delivery outcomes update the event, dropped frames are counted, the ring is bounded")
    func frames() throws {
        var state = LiveState(eventLimit: 3, timelineLimit: 10)
        let arn = "arn:aws:sqs:us-east-1:0:q"
        func event(_ id: String) -> StreamFrame {
            let envelope: JSONValue = ["id": .string(id), "time": "2026-11-23T05:00:00Z", "source": "s", "detail-type": "T", "detail": [:]]
            return .published(.event(BusEventFrame(
                bus: "default", event: EventEnvelope(envelope), matched: [MatchedRule(bus: "default", rule: "r")],
                deliveries: [DeliveryOutcome(eventId: id, bus: "default", rule: "r", targetId: "t", targetArn: arn, status: .retrying)])),
                sequence: 1)
        }
        for id in ["e1", "e2", "e3", "e4"] { #expect(state.apply(frame: event(id)) == .changed) }
        #expect(state.events.map(\.id) == ["e2", "e3", "e4"])
        #expect(state.events.last?.time == Date(timeIntervalSince1970: 1_795_410_000))
        let delivery = StreamFrame.published(.delivery(DeliveryOutcome(
            eventId: "e4", bus: "default", rule: "r", targetId: "t", targetArn: arn, status: .deadLettered,
            errorCode: "QueueDoesNotExist", errorMessage: "gone")), sequence: 2)
        #expect(state.apply(frame: delivery) == .changed)
        #expect(state.events.last?.deliveries == [Delivery(rule: "r", targetId: "t", targetArn: arn,
                                                           status: .deadLettered, error: "QueueDoesNotExist: gone")])
        #expect(state.events.last?.hasFailedDelivery == true)
        #expect(state.apply(frame: .dropped(count: 7)) == .changed)
        #expect(state.apply(frame: .dropped(count: 2)) == .changed)
        #expect(state.dropped == 9)
        #expect(state.apply(frame: .subscribed(StreamSubscribed(topics: [.events], filtered: false, buffer: 16))) == .subscribed)
        let execution = ExecutionIdentity(executionArn: "arn:x", stateMachineArn: "arn:m", name: "x")
        #expect(state.apply(frame: .published(.execution(ExecutionChange(execution: execution, status: "RUNNING", startDate: 1,
                                                                         redriveCount: 0)), sequence: 1)) == .changed)
        #expect(state.executions.map(\.arn) == ["arn:x"])
        #expect(state.apply(frame: .published(.other(type: "update", topic: .executions, data: ["executionArn": "arn:y"]),
                                              sequence: 2)) == .refreshExecution("arn:y"))
        #expect(state.apply(frame: .published(.other(type: "surprise", topic: "elsewhere", data: [:]), sequence: 1)) == .ignored)
    }

    @Test("execution and history frames are applied as they come; a gap or an unknown execution asks for a fetch")
    func executionFrames() throws {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let execution = ExecutionIdentity(executionArn: "arn:aws:states:us-east-1:0:execution:order-saga:o-1",
                                          stateMachineArn: "arn:aws:states:us-east-1:0:stateMachine:order-saga", name: "o-1")
        func history(_ id: Int, _ type: String, status: String = "RUNNING", state name: String? = nil) -> StreamFrame {
            var event: JSONObject = ["id": .number(Double(id)), "type": .string(type), "timestamp": .number(1_800_000_000 + Double(id))]
            if let name { event["stateEnteredEventDetails"] = ["name": .string(name)] }
            return .published(.history(ExecutionHistoryEvent(execution: execution, status: status, event: .object(event))), sequence: id)
        }
        // Not listed yet: its history cannot be placed, so it is fetched.
        #expect(state.apply(frame: history(1, "ExecutionStarted")) == .refreshExecution(execution.executionArn))
        // Its start, as the execution frame carries it, lists it without a fetch.
        #expect(state.apply(frame: .published(.execution(ExecutionChange(execution: execution, status: "RUNNING",
                                                                         startDate: 1_800_000_000, redriveCount: 0)),
                                              sequence: 1)) == .changed)
        #expect(state.executions.first?.stateMachineName == "order-saga")
        #expect(state.executions.first?.startDate == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(state.apply(frame: history(1, "ExecutionStarted")) == .changed)
        #expect(state.apply(frame: history(2, "TaskStateEntered", state: "ReserveInventory")) == .changed)
        #expect(state.apply(frame: history(2, "TaskStateEntered", state: "ReserveInventory")) == .ignored, "a repeat is ignored")
        #expect(state.executionsWithTimelines.first?.currentState == "ReserveInventory")
        #expect(state.executionsWithTimelines.first?.timeline.map(\.id) == [1, 2])
        // Event 3 never came (frames dropped): event 4 cannot follow, the gap is fetched.
        #expect(state.apply(frame: history(4, "TaskStateExited")) == .refreshExecution(execution.executionArn))
        #expect(state.executionsWithTimelines.first?.timeline.map(\.id) == [1, 2])
        // The fetch fills the gap; the closing frame then ends it, status included.
        state.applyHistory([["id": 3, "type": "TaskScheduled", "timestamp": 1_800_000_003],
                            ["id": 4, "type": "TaskStateExited", "timestamp": 1_800_000_004]],
                           arn: execution.executionArn, status: .running)
        #expect(state.apply(frame: history(5, "ExecutionSucceeded", status: "SUCCEEDED")) == .changed)
        #expect(state.executions.first?.status == .succeeded)
        #expect(state.historyPlan(budget: 10).isEmpty, "a closed history is not fetched again")
    }

    @Test("board entries become breakers with override, stale flag and a failure-rate trend")
    func boardEntries() throws {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        func entry(rate: Double, stale: Bool) -> JSONValue {
            ["breaker": Self.breakerSnapshot(state: "forced-open", rate: rate, override: true), "reportedAt": 1800000012.5,
             "stale": .bool(stale), "override": ["mode": "force-open", "reason": "incident 9", "actor": "alice", "at": 1800000000]]
        }
        // The listing is read by the protocol's decoder, entry by entry.
        func listing(_ entries: [JSONValue]) throws -> BreakerBoardListing {
            try BreakerBoardListing(json: ["version": 1, "breakers": .array(entries)])
        }
        #expect(state.applyBoard(try listing([entry(rate: 40, stale: false)])) == nil)
        #expect(state.applyBoard(try listing([entry(rate: 60, stale: true), ["breaker": ["version": 2]]]))?.contains("entry 1") == true)
        let breaker = try #require(state.breakers.first)
        #expect(state.breakers.count == 1)
        #expect(breaker.id == "payment/payment-gateway")
        #expect(breaker.state == .forcedOpen)
        #expect(breaker.override == Breaker.Override(force: .open, actor: "alice", reason: "incident 9",
                                                     at: Date(timeIntervalSince1970: 1_800_000_000)))
        #expect(breaker.failureRate == 60)
        #expect(breaker.shortCircuited == 41)
        #expect(breaker.p99Latency == .milliseconds(5000))
        #expect(breaker.lastTransition?.reason == "forced open by alice: incident 9")
        #expect(breaker.stale)
        #expect(breaker.recentFailureRates == [40, 60])
    }

    @Test("an ended execution's history is re-read until its closing event is in, then never again")
    func historyPlan() {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func event(_ id: Int, _ type: String) -> JSONValue {
            ["id": .number(Double(id)), "type": .string(type), "timestamp": 1_800_000_000]
        }
        state.applyExecutions([Execution(name: "a", arn: "arn:a", stateMachineName: "m", status: .running, startDate: start),
                               Execution(name: "b", arn: "arn:b", stateMachineName: "m", status: .succeeded, startDate: start)])
        #expect(state.historyPlan(budget: 10).map(\.arn) == ["arn:a", "arn:b"])
        #expect(state.historyPlan(budget: 1).map(\.arn) == ["arn:a"])
        state.applyHistory([event(1, "ExecutionStarted"), event(2, "PassStateEntered")], arn: "arn:a", status: .running)
        state.applyHistory([event(1, "ExecutionStarted"), event(2, "ExecutionSucceeded")], arn: "arn:b", status: .succeeded)
        // Running: always extended from the last event seen; closed: done.
        #expect(state.historyPlan(budget: 10).map(\.arn) == ["arn:a"])
        #expect(state.historyPlan(budget: 10).first?.after == 2)
        // Listed as ended before its closing event can be read: asked again, a bounded number of times.
        state.executions[0].status = .aborted
        state.applyHistory([], arn: "arn:a", status: .aborted)
        #expect(state.historyPlan(budget: 10).map(\.arn) == ["arn:a"])
        state.applyHistory([event(3, "ExecutionAborted")], arn: "arn:a", status: .aborted)
        #expect(state.historyPlan(budget: 10).isEmpty)
        #expect(state.executionsWithTimelines[0].timeline.map(\.id) == [1, 2, 3])
    }

    /// A `BreakerSnapshot` v1 as a service reports it to the board.
    static func breakerSnapshot(service: String = "payment", dependency: String = "payment-gateway", state: String,
                                rate: Double, override: Bool = false) -> JSONValue {
        [
            "version": 1, "service": .string(service), "dependency": .string(dependency), "state": .string(state),
            "config": ["slidingWindow": ["kind": "count", "size": 20], "minimumNumberOfCalls": 10, "failureRateThreshold": 50,
                       "slowCallRateThreshold": 80, "slowCallDurationThresholdMs": 2000, "waitDurationInOpenMs": 30000,
                       "permittedCallsInHalfOpen": 5, "maxWaitDurationInHalfOpenMs": nil, "callTimeoutMs": 5000],
            "window": ["kind": "count", "size": 20, "minimumCalls": 10, "belowMinimumCalls": false, "calls": 20, "successes": 8,
                       "failures": 12, "timeouts": 3, "slowCalls": 2, "failureRate": .number(rate), "slowCallRate": 10, "shortCircuited": 41],
            "latency": ["samples": 20, "p50Ms": 212.4, "p95Ms": 4870.1, "p99Ms": 5000],
            "totals": ["calls": 1840, "successes": 1790, "failures": 50, "timeouts": 3, "slowCalls": 9, "ignored": 0, "shortCircuited": 41],
            "halfOpen": nil, "retryAt": nil,
            "lastTransition": override
                ? ["from": "open", "to": "forced-open", "at": 1800000000.5, "reason": "forced open by alice: incident 9"]
                : ["from": "closed", "to": .string(state), "at": 1800000000.5, "reason": "failure rate over threshold"],
            "override": override ? ["mode": "force-open", "reason": "incident 9", "actor": "alice", "at": 1800000000] : nil,
            "takenAt": 1800000012.25,
        ]
    }

    @Test("breakers reported to the board show, change through the stream, and are forced and released from the console")
    func breakerBoard() async throws {
        try await withRunningStack { endpoint in
            let board = ExtensionClient(endpoint: endpoint)
            let path = "/_signalbox/breakers/payment/payment-gateway"
            _ = try await board.request(.put, path, body: Self.breakerSnapshot(state: "closed", rate: 10))
            // A slow poll: the state change below can only arrive through the stream.
            let provider = provider(endpoint, refresh: .seconds(30))
            try await watching(provider) { watcher in
                let first = try await watcher.wait("the reported breaker") { $0.breakers.count == 1 }
                let breaker = try #require(first.breakers.first)
                #expect(breaker.id == "payment/payment-gateway")
                #expect(breaker.state == .closed)
                #expect(breaker.failureRate == 10)
                #expect(breaker.override == nil)
                while await !provider.streamIsLive { try await Task.sleep(for: .milliseconds(20)) }
                _ = try await board.request(.put, path, body: Self.breakerSnapshot(state: "open", rate: 60))
                let opened = try await watcher.wait("the breaker open") { $0.breakers.first?.state == .open }
                #expect(opened.breakers.first?.failureRate == 60)

                let forced = try await provider.perform(.forceBreaker(service: "payment", dependency: "payment-gateway", .open,
                                                                      reason: "incident 42"))
                #expect(forced.contains("OPEN"))
                let overridden = try await watcher.wait("the override") { $0.breakers.first?.override != nil }
                #expect(overridden.breakers.first?.override?.force == .open)
                #expect(overridden.breakers.first?.override?.actor == "tester")
                #expect(overridden.breakers.first?.override?.reason == "incident 42")
                let audit = try await board.request(.get, "/_signalbox/breakers/audit?service=payment")
                #expect(audit["entries"]?[0]?["actor"] == "tester")
                #expect(audit["entries"]?[0]?["mode"] == "force-open")

                _ = try await provider.perform(.releaseBreaker(service: "payment", dependency: "payment-gateway", reason: "over"))
                _ = try await watcher.wait("the override released") { $0.breakers.first.map { $0.override == nil } == true }
                do {
                    _ = try await provider.perform(.forceBreaker(service: "payment", dependency: "nope", .closed, reason: "x"))
                    Issue.record("forcing an unknown breaker succeeded")
                } catch {
                    #expect("\(error)".contains("BreakerNotFoundException"))
                }
            }
        }
    }
}
