import Provider
import Testing

/// Follows a provider's snapshots and waits for one that satisfies a condition. The time
/// limit only turns a hang into a failure; no test asserts on how long anything took.
public actor SnapshotWatcher {
    public private(set) var latest: SystemSnapshot?
    public private(set) var count = 0
    private var task: Task<Void, Never>?

    public static func watching(_ provider: some SystemProvider) async -> SnapshotWatcher {
        let watcher = SnapshotWatcher()
        await watcher.start(provider.snapshots())
        return watcher
    }

    private func start(_ stream: AsyncStream<SystemSnapshot>) {
        task = Task {
            for await snapshot in stream { self.receive(snapshot) }
        }
    }

    private func receive(_ snapshot: SystemSnapshot) {
        latest = snapshot
        count += 1
    }

    public func stop() { task?.cancel() }

    public func wait(_ what: String, limit: Duration = .seconds(60),
                     until predicate: @Sendable (SystemSnapshot) -> Bool) async throws -> SystemSnapshot {
        do {
            return try await eventually(what, limit: limit, every: .milliseconds(50)) {
                latest.flatMap { predicate($0) ? $0 : nil }
            }
        } catch {
            Issue.record("no snapshot showed \(what); the last was \(String(describing: latest?.connection))")
            throw error
        }
    }
}

/// Runs `body` with a watcher on `provider`, then stops the watcher and shuts the provider
/// down, awaited, before returning (or rethrowing). A test's servers are stopped only after
/// this returns, so their graceful shutdowns never wait on a provider still polling or
/// streaming: an unawaited `defer { Task { … shutdown() } }` left that to chance, and one
/// full parallel run hung in such a shutdown.
public func watching<T: Sendable>(
    _ provider: StackProvider, _ body: (SnapshotWatcher) async throws -> T
) async throws -> T {
    let watcher = await SnapshotWatcher.watching(provider)
    let result: Result<T, any Error>
    do { result = .success(try await body(watcher)) } catch { result = .failure(error) }
    await watcher.stop()
    await provider.shutdown()
    return try result.get()
}
