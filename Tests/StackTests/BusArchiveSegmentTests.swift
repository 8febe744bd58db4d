import Foundation
import GRDB
import JSON
import Testing
import Timekeeping
@testable import Stack

/// Archives stored as segments: one row per (archive, write, minute of event time), replays
/// minute by minute, a replay's cursor inside a segment, and data directories of the v7 shape.
extension BusArchiveTests {
    /// 1_700_000_000 s lies in this minute (Unix ms ÷ 60,000), which runs from 1_699_999_980 s
    /// to 1_700_000_039 s.
    static let minute: Int64 = 28_333_333

    func segments(_ stack: BusTestStack) async throws -> [String] {
        try await stack.store.read { db in
            try Row.fetchAll(db, sql: "SELECT archive, minute, events FROM eb_archive_segment ORDER BY seq")
                .map { "\($0[0] as String) \(($0[1] as Int64) - Self.minute) \($0[2] as Int)" }
        }
    }

    @Test("a write's archived events are one segment per archive and minute, the texts no queue carries held in it")
    func segmentsPerMinute() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("CreateArchive", ["ArchiveName": "all", "EventSourceArn": .string(Self.defaultBus)])
        try await put(stack, seconds: [1_700_000_039, 1_700_000_040, 1_700_000_001])
        #expect(try await segments(stack) == ["all 0 2", "all 1 1"])
        #expect(try await sharedCopies(stack) == [], "events no queue carries are held in their segments")
        let described = try await stack.events("DescribeArchive", ["ArchiveName": "all"])
        #expect(described["EventCount"] == 3)
        let bytes = try await stack.store.read { db in
            try Int.fetchOne(db, sql: "SELECT SUM(length(texts)) FROM eb_archive_segment")
        }
        #expect(described["SizeBytes"]?.intValue == bytes)

        // Minute by minute; within a minute in archive order, not by event time.
        let url = try await replayQueue(stack)
        try await startReplay(stack, "all", archive: "all", from: 1_700_000_000, to: 1_700_000_100)
        #expect(try await stack.bus.replayStep() == 3)
        #expect(try await drain(stack, url) == ["0", "2", "1"])
        let replay = try await stack.events("DescribeReplay", ["ReplayName": "all"])
        #expect(replay["EventLastReplayedTime"] == .number(1_700_000_040))
        // A window that starts and ends inside minutes keeps only the events in it. (Past the
        // FIFO queue's deduplication window: the replays deliver the same event ids.)
        stack.clock.advance(by: .seconds(400))
        try await startReplay(stack, "inside", archive: "all", from: 1_700_000_030, to: 1_700_000_045)
        #expect(try await stack.bus.replayStep() == 2)
        #expect(try await drain(stack, url) == ["0", "1"])

        try await stack.events("DeleteArchive", ["ArchiveName": "all"])
        #expect(try await sharedCopies(stack) == [])
        #expect(try await segments(stack) == [])
    }

    @Test("an event archived by a bus-to-bus hop is in a segment of the receiving bus's archive, its text inline")
    func hopArchived() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("CreateEventBus", ["Name": "audit"])
        let audit = "arn:aws:events:us-east-1:000000000000:event-bus/audit"
        try await stack.events("CreateArchive", ["ArchiveName": "audited", "EventSourceArn": .string(audit)])
        _ = try await stack.createQueue("seen")
        try await stack.events("PutRule", ["Name": "forward", "EventPattern": #"{"source":["shop"]}"#])
        try await stack.events("PutTargets", ["Rule": "forward", "Targets": [
            ["Id": "audit", "Arn": .string(audit)], ["Id": "seen", "Arn": .string(stack.queueArn("seen"))],
        ]])
        try await put(stack, seconds: [1_700_000_000, 1_700_000_001])
        #expect(try await segments(stack) == ["audited 0 2"])
        #expect(try await eventCount(stack, "audited") == 2)
        // The message on `seen` keeps its own copy, and the hop's segment holds the texts.
        #expect(try await sharedCopies(stack) == [])
        try await stack.sqs("PurgeQueue", ["QueueUrl": "http://127.0.0.1:4599/000000000000/seen"])
        #expect(try await inlineTexts(stack) == [2])
        let url = try await replayQueue(stack)
        try await stack.events("StartReplay", [
            "ReplayName": "audit", "EventSourceArn": .string(Self.archiveArn("audited")),
            "EventStartTime": 1_700_000_000, "EventEndTime": 1_700_000_100, "Destination": ["Arn": .string(audit)],
        ])
        try await stack.events("PutRule", ["Name": "r", "EventBusName": "audit", "EventPattern": #"{"source":["shop"]}"#])
        try await stack.events("PutTargets", ["Rule": "r", "EventBusName": "audit", "Targets": [
            ["Id": "q", "Arn": .string(stack.queueArn("replayed.fifo")), "SqsParameters": ["MessageGroupId": "g"]],
        ]])
        #expect(try await stack.bus.replayStep() == 2)
        #expect(try await drain(stack, url) == ["0", "1"])
        try await stack.events("DeleteArchive", ["ArchiveName": "audited"])
        #expect(try await sharedCopies(stack) == [])
    }

    /// Per segment, in seq order, how many of its entries hold their text inline.
    func inlineTexts(_ stack: BusTestStack) async throws -> [Int] {
        try await stack.store.read { db in
            try Data.fetchAll(db, sql: "SELECT entries FROM eb_archive_segment ORDER BY seq").map { blob in
                BusArchiveStore.entries(blob).filter { $0.text.sharedCopy == nil }.count
            }
        }
    }

    @Test("an archived event names the shared copy its standard queues hold only when two or more do; else its text is inline")
    func inlineOrShared() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        var urls: [String: String] = [:]
        for queue in ["a", "b", "c"] { urls[queue] = try await stack.createQueue(queue) }
        // n = 0 goes to a and b (one shared copy), n = 1 to c alone (its own copy), n = 2 nowhere.
        try await stack.events("PutRule", ["Name": "two", "EventPattern": #"{"detail":{"n":[0]}}"#])
        try await stack.events("PutTargets", ["Rule": "two", "Targets": [
            ["Id": "a", "Arn": .string(stack.queueArn("a"))], ["Id": "b", "Arn": .string(stack.queueArn("b"))],
        ]])
        try await stack.events("PutRule", ["Name": "one", "EventPattern": #"{"detail":{"n":[1]}}"#])
        try await stack.events("PutTargets", ["Rule": "one", "Targets": [["Id": "c", "Arn": .string(stack.queueArn("c"))]]])
        try await stack.events("CreateArchive", ["ArchiveName": "all", "EventSourceArn": .string(Self.defaultBus)])
        try await put(stack, seconds: [1_700_000_000, 1_700_000_001, 1_700_000_002])

        #expect(try await segments(stack) == ["all 0 3"])
        let (kinds, inlineBytes, ownBodies) = try await stack.store.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT entries, length(texts) FROM eb_archive_segment")!
            let kinds = BusArchiveStore.entries(row[0]).map { entry -> String in
                switch entry.text {
                case .shared: "shared"
                case .inline(let length): "inline \(length)"
                }
            }
            let own = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqs_message WHERE body_ref IS NULL AND body != ''")!
            return (kinds, row[1] as Int, own)
        }
        let texts = try await stack.bodies(urls["a"]!) + stack.bodies(urls["c"]!)
        #expect(texts.count == 2)
        #expect(kinds.count == 3 && kinds[0] == "shared" && kinds[1] == "inline \(texts[1].utf8.count)")
        #expect(try await sharedCopies(stack) == [3], "event 0's copy: two messages and the archive")
        #expect(ownBodies == 1, "c's message keeps its body, as it would without an archive")
        #expect(try await inlineTexts(stack) == [2])
        let described = try await stack.events("DescribeArchive", ["ArchiveName": "all"])
        #expect(described["SizeBytes"]?.intValue == texts[0].utf8.count + inlineBytes)

        // One event a step: the replay's cursor lands between inline texts and finds the next.
        let url = try await replayQueue(stack)
        try await startReplay(stack, "one-by-one", archive: "all", from: 1_700_000_000, to: 1_700_000_100)
        for _ in 0..<3 { #expect(try await stack.bus.replayStep(batchSize: 1) == 1) }
        #expect(try await stack.bus.replayStep(batchSize: 1) == 0)
        #expect(try await drain(stack, url) == ["0", "1", "2"])
        let replayed = try await stack.bodies(urls["c"]!).compactMap { try? JSONValue(parsing: $0) }
        #expect(replayed.contains { $0["replay-name"] == "one-by-one" && $0["detail"]?["n"] == 1 })

        try await stack.events("DeleteArchive", ["ArchiveName": "all"])
        #expect(try await segments(stack) == [])
        #expect(try await sharedCopies(stack).first == 2, "the archive's hold released; the messages still hold the copy")
    }

    @Test("a replay stopped inside a segment resumes after its last replayed event when the store is opened again")
    func replayResumesInsideASegment() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-replay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url: String
        do {
            let stack = try BusTestStack(directory: directory)
            try await stack.events("CreateArchive", ["ArchiveName": "all", "EventSourceArn": .string(Self.defaultBus)])
            try await put(stack, 25)  // three writes: segments of 10, 10 and 5 events
            url = try await replayQueue(stack)
            try await startReplay(stack, "again", archive: "all", from: 1_700_000_000, to: 1_700_000_100)
            #expect(try await stack.bus.replayStep(batchSize: 7) == 7)
            #expect(try await stack.bus.replayStep(batchSize: 7) == 7)
        }
        let stack = try BusTestStack(directory: directory)
        #expect(try await stack.bus.replayStep(batchSize: 7) == 7)
        #expect(try await stack.bus.replayStep(batchSize: 7) == 4)
        #expect(try await stack.bus.replayStep(batchSize: 7) == 0)
        #expect(try await drain(stack, url) == (0..<25).map(String.init), "each event once, in archive order")
        let replay = try await stack.events("DescribeReplay", ["ReplayName": "again"])
        #expect(replay["State"] == "COMPLETED")
        #expect(replay["EventLastReplayedTime"] == .number(1_700_000_024))
    }

    @Test("archives of the v7 shape become segments: copies kept, counts and sizes, a replay under way and its snapshot")
    func archiveFromRowsPerEvent() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-archive-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        @Sendable func text(_ name: String) -> String {
            #"{"version":"0","id":"\#(name)","detail-type":"order","source":"shop","account":"000000000000","time":"2023-11-14T22:13:20Z","region":"us-east-1","resources":[],"detail":{}}"#
        }
        // (id, event time, archived at, held by a shared copy): a, c and b archived by one
        // write, a and b in the first minute, c in the next; d archived after StartReplay.
        let rows: [(String, Int64, Int64, Bool)] = [
            ("a", 1_700_000_005_000, 1_700_000_100_000, true), ("c", 1_700_000_050_000, 1_700_000_100_000, false),
            ("b", 1_700_000_001_000, 1_700_000_100_000, false), ("d", 1_700_000_002_000, 1_700_000_200_000, true),
        ]
        do {
            let old = try StackStore(directory: directory, migrations: StackAssembly.migrations.filter {
                !["events-v8-archive-segments", "events-v9-archive-inline-texts"].contains($0.identifier)
            })
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO eb_archive (name, bus, retention_days, created_at) VALUES ('kept', 'default', 0, 1700000000000)
                    """)
                for (id, time, archivedAt, shared) in rows {
                    var ref: Int64?
                    if shared {
                        try db.execute(sql: "INSERT INTO sqs_shared_body (body, refs) VALUES (?, 1)", arguments: [text(id)])
                        ref = db.lastInsertedRowID
                    }
                    try db.execute(sql: """
                        INSERT INTO eb_archive_event (archive, event_time, archived_at, event, body_ref) VALUES ('kept', ?, ?, ?, ?)
                        """, arguments: [time, archivedAt, shared ? "" : text(id), ref])
                }
                // Started after the first write, stopped after replaying b (the earliest event).
                try db.execute(sql: """
                    INSERT INTO eb_replay (name, archive, destination, event_start, event_end, last_seq, cursor_time, cursor_seq,
                                           last_replayed_time, replayed, state, started_at)
                    VALUES ('under-way', 'kept', 'default', 1699999000000, 1700000100000, 3, 1700000001000, 3,
                            1700000001000, 1, 'RUNNING', 1700000150000)
                    """)
            }
        }
        let stack = try BusTestStack(directory: directory)
        #expect(try await segments(stack) == ["kept 0 2", "kept 1 1", "kept 0 1"])
        #expect(try await sharedCopies(stack) == [1, 1, 1, 1], "the two copies kept, one made for each text held inline")
        let described = try await stack.events("DescribeArchive", ["ArchiveName": "kept"])
        #expect(described["EventCount"] == 4)
        #expect(described["SizeBytes"]?.intValue == ["a", "b", "c", "d"].reduce(0) { $0 + text($1).utf8.count })
        let url = try await replayQueue(stack)
        // The replay under way goes through its cursor's minute again (b once more), then on;
        // d, archived after it started, is not part of it.
        #expect(try await stack.bus.replayStep() == 3)
        #expect(try await drain(stack, url) == ["a", "b", "c"])
        #expect(try await stack.bus.replayStep() == 0)
        #expect(try await stack.events("DescribeReplay", ["ReplayName": "under-way"])["State"] == "COMPLETED")
        stack.clock.advance(by: .seconds(400))  // past the FIFO queue's deduplication window
        try await startReplay(stack, "all", archive: "kept", from: 1_699_999_000, to: 1_700_000_100)
        #expect(try await stack.bus.replayStep() == 4)
        #expect(try await drain(stack, url) == ["a", "b", "d", "c"])
        try await stack.events("DeleteArchive", ["ArchiveName": "kept"])
        #expect(try await sharedCopies(stack) == [])
    }
}
