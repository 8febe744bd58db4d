import Foundation
import Provider
import Testing
@testable import SagaTimeline

/// The statistics a board is judged by are kept from one snapshot to the next (each history
/// read again only when it grew, each state's sample taken again only when its durations
/// changed): what is kept must be what reading every history afresh gives.
@Suite struct SagaStatisticsTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_100_000)

    /// An execution of machine `machine` started at `start` whose states took `durations`, one
    /// after the other, in order (a state named twice ran twice); `running` leaves the last
    /// state entered and not exited.
    static func execution(_ name: String, machine: String = "m", start: Double, _ durations: [(String, Double)],
                          running: String? = nil) -> Provider.Execution {
        var timeline = [TimelineEntry(id: 1, type: "ExecutionStarted", timestamp: t0.addingTimeInterval(start), previousEventId: 0)]
        var at = start
        for (state, seconds) in durations {
            timeline.append(TimelineEntry(id: timeline.count + 1, type: "TaskStateEntered", timestamp: t0.addingTimeInterval(at), stateName: state))
            at += seconds
            timeline.append(TimelineEntry(id: timeline.count + 1, type: "TaskStateExited", timestamp: t0.addingTimeInterval(at), stateName: state))
        }
        if let running {
            timeline.append(TimelineEntry(id: timeline.count + 1, type: "TaskStateEntered", timestamp: t0.addingTimeInterval(at), stateName: running))
        }
        return Provider.Execution(name: name, arn: "arn:aws:states:us-east-1:000000000000:execution:\(machine):stats-\(name)",
                                  stateMachineName: machine, status: running == nil ? .succeeded : .running,
                                  startDate: t0.addingTimeInterval(start), timeline: timeline)
    }

    @Test func keptStatisticsAreTheStatisticsOfTheHistoriesNow() {
        // Window 3: which executions' durations count depends on their start times, and a
        // state run twice in one execution counts twice.
        var snapshots: [[Provider.Execution]] = []
        snapshots.append([
            Self.execution("a", start: 0, [("Charge", 1), ("Ship", 2)]),
            Self.execution("b", start: 10, [("Charge", 3)], running: "Ship"),
            Self.execution("c", start: 5, [("Charge", 5), ("Charge", 7), ("Ship", 1)]),
            Self.execution("d", machine: "n", start: 1, [("Charge", 9)]),
        ])
        // b's Ship ended: Ship's durations change, Charge's do not.
        snapshots.append([
            Self.execution("a", start: 0, [("Charge", 1), ("Ship", 2)]),
            Self.execution("b", start: 10, [("Charge", 3), ("Ship", 4)]),
            Self.execution("c", start: 5, [("Charge", 5), ("Charge", 7), ("Ship", 1)]),
            Self.execution("d", machine: "n", start: 1, [("Charge", 9)]),
        ])
        // A newer execution pushes the oldest Charge out of the window; a listed one left.
        snapshots.append([
            Self.execution("e", start: 20, [("Charge", 11)], running: "Ship"),
            Self.execution("b", start: 10, [("Charge", 3), ("Ship", 4)]),
            Self.execution("c", start: 5, [("Charge", 5), ("Charge", 7), ("Ship", 1)]),
            Self.execution("a", start: 0, [("Charge", 1), ("Ship", 2)]),
        ])
        // Back to the first snapshot: nothing kept may leak from the later ones.
        snapshots.append(snapshots[0])
        for (index, executions) in snapshots.enumerated() {
            let kept = SagaMemo.statistics(executions, window: 3)
            let fresh = SagaStatistics(executions: executions, window: 3)
            #expect(kept == fresh, "snapshot \(index)")
        }
        let third = SagaStatistics(executions: snapshots[2], window: 3)
        #expect(third.sample(machine: "m", state: "Charge") == DurationSample([11, 3, 5]))
        #expect(third.sample(machine: "m", state: "Ship") == DurationSample([4, 1, 2]))
        #expect(third.sample(machine: "n", state: "Charge") == nil)
        let first = SagaStatistics(executions: snapshots[0], window: 3)
        #expect(first.sample(machine: "m", state: "Charge")?.count == 3)
        #expect(first.sample(machine: "m", state: "Ship") == DurationSample([1, 2]))
        #expect(first.sample(machine: "n", state: "Charge") == DurationSample([9]))
    }
}
