import Foundation
import Stack
import StackClient

/// A real `StackServer` on an ephemeral loopback port with a fresh data directory, for the
/// length of `body`.
func withRunningStack<T: Sendable>(_ body: @Sendable (StackEndpoint) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("signalbox-client-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let server = try StackAssembly.makeServer(configuration: StackConfiguration(port: 0, dataDirectory: directory))
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let serving = Task { try await server.run { port in portSink.yield(port) } }
    defer { serving.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    let endpoint = try StackEndpoint(parsing: "http://127.0.0.1:\(port)")
    return try await body(endpoint)
}
