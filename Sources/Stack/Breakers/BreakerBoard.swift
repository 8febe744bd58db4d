import CircuitBreaker
import Foundation
import GRDB
import JSON
import StackProtocol
import Timekeeping
import Wire

/// The breaker board: services report their breakers here, operators read them and set
/// overrides, and every override is audited. One actor owns the board's memory; the store
/// owns what must survive a crash (the audit trail and standing overrides, committed before
/// the caller hears 200).
///
/// Ordering: override writes are queued to the store in the actor's order and commit in that
/// order; the audit id they get is therefore increasing, and memory applies an override only
/// if its id is newer than the last one applied — so memory agrees with the store even when
/// commits resume their callers out of order.
public actor BreakerBoard {
    /// A breaker whose service has not reported for longer than this is shown as stale.
    public static let defaultStaleAfter = 10.0
    /// A bound on memory and on the board's size: a misbehaving client cannot grow it forever.
    public static let defaultMaximumBreakers = 10_000

    public static var migrations: [StoreMigration] { BreakerBoardSchema.migrations }

    struct StandingOverride: Sendable {
        var value: BreakerOverride
        var auditId: Int64
    }

    struct Record: Sendable {
        var snapshot: BreakerSnapshot
        var reportedAt: Double
        var override: StandingOverride?
        /// The newest audit id applied to this breaker (set or cleared).
        var overrideVersion: Int64 = 0
    }

    let store: StackStore
    let hub: StreamHub
    /// Whether overrides are refused (`signalbox serve --readonly`).
    public nonisolated let readOnly: Bool
    let staleAfter: Double
    let maximumBreakers: Int
    /// Report and override times are its wall clock's seconds since 1970 (tests move it to
    /// decide staleness without sleeping).
    let clock: any TimeSource
    private var records: [BreakerID: Record] = [:]
    private var loaded = false

    public init(store: StackStore, hub: StreamHub, readOnly: Bool = false,
                staleAfter: Double = BreakerBoard.defaultStaleAfter,
                maximumBreakers: Int = BreakerBoard.defaultMaximumBreakers,
                clock: any TimeSource = SystemClock()) {
        self.store = store
        self.hub = hub
        self.readOnly = readOnly
        self.staleAfter = staleAfter
        self.maximumBreakers = maximumBreakers
        self.clock = clock
    }

    // MARK: Reports

    /// A service's report: stores the snapshot and returns the override the service must apply
    /// (`nil`: none stands). An `automatic` override is returned once, then cleared.
    public func report(_ snapshot: BreakerSnapshot) async throws(BreakerBoardError) -> BreakerOverride? {
        try ensureLoaded()
        let id = snapshot.id
        let now = clock.wallClockNow.seconds
        let previous = records[id]
        if previous == nil, records.count >= maximumBreakers { throw .boardFull(maximumBreakers) }
        let changed = previous?.snapshot.state != snapshot.state
        var record = previous ?? Record(snapshot: snapshot, reportedAt: now)
        record.snapshot = snapshot
        record.reportedAt = now
        records[id] = record
        if changed {
            // Best effort: snapshots are a convenience after a restart, not a promise.
            let text = snapshot.json.serialized
            _ = try? await store.write { db in
                try db.execute(sql: """
                    INSERT INTO breaker_snapshot (service, dependency, snapshot, reported_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (service, dependency) DO UPDATE SET snapshot = excluded.snapshot,
                        reported_at = excluded.reported_at
                    """, arguments: [id.service, id.dependency, text, now])
            }
            publishReport(id, previousState: previous?.snapshot.state)
        }
        guard let standing = records[id]?.override else { return nil }
        if standing.value.mode == .automatic {
            // Handed over once: clear it durably first, so a restart does not hand it again.
            try await write { db in
                try db.execute(sql: "DELETE FROM breaker_override WHERE service = ? AND dependency = ? AND audit_id = ?",
                               arguments: [id.service, id.dependency, standing.auditId])
            }
            if records[id]?.override?.auditId == standing.auditId { records[id]?.override = nil }
        }
        return standing.value
    }

    // MARK: Overrides

    /// Sets an operator's override on a reported breaker; returns the breaker's entry and the
    /// audit entry, both committed.
    func setOverride(_ id: BreakerID, _ request: CheckedOverrideRequest) async throws(BreakerBoardError)
        -> BreakerOverrideResult
    {
        if readOnly { throw .readOnly }
        try ensureLoaded()
        guard let record = records[id] else { throw .notFound(service: id.service, dependency: id.dependency) }
        let at = clock.wallClockNow.seconds
        let override = BreakerOverride(mode: request.mode, reason: request.reason, actor: request.actor, at: at)
        let from = record.snapshot.state
        let to = override.targetState
        let auditId = try await write { db -> Int64 in
            try db.execute(sql: """
                INSERT INTO breaker_audit (at, actor, service, dependency, from_state, to_state, mode, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [at, request.actor, id.service, id.dependency, from.rawValue, to.rawValue,
                                 request.mode.rawValue, request.reason])
            let auditId = db.lastInsertedRowID
            try db.execute(sql: """
                INSERT INTO breaker_override (service, dependency, audit_id, mode, reason, actor, at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (service, dependency) DO UPDATE SET audit_id = excluded.audit_id, mode = excluded.mode,
                    reason = excluded.reason, actor = excluded.actor, at = excluded.at
                """, arguments: [id.service, id.dependency, auditId, request.mode.rawValue, request.reason,
                                 request.actor, at])
            return auditId
        }
        if var current = records[id], auditId > current.overrideVersion {
            current.override = StandingOverride(value: override, auditId: auditId)
            current.overrideVersion = auditId
            records[id] = current
        }
        let audit = BreakerAuditEntry(id: auditId, at: at, actor: request.actor, service: id.service,
                                      dependency: id.dependency, from: from, to: to, mode: request.mode,
                                      reason: request.reason)
        let entry = entry(for: id, record: records[id] ?? record)
        let result = BreakerOverrideResult(entry: entry, audit: audit)
        hub.publish(.breakerOverride(result), subject: subject(entry.snapshot))
        return result
    }

    // MARK: Reading

    /// Every breaker, sorted by service then dependency; `service` narrows to one service.
    public func entries(service: String? = nil) throws(BreakerBoardError) -> [BreakerBoardEntry] {
        try ensureLoaded()
        return records.keys
            .filter { service == nil || $0.service == service }
            .sorted { ($0.service, $0.dependency) < ($1.service, $1.dependency) }
            .compactMap { id in records[id].map { entry(for: id, record: $0) } }
    }

    /// One breaker, or nil when no service has reported it.
    public func entry(_ id: BreakerID) throws(BreakerBoardError) -> BreakerBoardEntry? {
        try ensureLoaded()
        return records[id].map { entry(for: id, record: $0) }
    }

    /// The audit trail, newest first.
    public func audit(limit: Int, service: String? = nil, dependency: String? = nil) async throws(BreakerBoardError)
        -> [BreakerAuditEntry]
    {
        do {
            return try await store.read { db in
                var conditions: [String] = []
                var arguments: StatementArguments = []
                if let service { conditions.append("service = ?"); arguments += [service] }
                if let dependency { conditions.append("dependency = ?"); arguments += [dependency] }
                let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                arguments += [limit]
                let rows = try Row.fetchAll(db, sql: """
                    SELECT id, at, actor, service, dependency, from_state, to_state, mode, reason FROM breaker_audit
                    \(filter) ORDER BY id DESC LIMIT ?
                    """, arguments: arguments)
                return rows.compactMap(Self.auditEntry)
            }
        } catch {
            throw .internalFailure("reading the audit trail failed: \(error.message)")
        }
    }

    // MARK: Internals

    private func entry(for id: BreakerID, record: Record) -> BreakerBoardEntry {
        BreakerBoardEntry(snapshot: record.snapshot, reportedAt: record.reportedAt,
                          stale: clock.wallClockNow.seconds - record.reportedAt > staleAfter, override: record.override?.value)
    }

    private func subject(_ snapshot: BreakerSnapshot) -> JSONValue {
        ["service": .string(snapshot.service), "dependency": .string(snapshot.dependency),
         "state": .string(snapshot.state.rawValue)]
    }

    private func publishReport(_ id: BreakerID, previousState: BreakerState?) {
        guard let record = records[id] else { return }
        let change = BreakerChange(entry: entry(for: id, record: record), previousState: previousState)
        hub.publish(.breaker(change), subject: subject(record.snapshot))
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(BreakerBoardError) -> T {
        do {
            return try await store.write(body)
        } catch {
            throw .internalFailure("the breaker board's store write failed: \(error.message)")
        }
    }

    /// Loads the persisted snapshots and standing overrides once (a synchronous read at the
    /// first request, so no other request can interleave with it).
    private func ensureLoaded() throws(BreakerBoardError) {
        if loaded { return }
        do {
            let (snapshots, overrides) = try store.pool.read { db in
                (try Row.fetchAll(db, sql: "SELECT service, dependency, snapshot, reported_at FROM breaker_snapshot"),
                 try Row.fetchAll(db, sql: "SELECT service, dependency, audit_id, mode, reason, actor, at FROM breaker_override"))
            }
            var loadedRecords: [BreakerID: Record] = [:]
            for row in snapshots {
                let text: String = row["snapshot"]
                guard let json = try? JSONValue(parsing: text), let snapshot = try? BreakerSnapshot(json: json) else { continue }
                loadedRecords[snapshot.id] = Record(snapshot: snapshot, reportedAt: row["reported_at"])
            }
            for row in overrides {
                let id = BreakerID(service: row["service"], dependency: row["dependency"])
                let modeText: String = row["mode"]
                guard let mode = BreakerOverride.Mode(rawValue: modeText), loadedRecords[id] != nil else { continue }
                let auditId: Int64 = row["audit_id"]
                let value = BreakerOverride(mode: mode, reason: row["reason"], actor: row["actor"], at: row["at"])
                loadedRecords[id]?.override = StandingOverride(value: value, auditId: auditId)
                loadedRecords[id]?.overrideVersion = auditId
            }
            // Reports that raced the load keep their fresher snapshots.
            records.merge(loadedRecords) { current, _ in current }
            loaded = true
        } catch {
            throw .internalFailure("loading the breaker board failed: \(error)")
        }
    }

    private static func auditEntry(_ row: Row) -> BreakerAuditEntry? {
        let from: String = row["from_state"]
        let to: String = row["to_state"]
        let mode: String = row["mode"]
        guard let fromState = BreakerState(rawValue: from), let toState = BreakerState(rawValue: to),
              let modeValue = BreakerOverride.Mode(rawValue: mode) else { return nil }
        return BreakerAuditEntry(id: row["id"], at: row["at"], actor: row["actor"], service: row["service"],
                                 dependency: row["dependency"], from: fromState, to: toState, mode: modeValue,
                                 reason: row["reason"])
    }
}
