import CircuitBreaker
import Foundation
import JSON
import Synchronization
import Timekeeping
@testable import Stack

/// A breaker board on a real store in a temporary directory, driven through its HTTP API
/// without sockets. `reopen()` builds a new board on the same files, as a restart would.
final class BreakerBoardHarness: Sendable {
    let directory: URL
    /// Moved by hand: staleness without sleeping.
    let clock = ManualClock()
    let hub = StreamHub()
    let readOnly: Bool
    private let current: Mutex<(store: StackStore, api: BreakerBoardAPI)>

    let maximumBreakers: Int

    init(readOnly: Bool = false, maximumBreakers: Int = BreakerBoard.defaultMaximumBreakers, directory: URL? = nil) throws {
        self.maximumBreakers = maximumBreakers
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("signalbox-breakers-test-\(UUID().uuidString)")
        self.readOnly = readOnly
        let store = try StackStore(directory: self.directory, migrations: StackAssembly.migrations)
        let board = BreakerBoard(store: store, hub: hub, readOnly: readOnly, maximumBreakers: maximumBreakers,
                                 clock: clock)
        current = Mutex((store, BreakerBoardAPI(board: board)))
    }

    var api: BreakerBoardAPI { current.withLock { $0.api } }
    var store: StackStore { current.withLock { $0.store } }

    /// A new store and board on the same directory (the old store's files stay as written).
    func reopen(readOnly: Bool? = nil) throws {
        let store = try StackStore(directory: directory, migrations: StackAssembly.migrations)
        let board = BreakerBoard(store: store, hub: hub, readOnly: readOnly ?? self.readOnly,
                                 maximumBreakers: maximumBreakers, clock: clock)
        current.withLock { $0 = (store, BreakerBoardAPI(board: board)) }
    }

    func removeFiles() { try? FileManager.default.removeItem(at: directory) }

    func call(_ method: String, _ path: String, query: String = "", body: JSONValue? = nil,
              raw: String? = nil) async -> (status: Int, body: JSONValue) {
        let bytes = raw.map { Array($0.utf8) } ?? body.map(\.utf8Bytes) ?? []
        return await api.respond(method: method, path: path, query: query, body: bytes)
    }

    /// PUT a snapshot to its own path; returns the answer.
    func report(_ snapshot: BreakerSnapshot) async -> (status: Int, body: JSONValue) {
        await call("PUT", "/_signalbox/breakers/\(snapshot.service)/\(snapshot.dependency)", body: snapshot.json)
    }

    func override(_ service: String, _ dependency: String, _ body: JSONValue) async -> (status: Int, body: JSONValue) {
        await call("POST", "/_signalbox/breakers/\(service)/\(dependency)/override", body: body)
    }
}

/// A real breaker's snapshot in `state` (the library makes it; the test sets the state).
func breakerSnapshot(_ service: String, _ dependency: String, state: BreakerState = .closed,
                     takenAt: Double = 1_800_000_000) throws -> BreakerSnapshot {
    let breaker = try CircuitBreaker(id: BreakerID(service: service, dependency: dependency),
                                     configuration: BreakerConfiguration())
    var snapshot = breaker.snapshot()
    snapshot.state = state
    snapshot.takenAt = takenAt
    return snapshot
}
