import GRDB

/// The `events-v8-archive-segments` migration's conversion of archives stored a row per event
/// (`eb_archive_event`) into segments, so an old data directory opens with its archives as
/// they were: the same events, counts, sizes and retention.
///
/// Each old row becomes an entry of the segment of its (archive, `archived_at`, minute): one
/// write archived its events with one `archived_at`, so this is the segment that write would
/// now have made; entries keep the rows' order (`seq`, archive order). A row that held its own
/// text gives it to a new shared copy with one holder; a row naming a shared copy
/// (`body_ref`) keeps naming it, and its count is unchanged.
///
/// Replays: `last_seq` becomes the newest segment holding an event the replay covered (a
/// segment also holding a row archived after StartReplay in the same millisecond takes it
/// along). A replay under way resumes at the start of its cursor's minute: the old cursor
/// was a place in event-time order, which has no exact place in archive order, so the events
/// of that one minute it had already replayed are replayed again (at least once, never
/// skipped). The rest of its window is replayed once.
enum ArchiveSegmentConversion {
    static func convert(_ db: Database) throws {
        // Per archive, each segment made: the first old seq it holds, and its new seq.
        var made: [String: [(firstOldSeq: Int64, seq: Int64)]] = [:]
        var group: (archive: String, archivedAt: Int64)?
        var segments = ArchiveSegments()
        var firstOldSeq: [Int: Int64] = [:]
        func flush() throws {
            guard let group else { return }
            for (position, seq) in try segments.insert(db).enumerated() {
                made[group.archive, default: []].append((firstOldSeq[position]!, seq))
            }
            segments = ArchiveSegments()
            firstOldSeq = [:]
        }
        let copy = try db.cachedStatement(sql: "INSERT INTO sqs_shared_body (body, refs) VALUES (?, 1)")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT seq, archive, event_time, archived_at, body_ref,
                   CASE WHEN body_ref IS NULL THEN event END,
                   length(CAST(CASE WHEN body_ref IS NULL THEN event
                                    ELSE (SELECT body FROM sqs_shared_body WHERE id = body_ref) END AS BLOB))
            FROM eb_archive_event ORDER BY archive, archived_at, seq
            """)
        while let row = try rows.next() {
            let oldSeq: Int64 = row[0], archive: String = row[1], time: Int64 = row[2], archivedAt: Int64 = row[3]
            if group.map({ $0.archive != archive || $0.archivedAt != archivedAt }) ?? true {
                try flush()
                group = (archive, archivedAt)
            }
            var body: Int64? = row[4]
            if body == nil {
                try copy.execute(arguments: [row[5] as DatabaseValue])
                body = db.lastInsertedRowID
            }
            let position = segments.add(archive: archive, time: time, sharedCopy: body!, bytes: (row[6] as Int?) ?? 0, archivedAt: archivedAt)
            if firstOldSeq[position] == nil { firstOldSeq[position] = oldSeq }
        }
        try flush()

        for replay in try Row.fetchAll(db, sql: "SELECT name, archive, last_seq, cursor_minute FROM eb_replay") {
            let archive: String = replay["archive"], oldLast: Int64 = replay["last_seq"]
            let lastSeq = made[archive, default: []].filter { $0.firstOldSeq <= oldLast }.map(\.seq).max() ?? 0
            // `cursor_minute` still holds the old cursor's event time; seq 0 is no segment's,
            // so the whole of that minute comes next.
            let cursorTime: Int64? = replay["cursor_minute"]
            try db.execute(sql: """
                UPDATE eb_replay SET last_seq = ?, cursor_minute = ?, cursor_seq = ?, cursor_entry = ? WHERE name = ?
                """, arguments: [lastSeq, cursorTime.map(BusArchiveStore.minute(of:)), cursorTime.map { _ in Int64(0) },
                                 cursorTime.map { _ in Int64(0) }, replay["name"] as String])
        }
    }
}
