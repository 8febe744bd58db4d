import Foundation
import Stack
import StackClient

/// A real `StackServer` on a loopback port with a fresh data directory, for the length of
/// `body`; the server is stopped and awaited, and the directory removed, before this returns.
///
/// - Parameters:
///   - port: 0 picks an ephemeral one.
///   - configure: adjusts the configuration (a `ManualClock`, `--readonly`, credentials …).
///
/// Activity long polls are 2 s (`SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS`), so that a stopping
/// worker is not held for AWS's full minute.
public func withRunningStack<T: Sendable>(
    port: Int = 0, configure: (inout StackConfiguration) -> Void = { _ in },
    _ body: @Sendable (StackEndpoint) async throws -> T
) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-test-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    setenv("SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS", "2", 1)
    var configuration = StackConfiguration(port: port, dataDirectory: directory)
    configure(&configuration)
    let server = try StackAssembly.makeServer(configuration: configuration)
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let serving = Task { try await server.run { port in portSink.yield(port) } }
    defer { serving.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let bound = await iterator.next() else { throw CancellationError() }
    let result: Result<T, any Error>
    do {
        result = .success(try await body(try StackEndpoint(parsing: "http://127.0.0.1:\(bound)")))
    } catch {
        result = .failure(error)
    }
    serving.cancel()
    _ = await serving.result
    return try result.get()
}

/// A loopback port nobody listens on right now (bound, read, released).
public func freeLoopbackPort() throws -> Int {
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
