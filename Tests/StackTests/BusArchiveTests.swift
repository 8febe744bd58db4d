import Foundation
import JSON
import Testing
import Timekeeping
@testable import Stack

/// Archives and replays where driving the worker by hand is clearer than a server: retention
/// against a manual clock, a cancel between two batches, an archive deleted under a replay.
@Suite("EventBridge archives and replays")
struct BusArchiveTests {
    static let defaultBus = "arn:aws:events:us-east-1:000000000000:event-bus/default"
    static func archiveArn(_ name: String) -> String { "arn:aws:events:us-east-1:000000000000:archive/\(name)" }

    /// Puts `count` events of `source`, `Time` one second apart from Unix second 1_700_000_000.
    func put(_ stack: BusTestStack, _ count: Int, source: String = "shop") async throws {
        for first in stride(from: 0, to: count, by: 10) {
            let entries: [JSONValue] = (first..<min(first + 10, count)).map { i in
                ["Source": .string(source), "DetailType": "order", "Time": .number(Double(1_700_000_000 + i)),
                 "Detail": .string(#"{"n":\#(i)}"#)]
            }
            let result = try await stack.events("PutEvents", ["Entries": .array(entries)])
            #expect(result["FailedEntryCount"] == 0)
        }
    }

    func eventCount(_ stack: BusTestStack, _ archive: String) async throws -> Int? {
        try await stack.events("DescribeArchive", ["ArchiveName": .string(archive)])["EventCount"]?.intValue
    }

    @Test("retention deletes events older than RetentionDays, counted from when they were accepted; 0 keeps them")
    func retention() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("CreateArchive", ["ArchiveName": "week", "EventSourceArn": .string(Self.defaultBus), "RetentionDays": 1])
        try await stack.events("CreateArchive", ["ArchiveName": "forever", "EventSourceArn": .string(Self.defaultBus)])
        try await put(stack, 3)
        stack.clock.advance(by: .seconds(86_400 - 60))
        #expect(try await stack.bus.deleteExpiredArchivedEvents() == 0)
        try await put(stack, 2)
        stack.clock.advance(by: .seconds(120))
        #expect(try await stack.bus.deleteExpiredArchivedEvents() == 3)
        #expect(try await eventCount(stack, "week") == 2)
        #expect(try await eventCount(stack, "forever") == 5)
    }

    @Test("event counts and sizes follow what is archived, what retention deletes, and an archive deleted and made again")
    func countsStayTrue() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        func size(_ archive: String) async throws -> Int? {
            try await stack.events("DescribeArchive", ["ArchiveName": .string(archive)])["SizeBytes"]?.intValue
        }
        try await stack.events("CreateArchive", ["ArchiveName": "day", "EventSourceArn": .string(Self.defaultBus), "RetentionDays": 1])
        try await stack.events("CreateArchive", ["ArchiveName": "other", "EventSourceArn": .string(Self.defaultBus)])
        try await put(stack, 3)
        #expect(try await eventCount(stack, "day") == 3)
        let threeEvents = try #require(try await size("day"))
        #expect(threeEvents > 0)
        try await put(stack, 4)
        #expect(try await eventCount(stack, "day") == 7, "the events archived since the last count are added")
        #expect(try await size("day")! > threeEvents)
        let listed = try await stack.events("ListArchives", [:])["Archives"]?.arrayValue ?? []
        #expect(listed.map { $0["EventCount"]?.intValue } == [7, 7])

        stack.clock.advance(by: .seconds(86_400 + 60))
        try await put(stack, 1)
        #expect(try await stack.bus.deleteExpiredArchivedEvents() == 7)
        #expect(try await eventCount(stack, "day") == 1, "retention's deletions are not counted")
        #expect(try await eventCount(stack, "other") == 8)

        try await stack.events("DeleteArchive", ["ArchiveName": "other"])
        try await stack.events("CreateArchive", ["ArchiveName": "other", "EventSourceArn": .string(Self.defaultBus)])
        #expect(try await eventCount(stack, "other") == 0, "a new archive of the same name starts empty")
        try await put(stack, 2)
        #expect(try await eventCount(stack, "other") == 2)
        #expect(try await eventCount(stack, "day") == 3)
    }

    @Test("a replay cancelled between batches stops there: CANCELLED, the first batch delivered, no more")
    func cancelBetweenBatches() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("CreateArchive", ["ArchiveName": "all", "EventSourceArn": .string(Self.defaultBus)])
        try await put(stack, 25)
        let url = try await stack.createQueue("replayed")
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["shop"]}"#])
        try await stack.events("PutTargets", ["Rule": "r", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("replayed"))]]])
        let started = try await stack.events("StartReplay", [
            "ReplayName": "half", "EventSourceArn": .string(Self.archiveArn("all")),
            "EventStartTime": 1_700_000_000, "EventEndTime": 1_700_000_100,
            "Destination": ["Arn": .string(Self.defaultBus)],
        ])
        #expect(started["State"] == "STARTING")
        #expect(try await stack.bus.replayStep(batchSize: 10) == 10)
        let running = try await stack.events("DescribeReplay", ["ReplayName": "half"])
        #expect(running["State"] == "RUNNING")
        #expect(running["EventLastReplayedTime"] == .number(1_700_000_009))
        #expect(running["ReplayEndTime"] == nil)
        let cancelled = try await stack.events("CancelReplay", ["ReplayName": "half"])
        #expect(cancelled["State"] == "CANCELLING")
        #expect(await stack.eventsError("CancelReplay", ["ReplayName": "half"]) == "IllegalStatusException")
        #expect(try await stack.bus.replayStep(batchSize: 10) == 0)
        let ended = try await stack.events("DescribeReplay", ["ReplayName": "half"])
        #expect(ended["State"] == "CANCELLED")
        #expect(ended["ReplayEndTime"] != nil)
        let bodies = try await stack.bodies(url)
        #expect(bodies.count == 10)
        #expect(bodies.allSatisfy { (try? JSONValue(parsing: $0))?["replay-name"] == "half" })
        #expect(try await stack.bus.replayStep(batchSize: 10) == 0)
        #expect(try await stack.bodies(url).count == 10)
    }

    @Test("events archived after a replay started are not part of it; an archive deleted under a replay fails it")
    func snapshotAndDeletedArchive() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("CreateArchive", ["ArchiveName": "all", "EventSourceArn": .string(Self.defaultBus)])
        try await put(stack, 5)
        let window: JSONObject = ["EventSourceArn": .string(Self.archiveArn("all")), "EventStartTime": 1_700_000_000,
                                  "EventEndTime": 1_700_000_100, "Destination": ["Arn": .string(Self.defaultBus)]]
        var first = window
        first["ReplayName"] = "snapshot"
        try await stack.events("StartReplay", .object(first))
        try await put(stack, 5)  // same times: inside the window, but later than the start
        #expect(try await stack.bus.replayStep() == 5)
        #expect(try await stack.bus.replayStep() == 0)
        #expect(try await stack.events("DescribeReplay", ["ReplayName": "snapshot"])["State"] == "COMPLETED")

        var second = window
        second["ReplayName"] = "orphaned"
        try await stack.events("StartReplay", .object(second))
        try await stack.events("DeleteArchive", ["ArchiveName": "all"])
        #expect(try await stack.bus.replayStep() == 0)
        let failed = try await stack.events("DescribeReplay", ["ReplayName": "orphaned"])
        #expect(failed["State"] == "FAILED")
        #expect(failed["StateReason"] == "Archive all does not exist.")
    }
}
