import Foundation
import GRDB
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

    /// Puts one event a Unix second of `seconds` (at most 10) in one PutEvents, `detail.n` its
    /// index: one write.
    func put(_ stack: BusTestStack, seconds: [Int]) async throws {
        let entries: [JSONValue] = seconds.enumerated().map { i, second in
            ["Source": "shop", "DetailType": "order", "Time": .number(Double(second)), "Detail": .string(#"{"n":\#(i)}"#)]
        }
        #expect(try await stack.events("PutEvents", ["Entries": .array(entries)])["FailedEntryCount"] == 0)
    }

    /// Receives and deletes every message of a FIFO queue, in order; returns each body's
    /// `detail.n`, or its `id` when it has none.
    func drain(_ stack: BusTestStack, _ url: String) async throws -> [String] {
        var out: [String] = []
        while true {
            let received = try await stack.sqs("ReceiveMessage", ["QueueUrl": .string(url), "MaxNumberOfMessages": 10])
            let messages = received["Messages"]?.arrayValue ?? []
            guard !messages.isEmpty else { return out }
            for message in messages {
                let body = message["Body"]?.stringValue.flatMap { try? JSONValue(parsing: $0) }
                out.append(body?["detail"]?["n"]?.intValue.map(String.init) ?? body?["id"]?.stringValue ?? "?")
                try await stack.sqs("DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": message["ReceiptHandle"] ?? .null])
            }
        }
    }

    /// A FIFO queue `replayed.fifo` that a rule `r` sends every `shop` event to.
    func replayQueue(_ stack: BusTestStack) async throws -> String {
        let url = try await stack.createQueue("replayed.fifo", ["FifoQueue": "true"])
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["shop"]}"#])
        try await stack.events("PutTargets", ["Rule": "r", "Targets": [
            ["Id": "q", "Arn": .string(stack.queueArn("replayed.fifo")), "SqsParameters": ["MessageGroupId": "g"]],
        ]])
        return url
    }

    func startReplay(_ stack: BusTestStack, _ name: String, archive: String, from start: Int, to end: Int) async throws {
        try await stack.events("StartReplay", [
            "ReplayName": .string(name), "EventSourceArn": .string(Self.archiveArn(archive)),
            "EventStartTime": .number(Double(start)), "EventEndTime": .number(Double(end)),
            "Destination": ["Arn": .string(Self.defaultBus)],
        ])
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

    /// The shared copies of event texts: how many there are, and each one's holder count.
    func sharedCopies(_ stack: BusTestStack) async throws -> [Int64] {
        try await stack.store.read { db in try Int64.fetchAll(db, sql: "SELECT refs FROM sqs_shared_body ORDER BY id") }
    }

    @Test("an archived event names the copy of its text that its queue messages share; the copy goes with its last holder")
    func archivesShareTheStoredEnvelope() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let first = try await stack.createQueue("first"), second = try await stack.createQueue("second")
        try await stack.events("PutRule", ["Name": "both", "EventPattern": #"{"source":["shop"]}"#])
        try await stack.events("PutTargets", ["Rule": "both", "Targets": [
            ["Id": "a", "Arn": .string(stack.queueArn("first"))], ["Id": "b", "Arn": .string(stack.queueArn("second"))],
        ]])
        for archive in ["one", "two"] {
            try await stack.events("CreateArchive", ["ArchiveName": .string(archive), "EventSourceArn": .string(Self.defaultBus)])
        }
        try await put(stack, 3)
        #expect(try await sharedCopies(stack) == [4, 4, 4], "one copy per event, named by two messages and two archives")
        let segments = try await stack.store.read { db in
            try Row.fetchAll(db, sql: "SELECT archive, events, entries FROM eb_archive_segment ORDER BY seq").map { row in
                (name: "\(row[0] as String) \(row[1] as Int)", bodies: Set(BusArchiveStore.entries(row[2]).compactMap(\.text.sharedCopy)))
            }
        }
        #expect(segments.map(\.name) == ["one 3", "two 3"], "one segment per archive for the write")
        let copies = try await stack.store.read { db in try Set(Int64.fetchAll(db, sql: "SELECT id FROM sqs_shared_body")) }
        #expect(segments.allSatisfy { $0.bodies == copies }, "every entry names its event's one copy")
        let texts = try await stack.bodies(first)
        #expect(texts.count == 3)
        let described = try await stack.events("DescribeArchive", ["ArchiveName": "one"])
        #expect(described["EventCount"] == 3)
        #expect(described["SizeBytes"]?.intValue == texts.reduce(0) { $0 + $1.utf8.count }, "the shared text is counted")

        // The messages leave; the archives still hold the texts, and a replay delivers them.
        for url in [first, second] { try await stack.sqs("PurgeQueue", ["QueueUrl": .string(url)]) }
        #expect(try await sharedCopies(stack) == [2, 2, 2])
        try await stack.events("StartReplay", [
            "ReplayName": "again", "EventSourceArn": .string(Self.archiveArn("one")),
            "EventStartTime": 1_700_000_000, "EventEndTime": 1_700_000_100, "Destination": ["Arn": .string(Self.defaultBus)],
        ])
        #expect(try await stack.bus.replayStep() == 3)
        let replayed = try await stack.bodies(first).compactMap { try? JSONValue(parsing: $0) }
        #expect(replayed.compactMap { $0["detail"]?["n"]?.intValue }.sorted() == [0, 1, 2])
        #expect(replayed.allSatisfy { $0["replay-name"] == "again" })

        // Each archive deleted releases its hold; the last one frees the copies.
        try await stack.events("DeleteArchive", ["ArchiveName": "one"])
        #expect(try await sharedCopies(stack) == [1, 1, 1])
        stack.clock.advance(by: .seconds(2 * 86_400))
        try await stack.events("UpdateArchive", ["ArchiveName": "two", "RetentionDays": 1])
        #expect(try await stack.bus.deleteExpiredArchivedEvents() == 3)
        #expect(try await sharedCopies(stack) == [], "retention releases the copies too")
        #expect(try await eventCount(stack, "two") == 0)
    }

    @Test("an archive written before the events shared their copy opens unchanged: counted, replayed, added to, expired")
    func archiveFromBeforeSharedCopies() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-archive-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let texts = (0..<3).map { i in
            #"{"version":"0","id":"old-\#(i)","detail-type":"order","source":"shop","account":"000000000000","time":"2023-11-14T22:13:2\#(i)Z","region":"us-east-1","resources":[],"detail":{}}"#
        }
        // old-2 in the minute after the others'; old-1 archived before old-0, an earlier event.
        let times: [Int64] = [1_700_000_001_000, 1_700_000_000_000, 1_700_000_040_000]
        do {
            // The schema before v7: seq AUTOINCREMENT, every row with its own text. Written out of
            // event-time order, as events with their own Time may arrive.
            let old = try StackStore(directory: directory, migrations: StackAssembly.migrations.filter {
                !["events-v7-archive-shared-envelopes", "events-v8-archive-segments",
                  "events-v9-archive-inline-texts"].contains($0.identifier)
            })
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO eb_archive (name, bus, retention_days, created_at) VALUES ('old', 'default', 0, 1700000000000)
                    """)
                for i in [2, 1, 0] {
                    try db.execute(sql: """
                        INSERT INTO eb_archive_event (archive, event_time, archived_at, event) VALUES ('old', ?, 1700000000000, ?)
                        """, arguments: [times[i], texts[i]])
                }
            }
        }
        let stack = try BusTestStack(directory: directory)
        let described = try await stack.events("DescribeArchive", ["ArchiveName": "old"])
        #expect(described["EventCount"] == 3)
        #expect(described["SizeBytes"]?.intValue == texts.reduce(0) { $0 + $1.utf8.count })
        // A FIFO queue keeps the order the replay delivered in.
        let url = try await replayQueue(stack)
        try await startReplay(stack, "old", archive: "old", from: 1_699_999_000, to: 1_700_000_100)
        #expect(try await stack.bus.replayStep() == 3)
        #expect(try await drain(stack, url) == ["old-1", "old-0", "old-2"], "minute by minute, in archive order within one")

        // New events go in segments after the old ones; retention deletes old and new alike.
        try await put(stack, 2)
        let segments = try await stack.store.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, events FROM eb_archive_segment ORDER BY seq").map { "\($0[0] as Int) \($0[1] as Int)" }
        }
        #expect(segments == ["1 1", "2 2", "3 2"], "the old rows' two minutes, then the new write's")
        #expect(try await eventCount(stack, "old") == 5)
        try await stack.events("UpdateArchive", ["ArchiveName": "old", "RetentionDays": 1])
        stack.clock.advance(by: .seconds(2 * 86_400))
        #expect(try await stack.bus.deleteExpiredArchivedEvents() == 5)
        #expect(try await eventCount(stack, "old") == 0)
    }
}
