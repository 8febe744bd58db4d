import Foundation
import JSON
@testable import Provider
import StackClient
import SignalboxTestSupport
import Testing

/// A distributed Map seen through the provider against a real stack: the parent execution
/// carries its Map Run (DescribeMapRun and the children ListExecutions lists), read again while
/// it runs; the children are not sagas of their own, whether they come by polling or stream.
@Suite("Map Runs through the stack provider", .serialized)
struct MapRunProviderTests {
    @Test("the parent carries its Map Run with its counts and children until the run ends")
    func parentCarriesItsMapRun() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let activity = try await aws.call(.stepFunctions, "CreateActivity", ["name": "print"])["activityArn"]?.stringValue ?? ""
            let definition = #"""
            {"StartAt": "Lines", "States": {"Lines": {"Type": "Map", "Label": "lines", "MaxConcurrency": 2, "End": true,
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                "StartAt": "Print", "States": {"Print": {"Type": "Task", "Resource": "\#(activity)", "End": true}}}}}}
            """#
            let machine = try await aws.call(.stepFunctions, "CreateStateMachine", ["name": "labels", "roleArn": StackProviderTests.role,
                                                                                    "definition": .string(definition)])["stateMachineArn"]?.stringValue ?? ""
            let parent = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(machine), "name": "p",
                                                                              "input": "[1, 2, 3]"])["executionArn"]?.stringValue ?? ""
            let provider = StackProvider(endpoint: EndpointDescription(name: "test", url: endpoint.url?.absoluteString), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), actor: "tester", requestTimeout: .seconds(5)))
            try await watching(provider) { watcher in
                let running = try await watcher.wait("the Map Run with two children running") { s in
                    s.executions.first { $0.arn == parent }?.mapRuns.first.map { $0.executions.running == 2 && $0.children.count == 2 } == true
                }
                let run = try #require(running.executions.first { $0.arn == parent }?.mapRuns.first)
                #expect(run.label == "lines" && run.status == "RUNNING" && run.maxConcurrency == 2)
                #expect(run.items.total == 3 && run.executions.pending == 1)
                #expect(running.executions.map(\.arn) == [parent], "children are not sagas of their own")

                for _ in 0..<3 {
                    let task = try await aws.call(.stepFunctions, "GetActivityTask", ["activityArn": .string(activity)])
                    _ = try await aws.call(.stepFunctions, "SendTaskSuccess", ["taskToken": task["taskToken"] ?? "", "output": "{}"])
                }
                let ended = try await watcher.wait("the Map Run succeeded") { s in
                    s.executions.first { $0.arn == parent }?.mapRuns.first?.status == "SUCCEEDED"
                }
                let done = try #require(ended.executions.first { $0.arn == parent }?.mapRuns.first)
                #expect(done.executions.succeeded == 3 && done.children.count == 3)
                #expect(done.children.allSatisfy { $0.status == .succeeded && $0.stopDate != nil })
                #expect(ended.executions.map(\.arn) == [parent])
            }
        }
    }

    @Test("a Map Run's child is known by its labelled machine ARN")
    func childrenAreKnownByTheirMachine() {
        #expect(MapRun.isChild(stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:labels/lines"))
        #expect(!MapRun.isChild(stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:labels"))
        // Only the last part counts: a slash before it (a path-like account field) does not, and
        // trailing colons are no part.
        #expect(!MapRun.isChild(stateMachineArn: "arn:aws:states:a/b:000000000000:stateMachine:labels"))
        #expect(MapRun.isChild(stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:labels/lines::"))
        #expect(MapRun.isChild(stateMachineArn: "labels/lines"))
        #expect(!MapRun.isChild(stateMachineArn: "") && !MapRun.isChild(stateMachineArn: "::"))
        #expect(MapRun(arn: "arn:aws:states:us-east-1:000000000000:mapRun:labels/lines:0b1c", status: "RUNNING").label == "lines")
    }
}
