import Foundation
import JSON
import Provider
import Terminal
import Testing
@testable import Console

/// A distributed Map in the saga timeline: the Map state's row counts its Map Run's children
/// done, and its detail shows the run's status, item and child counts and the children listed.
/// Recorded from a real `signalbox serve` (`Sagas/distributed-map.json`: the ListExecutions
/// entry, the whole history, DescribeMapRun and ListExecutions(mapRunArn=…) with two children
/// running, one succeeded, one failed and one not started).
@Suite struct SagaMapRunGoldenTests {
    static func recorded() -> JSONValue {
        let url = Bundle.module.url(forResource: "distributed-map", withExtension: "json", subdirectory: "Sagas")!
        return try! JSONValue(parsing: String(contentsOf: url, encoding: .utf8))
    }

    static func state() throws -> ConsoleState {
        let value = recorded()
        let listed = try #require(value["execution"])
        var execution = Execution(name: listed["name"]!.stringValue!, arn: listed["executionArn"]!.stringValue!, stateMachineName: "label-run",
                                  status: .running, startDate: Date(timeIntervalSince1970: listed["startDate"]!.doubleValue!),
                                  timeline: TimelineEntry.entries(fromHistory: value["events"]!.arrayValue!))
        execution.currentState = "PrintLabels"
        execution.mapRuns = [try #require(MapRun(described: value["mapRun"]!, listed: value["children"]))]
        let now = execution.startDate.addingTimeInterval(5)
        let machine = StateMachine(name: "label-run", arn: listed["stateMachineArn"]!.stringValue!, definition: value["definition"]!.stringValue!)
        let snapshot = SystemSnapshot(connection: .connected(since: now.addingTimeInterval(-60)),
                                      endpoint: EndpointDescription(name: "local", url: "http://127.0.0.1:4599"), takenAt: now,
                                      stateMachines: [machine], executions: [execution])
        var state = ConsoleState(snapshot: snapshot, now: now, themeName: "default")
        state.press(.character("5"), .character("z"), .enter)
        return state
    }

    @Test(arguments: [(120, 40), (200, 60)]) func mapRunUnderItsMapState(columns: Int, rows: Int) throws {
        Golden.check(try Self.state().frame(columns, rows), "saga-map-run-\(columns)x\(rows)")
    }

    @Test func theDetailCountsAndListsTheChildren() throws {
        let frame = try Self.state().frame(200, 60).textLines().joined(separator: "\n")
        #expect(frame.contains("map run      labels · RUNNING · at most 2 at once"))
        #expect(frame.contains("items      2 running · 1 succeeded · 1 failed · 1 pending · of 5"))
        #expect(frame.contains("children   2 running · 1 succeeded · 1 failed · 1 pending · of 5"))
        #expect(frame.contains("1/5✓"))
        #expect(frame.components(separatedBy: " · RUNNING · started ").count - 1 == 2)
        #expect(frame.contains(" · FAILED · started "))
    }
}
