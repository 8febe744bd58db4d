import Foundation
import Stack
import StackClient

/// A real `StackServer` on an ephemeral loopback port with a fresh data directory, for the
/// length of `body`. Activity long polls are shortened so that a stopping demo is not held.
func withRunningStack<T: Sendable>(_ body: @Sendable (StackEndpoint) async throws -> T) async throws -> T {
    setenv("SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS", "2", 1)
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("signalbox-demo-\(UUID().uuidString)")
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

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `probe` until it returns a value, for up to `seconds` (generous: the machine is slow
/// and shared; the deadline is a failure detector, not a speed assertion). A probe that throws
/// (the resource is not there yet) counts as "not yet"; the last error is reported on timeout.
func eventually<T: Sendable>(_ what: String, seconds: Int = 90,
                             _ probe: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(seconds)
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if let value = try await probe() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(300))
    }
    throw TimedOut(what: what + (lastError.map { " (last error: \($0))" } ?? ""))
}
