import GRDB
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
enum BusArchiveStore {
    /// Appends one event to each of `archives`. `eventTime` is the envelope's `time` (Unix ms),
    /// what replays select on; `archivedAt` is when it was accepted, what retention counts from.
    static func append(_ db: Database, archives: [String], eventTime: Int64, archivedAt: Int64, text: String) throws {
        let insert = try DirectStatement(db, sql: """
            INSERT INTO eb_archive_event (archive, event_time, archived_at, event) VALUES (?, ?, ?, ?)
            """)
        for archive in archives {
            try insert.execute { row in
                row.bind(archive)
                row.bind(eventTime)
                row.bind(archivedAt)
                row.bind(text)
            }
        }
    }

    /// How many events an archive holds and their size in bytes (the envelopes' UTF-8 text).
    static func totals(_ db: Database, archive: String) throws -> (count: Int64, bytes: Int64) {
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*), COALESCE(SUM(length(CAST(event AS BLOB))), 0) FROM eb_archive_event WHERE archive = ?
            """, arguments: [archive])
        let count: Int64 = row?[0] ?? 0, bytes: Int64 = row?[1] ?? 0
        return (count, bytes)
    }

    /// Deletes the events of archives with a retention period that are older than it; returns
    /// how many went. An archive with `retention_days = 0` keeps its events indefinitely.
    @discardableResult
    static func deleteExpired(_ db: Database, now: Int64) throws -> Int {
        let archives = try Row.fetchAll(db, sql: "SELECT name, retention_days FROM eb_archive WHERE retention_days > 0")
        var deleted = 0
        for row in archives {
            let name: String = row[0], days: Int64 = row[1]
            try db.execute(sql: "DELETE FROM eb_archive_event WHERE archive = ? AND archived_at < ?",
                           arguments: [name, now - days * 86_400_000])
            deleted += db.changesCount
        }
        return deleted
    }
}
