import Foundation
import GRDB
import Synchronization
import JSON
import Patterns

/// An archive as PutEvents sees it: the archive keeps every event put to its bus that its
/// pattern (when it has one) matches. Replayed events carry `replay-name` and are never
/// archived again, as in AWS.
struct ArchiveRoute: Sendable {
    var name: String
    var pattern: EventPattern?

    func accepts(_ event: JSONValue) -> Bool {
        guard event["replay-name"] == nil else { return false }
        return pattern?.matches(event) ?? true
    }
}

/// One archived event as a segment holds it: its event time (Unix ms, the envelope's `time`)
/// and where its text is.
struct ArchiveEntry: Equatable, Sendable {
    var time: Int64
    var text: ArchivedText
}

/// Where an archived event's text is kept.
enum ArchivedText: Equatable, Sendable {
    /// In the `sqs_shared_body` copy with this id, which the event's queue messages name too.
    case shared(Int64)
    /// In the segment's own `texts`, this many bytes long, right after the texts of the
    /// segment's earlier inline entries.
    case inline(length: Int)

    /// The copy it names, if it names one.
    var sharedCopy: Int64? {
        if case .shared(let id) = self { return id }
        return nil
    }
}

/// The archives' storage: **segments**, not a row per event. A segment is one row of
/// `eb_archive_segment` per (archive, write, minute of event time): the entries of the events
/// that one write (one `store.write`, e.g. one PutEvents call) archived whose `time` falls in
/// that minute, packed in a BLOB (`entries`: 16 bytes an event, its time then where its text
/// is, each a little-endian Int64), with their count (`events`), their envelopes' UTF-8 size
/// (`bytes`, as SizeBytes counts it), when they were archived (`archived_at`, what retention
/// counts from) and the minute (`minute`, Unix ms ÷ 60,000 rounded down). Per write the store
/// writer inserts one row and one index entry `(archive, minute)` (+ `seq`), however many
/// events it archived.
///
/// An entry's second number says where its text is. Positive: the id of an `sqs_shared_body`
/// copy, counted in its `refs` like a queue message naming it; an event PutEvents sends to two
/// or more standard queues already has that copy, so archiving it adds a count, not a text.
/// Negative: minus the length of a text held in the segment itself (`texts`, the inline texts
/// concatenated in entry order; NULL when there are none, as in every segment written before
/// inline texts). Every other archived event's text is inline: an event no queue carries, or
/// one queue (whose message keeps its own copy, as it would without an archive), or archived by
/// a bus-to-bus hop. PutEvents builds its segments before its write transaction, inline texts
/// included (`PreparedArchive`), so the single writer copies one buffer per segment instead of
/// inserting a row per event. Deleting segments (retention, DeleteArchive) releases the copies
/// their shared entries name (`QueueEngine.releaseSharedBodies`); inline texts go with their row.
///
/// `seq` is AUTOINCREMENT (one read and write of sqlite_sequence per write, not per event), so
/// a segment's seq is above every seq ever given: StartReplay's `last_seq` and
/// `ArchiveTotals`' "after seq" never see a later segment take a number they cover.
///
/// Every write runs inside a transaction the caller opened (the PutEvents one, so an
/// acknowledged event is archived).
enum BusArchiveStore {
    /// An entry's size in a segment's `entries`.
    static let entrySize = 16

    /// The minute of an event time (Unix ms), rounded down (times before 1970 too).
    static func minute(of time: Int64) -> Int64 {
        time >= 0 ? time / 60_000 : (time + 1) / 60_000 - 1
    }

    /// A segment's entries, in the order they were archived.
    static func entries(_ blob: Data) -> [ArchiveEntry] {
        blob.withUnsafeBytes { bytes in
            stride(from: 0, to: bytes.count - entrySize + 1, by: entrySize).map { offset in
                let place = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: Int64.self))
                return ArchiveEntry(time: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self)),
                                    text: place < 0 ? .inline(length: Int(-place)) : .shared(place))
            }
        }
    }

    /// The shared copies a segment's entries name, once per entry that names one.
    static func sharedCopies(of blob: Data) -> [Int64] {
        entries(blob).compactMap(\.text.sharedCopy)
    }

    /// How many events of `archive` were archived in segments after `seq`, their size in bytes
    /// (the envelopes' UTF-8 text), and the last segment's `seq`. `+archive` keeps SQLite on
    /// the rowid range (only the segments after `seq` are read) rather than walking the
    /// archive's index.
    static func totals(_ db: Database, archive: String, after seq: Int64) throws -> (count: Int64, bytes: Int64, lastSeq: Int64?) {
        let row = try Row.fetchOne(db, sql: """
            SELECT COALESCE(SUM(events), 0), COALESCE(SUM(bytes), 0), MAX(seq) FROM eb_archive_segment
            WHERE seq > ? AND +archive = ?
            """, arguments: [seq, archive])
        let count: Int64 = row?[0] ?? 0, bytes: Int64 = row?[1] ?? 0, last: Int64? = row?[2]
        return (count, bytes, last)
    }

    /// The newest segment's seq: every segment of any archive written later has a greater
    /// one (AUTOINCREMENT), so it bounds what a replay started now may deliver.
    static func newestSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM eb_archive_segment") ?? 0
    }

    /// Deletes the events of archives with a retention period that are older than it; returns
    /// how many went. An archive with `retention_days = 0` keeps its events indefinitely.
    @discardableResult
    static func deleteExpired(_ db: Database, now: Int64) throws -> Int {
        let archives = try Row.fetchAll(db, sql: "SELECT name, retention_days FROM eb_archive WHERE retention_days > 0")
        var deleted = 0
        for row in archives {
            let name: String = row[0], days: Int64 = row[1]
            deleted += try delete(db, where: "archive = ? AND archived_at < ?", arguments: [name, now - days * 86_400_000])
        }
        return deleted
    }

    /// Deletes every event of `archive` (DeleteArchive).
    static func deleteAll(_ db: Database, archive: String) throws {
        try delete(db, where: "archive = ?", arguments: [archive])
    }

    /// Deletes the segments `condition` selects (their inline texts with them) and releases the
    /// shared copies their entries named; returns how many events went.
    @discardableResult
    private static func delete(_ db: Database, where condition: String, arguments: StatementArguments) throws -> Int {
        let segments = try Row.fetchAll(db, sql: "DELETE FROM eb_archive_segment WHERE \(condition) RETURNING events, entries",
                                        arguments: arguments)
        var deleted = 0
        var refs: [Int64] = []
        for segment in segments {
            deleted += segment[0] as Int
            refs += sharedCopies(of: segment[1])
        }
        try QueueEngine.releaseSharedBodies(db, refs)
        return deleted
    }
}

/// Each archive's event count and size, as ListArchives and DescribeArchive report them. A
/// console polls ListArchives every few seconds; summing an archive's segments afresh each
/// time would read one row per write ever archived. Between deletions segments are only
/// appended (`seq` grows), so a call adds the segments written since the last one to the
/// totals held. A deletion (retention, DeleteArchive) calls `invalidate`: the next call counts
/// afresh.
///
/// Reads run on snapshots of their own, so two calls may finish out of order: totals are kept
/// only when they reach further than those held, and only if no deletion came in between
/// (the generation each started from is still current).
final class ArchiveTotals: Sendable {
    private struct Held {
        var lastSeq: Int64
        var count: Int64
        var bytes: Int64
    }

    private let state = Mutex<(generation: Int, held: [String: Held])>((0, [:]))

    func invalidate() {
        state.withLock { state in
            state.generation += 1
            state.held = [:]
        }
    }

    func totals(_ db: Database, archive: String) throws -> (count: Int64, bytes: Int64) {
        let (generation, held) = state.withLock { ($0.generation, $0.held[archive]) }
        let base = held ?? Held(lastSeq: 0, count: 0, bytes: 0)
        let added = try BusArchiveStore.totals(db, archive: archive, after: base.lastSeq)
        let now = Held(lastSeq: added.lastSeq ?? base.lastSeq, count: base.count + added.count, bytes: base.bytes + added.bytes)
        state.withLock { state in
            guard state.generation == generation, now.lastSeq > (state.held[archive]?.lastSeq ?? 0) else { return }
            state.held[archive] = now
        }
        return (now.count, now.bytes)
    }
}
