import GRDB

/// The breaker board's tables. Times are seconds since 1970 (REAL), as on the wire.
///
/// - `breaker_audit`: every override ever set, append-only; `id` orders it (newest = largest).
/// - `breaker_override`: the override standing for a breaker (at most one), pointing at the
///   audit entry that set it; an `automatic` one is deleted once handed to the service.
/// - `breaker_snapshot`: the last snapshot seen at a breaker's first report and at each state
///   change, so the board still lists its breakers after a restart (marked stale until they
///   report again). Ordinary reports stay in memory.
enum BreakerBoardSchema {
    static let migrations: [StoreMigration] = [
        StoreMigration("breakers-v1") { db in
            try db.execute(sql: """
                CREATE TABLE breaker_audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    service TEXT NOT NULL,
                    dependency TEXT NOT NULL,
                    from_state TEXT NOT NULL,
                    to_state TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE INDEX breaker_audit_breaker ON breaker_audit(service, dependency, id);
                CREATE TABLE breaker_override (
                    service TEXT NOT NULL,
                    dependency TEXT NOT NULL,
                    audit_id INTEGER NOT NULL,
                    mode TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    at REAL NOT NULL,
                    PRIMARY KEY (service, dependency)
                ) WITHOUT ROWID;
                CREATE TABLE breaker_snapshot (
                    service TEXT NOT NULL,
                    dependency TEXT NOT NULL,
                    snapshot TEXT NOT NULL,
                    reported_at REAL NOT NULL,
                    PRIMARY KEY (service, dependency)
                ) WITHOUT ROWID;
                """)
        },
    ]
}
