import Foundation
import GRDB
import Synchronization
import Wire

/// How far a write must reach before its caller resumes.
public enum WriteDurability: Sendable {
    /// Committed and the WAL fsynced: survives a process kill and a power loss. What a 200
    /// means for every write that creates or changes data (SendMessage, PutEvents, …).
    case synced
    /// Committed to the WAL in the OS's page cache, not yet fsynced: survives a process kill
    /// (`kill -9`), may be lost with a power loss, in which case the write never happened.
    /// Only for writes whose loss SQS's at-least-once contract already allows: a receive (the
    /// message becomes visible again) or a delete on a standard queue (it may be received once
    /// more). The next synced commit flushes these too.
    case committed
}

/// One service's schema change, applied once, in order, by identifier.
public struct StoreMigration: Sendable {
    public var identifier: String
    public var migrate: @Sendable (Database) throws -> Void

    public init(_ identifier: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        self.identifier = identifier
        self.migrate = migrate
    }
}

/// The stack's durable state: one SQLite database (`stack.sqlite`) in WAL mode, owned here.
///
/// Durability promise: every write goes through `write`, which returns only after its
/// transaction committed with `synchronous = FULL` — the WAL is fsynced at every commit, so
/// a committed change survives a process kill and a power loss. Services answer 200 only
/// after `write` returned, hence "acknowledged means durable". Readers never block the writer.
///
/// Group commit: writes that arrive while a commit is in progress are gathered and committed
/// together in one transaction (one fsync), each inside its own savepoint, so one write's
/// failure rolls back only that write. Each caller still resumes only after the commit that
/// contains its write. A batch of only `.committed` writes skips the fsync
/// (`synchronous = NORMAL` for that commit); any `.synced` write in a batch makes it FULL.
///
/// Checkpoints: the WAL is copied back into the database file by a connection of its own
/// (`WALCheckpointer`), not by the writer after its commits as SQLite does by default, so the
/// writes waiting behind a commit do not wait for that copy and its fsync too.
public final class StackStore: Sendable {
    public let pool: DatabasePool
    private let checkpointer: WALCheckpointer
    public let directory: URL
    /// The database's file name in `directory`.
    public static let fileName = "stack.sqlite"
    private let pending = Mutex(PendingWrites())

    struct PendingWrites {
        var jobs: [WriteJob] = []
        var draining = false
    }

    /// Whether the writer connection is at `synchronous = FULL`; touched by the drain only.
    private let writerSynced = Mutex(true)

    /// One queued write: runs inside the batch transaction and returns how to resume its caller
    /// once the batch committed; `fail` resumes it if the batch could not commit.
    struct WriteJob: Sendable {
        var durability: WriteDurability
        var run: @Sendable (Database) -> @Sendable () -> Void
        var fail: @Sendable (any Error) -> Void
    }

    /// Statistics for benchmarks: how many writes went through how many commits, and how long
    /// the single writer was busy running and committing them (the bus's and queues' ceiling).
    public var commitStatistics: (writes: Int, commits: Int, writerBusy: Duration) { statistics.withLock { $0 } }
    private let statistics = Mutex((writes: 0, commits: 0, writerBusy: Duration.zero))

    /// `checkpointPages`: how many pages the WAL holds before it is copied back (1000, SQLite's
    /// own default; tests use fewer).
    public init(directory: URL, migrations: [StoreMigration], checkpointPages: Int = 1000) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let path = directory.appendingPathComponent(Self.fileName).path
        pool = try DatabasePool(path: path, configuration: configuration)
        checkpointer = try WALCheckpointer(path: path, threshold: checkpointPages)
        // GRDB opens its writer with synchronous=NORMAL (a commit may be lost on power failure);
        // the promise needs FULL. The pool keeps this one writer connection, so it sticks, and so
        // does the checkpointer's hook on it.
        try pool.writeWithoutTransaction { [checkpointer] db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            checkpointer.install(on: db)
        }
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier) { db in try migration.migrate(db) }
        }
        try migrator.migrate(pool)
    }

    deinit {
        // The writer's hook points at the checkpointer, unretained: off before either goes.
        // Waits for a checkpoint in flight, so nothing of the store outlives it.
        pool.writeWithoutTransaction { [checkpointer] db in checkpointer.uninstall(from: db) }
    }

    /// WAL checkpoints so far: passes run off the writer, and short tails the writer copied
    /// itself before the WAL started over (tests and benchmarks).
    public var checkpointCounts: (passes: Int, writerTails: Int) { checkpointer.counts }

    /// Runs `body` as one atomic write; returns once it committed (and, `.synced`, reached the
    /// disk). An `AWSError` thrown by `body` rolls back its changes and is rethrown as is; any
    /// database failure is `InternalFailure`.
    public func write<T: Sendable>(durability: WriteDurability = .synced,
                                   _ body: @escaping @Sendable (Database) throws -> T) async throws(AWSError) -> T {
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = WriteJob(durability: durability, run: { db in
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try body(db)
                            return .commit
                        }
                        let result = value!
                        return { continuation.resume(returning: result) }
                    } catch {
                        return { continuation.resume(throwing: error) }
                    }
                }, fail: { error in continuation.resume(throwing: error) })
                enqueue(job)
            }
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError.internalFailure("store write failed: \(error)")
        }
    }

    private func enqueue(_ job: WriteJob) {
        let startDrain = pending.withLock { state -> Bool in
            state.jobs.append(job)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain { Task { await self.drain() } }
    }

    /// Commits queued writes in batches until none are left.
    private func drain() async {
        while true {
            let jobs = pending.withLock { state -> [WriteJob] in
                let jobs = state.jobs
                state.jobs = []
                if jobs.isEmpty { state.draining = false }
                return jobs
            }
            if jobs.isEmpty { return }
            let synced = jobs.contains { $0.durability == .synced }
            do {
                let resumers = try await pool.writeWithoutTransaction { db -> [@Sendable () -> Void] in
                    let started = ContinuousClock.now
                    defer { self.statistics.withLock { $0.writerBusy += ContinuousClock.now - started } }
                    try self.setSynchronous(db, full: synced)
                    var resumers: [@Sendable () -> Void] = []
                    resumers.reserveCapacity(jobs.count)
                    try db.inTransaction(.immediate) {
                        for job in jobs { resumers.append(job.run(db)) }
                        return .commit
                    }
                    return resumers
                }
                statistics.withLock { $0.writes += jobs.count; $0.commits += 1 }
                for resume in resumers { resume() }
            } catch {
                for job in jobs { job.fail(error) }
            }
        }
    }

    private func setSynchronous(_ db: Database, full: Bool) throws {
        guard writerSynced.withLock({ $0 }) != full else { return }
        try db.execute(sql: full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        writerSynced.withLock { $0 = full }
    }

    /// Runs `body` on a consistent snapshot, concurrently with writes.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(AWSError) -> T {
        do {
            return try await pool.read(body)
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError.internalFailure("store read failed: \(error)")
        }
    }

    /// The journal and synchronous modes in force (tests assert the durability settings).
    public func durabilitySettings() throws -> (journalMode: String, synchronous: Int) {
        try pool.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
             try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
    }
}
