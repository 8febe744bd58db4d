import Foundation
import GRDB
import Synchronization
import Testing
@testable import Stack

/// Set once, read from other tasks (a cancelled task's store reads would throw instead).
final class StopFlag: Sendable {
    private let value = Mutex(false)
    var stopped: Bool { value.withLock { $0 } }
    func stop() { value.withLock { $0 = true } }
}

/// The WAL copied back by the store's checkpointer instead of by the writer after its commits.
@Suite struct StoreCheckpointTests {
    static let threshold = 50
    static let blob = Data(repeating: 0x5A, count: 16 * 1024)

    /// A store of one table of blobs, checkpointing at `threshold` pages.
    static func store(in directory: URL) throws -> StackStore {
        try StackStore(directory: directory, migrations: [StoreMigration("blobs") { db in
            try db.execute(sql: "CREATE TABLE blob (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        }], checkpointPages: threshold)
    }

    static func walBytes(in directory: URL) -> Int {
        let path = directory.appendingPathComponent(StackStore.fileName + "-wal").path
        return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// Writing about 80 times the threshold's pages, 8 writers at once, leaves a WAL file of a
    /// few thresholds, not one holding everything written (SQLite's own automatic checkpoint is
    /// off on the writer, so without the checkpointer it would hold it all). Readers read all
    /// along, and every write is there after reopening.
    @Test func theWALStaysBoundedAndReadersReadThroughout() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writes = 1000
        do {
            let store = try Self.store(in: directory)
            let writing = StopFlag()
            let reads = Task {
                var reads = 0, last = 0
                while !writing.stopped {
                    let count = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blob") ?? 0 }
                    #expect(count >= last) // each read sees a committed snapshot, never one going back
                    last = count
                    reads += 1
                    await Task.yield()
                }
                return reads
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for _ in stride(from: writer, to: writes, by: 8) {
                            try await store.write { db in try db.execute(sql: "INSERT INTO blob (body) VALUES (?)", arguments: [Self.blob]) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            writing.stop()
            #expect(try await reads.value > 0)
            let written = writes * Self.blob.count
            let wal = Self.walBytes(in: directory)
            #expect(wal > 0 && wal < written / 4, "WAL \(wal) bytes after \(written) bytes written")
            #expect(store.checkpointCounts.passes > 0)
        }
        let reopened = try Self.store(in: directory)
        #expect(try await reopened.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blob") } == writes)
    }

    /// The checkpointer's connection goes with the store: once the store is released, the last
    /// connection to close deletes the WAL (SQLite does so only when no connection is left).
    @Test func theCheckpointerClosesWithTheStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let walPath = directory.appendingPathComponent(StackStore.fileName + "-wal").path
        do {
            let store = try Self.store(in: directory)
            for _ in 0..<(4 * Self.threshold) {
                try await store.write { db in try db.execute(sql: "INSERT INTO blob (body) VALUES (?)", arguments: [Self.blob]) }
            }
            #expect(store.checkpointCounts.passes > 0)
            #expect(FileManager.default.fileExists(atPath: walPath))
        }
        // The store's last reference may be the drain task finishing its loop: wait for it.
        let deadline = ContinuousClock.now + .seconds(10)
        while FileManager.default.fileExists(atPath: walPath), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!FileManager.default.fileExists(atPath: walPath))
    }
}
