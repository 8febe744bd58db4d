import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the WAL back into the database file off the store's single writer.
///
/// SQLite's default, an automatic PASSIVE checkpoint after the commit that leaves 1000 pages or
/// more in the WAL, runs on the committing connection: in this store, the one writer every
/// PutEvents and SendMessage waits for. Each such checkpoint copies the WAL's pages into the
/// database file and fsyncs it, and no write can commit meanwhile. Here a WAL hook on the writer
/// replaces it: when a commit leaves `threshold` pages or more, a connection of the checkpointer's
/// own runs a PASSIVE checkpoint on its own queue, alongside the writer's next commits. A PASSIVE
/// checkpoint never blocks readers or the writer.
///
/// SQLite starts the WAL over only when a write transaction begins with every frame already
/// copied back, and a checkpoint on another connection ends a few commits behind whenever commits
/// keep coming. So passes go on as the WAL grows (another once `threshold / 2` committed pages
/// wait to be copied back), and once the WAL reaches `ceiling` pages the writer's next commit
/// copies what the passes left (a PASSIVE checkpoint on the writer connection, what SQLite's
/// default did with the whole WAL; now the few pages committed since the last pass, and one fsync
/// of the database file); the following write starts the WAL over. The WAL stays bounded (about
/// `ceiling` pages) and the writer copies back a small part of what it writes.
///
/// Durability is unchanged: commits still fsync the WAL (`synchronous = FULL`); a checkpoint,
/// whichever connection runs it, fsyncs the database file before SQLite lets the WAL be reused.
final class WALCheckpointer: Sendable {
    let threshold: Int
    let ceiling: Int
    private let connection: DatabaseQueue
    private let progress: Progress

    /// Where the WAL's copy back stands. Shared with the passes in flight (which must not retain
    /// the checkpointer: its connection closes when it goes).
    final class Progress: Sendable {
        enum Phase: Sendable {
            /// No pass in flight, none finished since the WAL last started over.
            case idle
            /// A pass is running on the checkpointer's connection.
            case copying
            /// A pass finished: the WAL's first `backfilled` frames are in the database file.
            case copied(backfilled: Int)
        }
        let phase = Mutex(Phase.idle)
        /// Passes run off the writer and tails copied by the writer (tests and benchmarks).
        let counts = Mutex((passes: 0, writerTails: 0))
    }

    /// What a commit's hook decided.
    private enum Step { case none, startPass, copyOnWriter }

    /// Opens the checkpointer's own connection to the store's database at `path` (already in WAL
    /// mode). `threshold` is in pages, as SQLite's `wal_autocheckpoint`.
    init(path: String, threshold: Int) throws {
        self.threshold = max(1, threshold)
        ceiling = 4 * self.threshold
        var configuration = Configuration()
        configuration.label = "WALCheckpointer"
        // A checkpoint fsyncs the database file before the WAL may be reused: FULL, as the writer.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        connection = try DatabaseQueue(path: path, configuration: configuration)
        progress = Progress()
    }

    /// Passes run off the writer, and tails the writer copied itself, so far.
    var counts: (passes: Int, writerTails: Int) { progress.counts.withLock { $0 } }

    /// Puts the hook on `writer` (the store's writer connection), replacing SQLite's automatic
    /// checkpoint. The hook holds the checkpointer unretained: `uninstall` before it goes.
    func install(on writer: Database) {
        sqlite3_wal_hook(writer.sqliteConnection, { context, connection, _, pages in
            if let context, let connection {
                Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
                    .committed(walPages: Int(pages), writer: connection)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Takes the hook off `writer`, then waits for a pass in flight to end.
    func uninstall(from writer: Database) {
        sqlite3_wal_hook(writer.sqliteConnection, nil, nil)
        connection.inDatabase { _ in }
    }

    /// Runs on the writer's thread after each commit, with the WAL's length in pages.
    private func committed(walPages pages: Int, writer: OpaquePointer) {
        let step = progress.phase.withLock { phase -> Step in
            if pages < threshold {
                // The WAL started over since the last pass: nothing of it is left to copy.
                if case .copied = phase { phase = .idle }
                return .none
            }
            switch phase {
            case .idle:
                phase = .copying
                return .startPass
            case .copying:
                // A pass in flight holds the checkpoint lock: the writer's attempt is refused
                // (SQLITE_BUSY) until it ends, and the next commit tries again.
                return pages >= ceiling ? .copyOnWriter : .none
            case .copied(let backfilled):
                if pages >= ceiling {
                    phase = .idle
                    return .copyOnWriter
                }
                guard pages - backfilled >= threshold / 2 else { return .none }
                phase = .copying
                return .startPass
            }
        }
        switch step {
        case .none:
            break
        case .startPass:
            let progress = progress
            connection.asyncWriteWithoutTransaction { db in
                // Frames a reader still needs stay in the WAL (PASSIVE): the writer's tail or a
                // later pass copies them. An error leaves them for the same.
                let backfilled = (try? db.checkpoint(.passive))?.checkpointedFrameCount ?? 0
                progress.phase.withLock { $0 = .copied(backfilled: max(0, backfilled)) }
                progress.counts.withLock { $0.passes += 1 }
            }
        case .copyOnWriter:
            // SQLITE_BUSY while a pass holds the checkpoint lock: the next commit tries again.
            if sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK {
                progress.counts.withLock { $0.writerTails += 1 }
            }
        }
    }
}
