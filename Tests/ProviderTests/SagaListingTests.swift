import Foundation
import JSON
@testable import Provider
import StackClient
import SignalboxTestSupport
import Testing

/// What the Sagas pane needs from the provider, against a real stack: every running execution
/// before the recent ended ones, each machine's definition, and histories with their inputs.
@Suite("Saga listing against a running stack", .serialized)
struct SagaListingTests {
    static let role: JSONValue = "arn:aws:iam::000000000000:role/saga"

    @Test("definitions are described at most N a round, in listed order; the next round describes the ones left")
    func definitionsDescribedInTurns() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let definition = #"{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}"#
            for name in ["m-a", "m-b", "m-c", "m-d"] {
                _ = try await aws.call(.stepFunctions, "CreateStateMachine", ["name": .string(name), "roleArn": Self.role,
                                                                              "definition": .string(definition)])
            }
            let poller = StackPoller(aws: aws, extensions: ExtensionClient(endpoint: endpoint), executionsPerMachine: 10)
            let first = try await poller.stepFunctions(executions: false, describeAtMost: 3).machines
            #expect(first.map(\.name) == ["m-a", "m-b", "m-c", "m-d"])
            #expect(first.map { $0.definition != nil } == [true, true, true, false])
            let known = Set(first.filter { $0.definition != nil }.map(\.arn))
            let second = try await poller.stepFunctions(executions: false, knownDefinitions: known, describeAtMost: 3).machines
            #expect(second.map { $0.definition != nil } == [false, false, false, true], "the held ones are not described again")
        }
    }

    @Test("an execution that ended between the running listing and the recent one is listed once, as ended")
    func endedBetweenTheTwoListings() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func execution(_ name: String, _ status: Execution.Status, startedAfter seconds: Double) -> Execution {
            Execution(name: name, arn: "arn:aws:states:us-east-1:0:execution:order-saga:\(name)", stateMachineName: "order-saga",
                      status: status, startDate: start.addingTimeInterval(seconds))
        }
        let listing = StackPoller.listing(
            running: [execution("a", .running, startedAfter: 1), execution("b", .running, startedAfter: 2)],
            ended: [execution("b", .succeeded, startedAfter: 2), execution("c", .failed, startedAfter: 3)])
        #expect(listing.map(\.name) == ["a", "c", "b"])
        #expect(listing.first { $0.name == "b" }?.status == .succeeded)
    }

    @Test("running executions come first and all of them, past the per-machine limit; definitions and inputs are read")
    func runningFirstWithDefinitionsAndInputs() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let activity = try await aws.call(.stepFunctions, "CreateActivity", ["name": "charge"])["activityArn"]?.stringValue ?? ""
            let waiting = #"{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"\#(activity)","HeartbeatSeconds":60,"End":true}}}"#
            let quick = #"{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}"#
            let slowMachine = try await aws.call(.stepFunctions, "CreateStateMachine", ["name": "slow", "roleArn": Self.role,
                                                                                        "definition": .string(waiting)])["stateMachineArn"]?.stringValue ?? ""
            let quickMachine = try await aws.call(.stepFunctions, "CreateStateMachine", ["name": "quick", "roleArn": Self.role,
                                                                                         "definition": .string(quick)])["stateMachineArn"]?.stringValue ?? ""
            for index in 0..<4 {
                _ = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(slowMachine), "name": .string("slow-\(index)"),
                                                                          "input": .string(#"{"orderId":"ord-\#(index)"}"#)])
            }
            // Ended after the running ones started: newer, yet listed after them.
            for index in 0..<3 {
                _ = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(quickMachine), "name": .string("quick-\(index)")])
            }

            let provider = StackProvider(endpoint: EndpointDescription(name: "test", url: endpoint.url?.absoluteString), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), executionsPerMachine: 2,
                                                                       actor: "tester", requestTimeout: .seconds(5)))
            try await watching(provider) { watcher in
                let snapshot = try await watcher.wait("four running, two ended, histories in") { s in
                    s.executions.count == 6 && s.executions.filter { $0.status == .running }.allSatisfy { !$0.timeline.isEmpty }
                        && s.executions.contains { $0.status == .succeeded }
                }
                #expect(snapshot.executions.prefix(4).allSatisfy { $0.status == .running })
                #expect(snapshot.executions.suffix(2).allSatisfy { $0.status == .succeeded && $0.stateMachineName == "quick" })
                #expect(Set(snapshot.stateMachines.map(\.definition)) == [waiting, quick])
                let first = try #require(snapshot.executions.first { $0.name == "slow-0" }?.timeline.first)
                #expect(first.type == "ExecutionStarted")
                #expect(first.details?["input"]?.stringValue == #"{"orderId":"ord-0"}"#)
                #expect(first.previousEventId == 0)
            }
        }
    }

    @Test("a payload longer than the limit is cut and says how long it was")
    func longPayloadsAreClipped() {
        let big = String(repeating: "x", count: 300_000)
        let event: JSONValue = ["id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1_795_000_000,
                                "executionStartedEventDetails": ["input": .string(big), "roleArn": "r"]]
        let entry = try! #require(TimelineEntry.entries(fromHistory: [event]).first)
        #expect(entry.clipped == ["input": 300_000])
        #expect(entry.details?["input"]?.stringValue?.utf8.count == TimelineEntry.payloadLimit)
        #expect(entry.details?["roleArn"]?.stringValue == "r")
    }

    @Test("with more running executions than the budget, each history gets its turn")
    func historiesTakeTurns() {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        state.applyExecutions((0..<5).map { index in
            Execution(name: "e\(index)", arn: "arn:e\(index)", stateMachineName: "m", status: .running,
                      startDate: Date(timeIntervalSince1970: Double(100 - index)))
        })
        var seen: [[String]] = []
        for _ in 0..<3 {
            let plan = state.historyPlan(budget: 2)
            seen.append(plan.map(\.arn))
            for item in plan { state.applyHistory([], arn: item.arn, status: .running) }
        }
        #expect(seen == [["arn:e0", "arn:e1"], ["arn:e2", "arn:e3"], ["arn:e4", "arn:e0"]])
    }

    @Test("histories are read for the executions on screen (up to half the budget), then the changed, then the stuck candidates, then in turns")
    func historyPriorities() {
        let now = Date(timeIntervalSince1970: 10_000)
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        func running(_ name: String, started: Double) -> Execution {
            Execution(name: name, arn: "arn:" + name, stateMachineName: "m", status: .running, startDate: now.addingTimeInterval(started))
        }
        // Read a minute ago: quiet since its start 10 min ago, but the read came only 4 min into
        // that silence — a stuck candidate (a read now would prove or end a 5-min silence).
        let quiet = running("quiet", started: -600)
        // Read a minute ago, its last event 2 min ago: fine, in turns.
        let busy = running("busy", started: -120)
        let shown = (0..<6).map { running("row\($0)", started: -10) }
        let new = running("new", started: -5)
        state.applyExecutions([new, quiet, busy] + shown)
        state.applyHistory([["id": 1, "type": "ExecutionStarted", "timestamp": .number(now.timeIntervalSince1970 - 600)]],
                           arn: quiet.arn, status: .running, readAt: now.addingTimeInterval(-360))
        state.applyHistory([["id": 1, "type": "ExecutionStarted", "timestamp": .number(now.timeIntervalSince1970 - 120)]],
                           arn: busy.arn, status: .running, readAt: now.addingTimeInterval(-60))
        for row in shown { state.applyHistory([], arn: row.arn, status: .running, readAt: now.addingTimeInterval(-1)) }
        let plan = state.historyPlan(budget: 6, onScreen: shown.map(\.arn), quietCheck: 300, now: now).map(\.arn)
        #expect(plan == ["arn:row0", "arn:row1", "arn:row2", "arn:row3", "arn:new", "arn:quiet"])
        let roomy = state.historyPlan(budget: 20, onScreen: shown.map(\.arn), quietCheck: 300, now: now).map(\.arn)
        #expect(roomy == ["arn:row0", "arn:row1", "arn:row2", "arn:row3", "arn:row4", "arn:row5", "arn:new", "arn:quiet", "arn:busy"])
    }

    @Test("a definition is described once, then again once a minute old, so an updated one shows")
    func definitionsAreDescribedAgain() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let arn = "arn:aws:states:us-east-1:0:stateMachine:m"
        #expect(state.knownDefinitions(at: t0, maxAge: 60).isEmpty, "never described: described")
        state.applyMachines([StateMachine(name: "m", arn: arn, definition: #"{"StartAt":"A"}"#)], at: t0)
        #expect(state.knownDefinitions(at: t0.addingTimeInterval(30), maxAge: 60) == [arn])
        state.applyMachines([StateMachine(name: "m", arn: arn)], at: t0.addingTimeInterval(30))  // not described: kept
        #expect(state.machinesWithDefinitions.first?.definition == #"{"StartAt":"A"}"#)
        #expect(state.knownDefinitions(at: t0.addingTimeInterval(61), maxAge: 60).isEmpty, "a minute old: described again")
        state.applyMachines([StateMachine(name: "m", arn: arn, definition: #"{"StartAt":"B"}"#)], at: t0.addingTimeInterval(61))
        #expect(state.machinesWithDefinitions.first?.definition == #"{"StartAt":"B"}"#)
        #expect(state.knownDefinitions(at: t0.addingTimeInterval(62), maxAge: 60) == [arn])
    }

    @Test("an answer with a task token the service does not know is refused with the service's words")
    func invalidTaskTokenAnswer() async throws {
        try await withRunningStack { endpoint in
            let provider = StackProvider(endpoint: EndpointDescription(name: "test", url: endpoint.url?.absoluteString), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), actor: "tester",
                                                                       requestTimeout: .seconds(5)))
            try await watching(provider) { _ in
                do {
                    _ = try await provider.perform(.sendTaskFailure(execution: "arn:aws:states:us-east-1:000000000000:execution:m:x",
                                                                    token: "not-a-token", error: "E", cause: "c"))
                    Issue.record("an unknown token was accepted")
                } catch {
                    #expect("\(error)".contains("SendTaskFailure"))
                    #expect("\(error)".contains("TaskDoesNotExist") || "\(error)".contains("InvalidToken"))
                }
            }
        }
    }
}
