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

/// The archived events' table. Every write runs inside a transaction the caller opened (the
/// PutEvents one, so an acknowledged event is archived).
///
/// An event put by PutEvents is stored once: its archive rows name the copy of its text that
/// its queue messages share (`sqs_shared_body`, through `DeliveryLookups.sharedBody`), with an
/// empty `event`; an event that is its copy's only holder, or that reached the bus by a hop,
/// keeps its text in `event` (`body_ref` NULL). Each row naming a copy counts in its `refs`,
/// and each deletion of rows releases theirs.
enum BusArchiveStore {
    /// An archived event's text, wherever it is stored (SQL, on a row of `eb_archive_event`).
    static let eventText = "CASE WHEN body_ref IS NULL THEN event ELSE (SELECT body FROM sqs_shared_body WHERE id = body_ref) END"

    /// Appends `event` to each of `archives`. `eventTime` is the envelope's `time` (Unix ms),
    /// what replays select on; `archivedAt` is when it was accepted, what retention counts from.
    static func append(_ db: Database, archives: [String], eventTime: Int64, archivedAt: Int64, event: BusEvent,
                       lookups: DeliveryLookups) throws {
        let insert = try DirectStatement(db, sql: """
            INSERT INTO eb_archive_event (archive, event_time, archived_at, event, body_ref) VALUES (?, ?, ?, ?, ?)
            """)
        for archive in archives {
            let shared = try lookups.sharedBody(db, event: event)
            try insert.execute { row in
                row.bind(archive)
                row.bind(eventTime)
                row.bind(archivedAt)
                row.bind(shared == nil ? event.text : "")
                row.bind(shared)
            }
        }
    }

    /// How many events of `archive` were archived after `seq`, their size in bytes (the
    /// envelopes' UTF-8 text), and the last one's `seq`. `+archive` keeps SQLite on the rowid
    /// range (only the rows after `seq` are read) rather than walking the archive's index.
    static func totals(_ db: Database, archive: String, after seq: Int64) throws -> (count: Int64, bytes: Int64, lastSeq: Int64?) {
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*), COALESCE(SUM(length(CAST(\(eventText) AS BLOB))), 0), MAX(seq) FROM eb_archive_event
            WHERE seq > ? AND +archive = ?
            """, arguments: [seq, archive])
        let count: Int64 = row?[0] ?? 0, bytes: Int64 = row?[1] ?? 0, last: Int64? = row?[2]
        return (count, bytes, last)
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

    /// Deletes the archived events `condition` selects and releases the shared copies they
    /// named; returns how many went.
    @discardableResult
    private static func delete(_ db: Database, where condition: String, arguments: StatementArguments) throws -> Int {
        let refs = try Int64?.fetchAll(db, sql: "DELETE FROM eb_archive_event WHERE \(condition) RETURNING body_ref",
                                       arguments: arguments)
        try QueueEngine.releaseSharedBodies(db, refs)
        return refs.count
    }
}

/// Each archive's event count and size, as ListArchives and DescribeArchive report them. A
/// console polls ListArchives every few seconds; counting an archive afresh each time read
/// every archived envelope (gigabytes after days of traffic). Between deletions the events
/// are only appended (`seq` grows), so a call adds the events archived since the last one to
/// the totals held. A deletion (retention, DeleteArchive) calls `invalidate`: the next call
/// counts afresh.
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
