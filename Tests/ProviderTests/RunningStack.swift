import Foundation
import Provider
import Stack
import StackClient
import Testing

/// A real `StackServer` on a loopback port with a fresh data directory, for the length of
/// `body`. `port` 0 picks an ephemeral one.
func withRunningStack<T: Sendable>(port: Int = 0, _ body: @Sendable (StackEndpoint) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-provider-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let server = try StackAssembly.makeServer(configuration: StackConfiguration(port: port, dataDirectory: directory))
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let serving = Task { try await server.run { port in portSink.yield(port) } }
    defer { serving.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let bound = await iterator.next() else { throw CancellationError() }
    return try await body(try StackEndpoint(parsing: "http://127.0.0.1:\(bound)"))
}

/// A loopback port nobody listens on right now (bound, read, released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw CancellationError() }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw CancellationError() }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Follows a provider's snapshots and waits for one that satisfies a condition. The time
/// limit only turns a hang into a failure; no test asserts on how long anything took.
actor SnapshotWatcher {
    private(set) var latest: SystemSnapshot?
    private(set) var count = 0
    private var task: Task<Void, Never>?

    static func watching(_ provider: some SystemProvider) async -> SnapshotWatcher {
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

    func stop() { task?.cancel() }

    func wait(_ what: String, limit: Duration = .seconds(60),
              until predicate: @Sendable (SystemSnapshot) -> Bool) async throws -> SystemSnapshot {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let latest, predicate(latest) { return latest }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no snapshot showed \(what); the last was \(String(describing: latest?.connection))")
        throw CancellationError()
    }
}

/// Starts `moto_server` on a loopback port; the caller kills it by pid (SIGKILL: the test
/// runner's blocked-signal mask is inherited, so moto never sees SIGTERM).
func launchMoto(port: Int) throws -> Process {
    guard let motoServer else { throw CancellationError() }
    let moto = Process()
    moto.executableURL = URL(fileURLWithPath: motoServer)
    moto.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
    moto.standardOutput = FileHandle.nullDevice
    moto.standardError = FileHandle.nullDevice
    try moto.run()
    return moto
}
