import SignalboxTestSupport
import Foundation
import StackClient

/// A throwaway HOME with `~/.aws/config`, `~/.aws/credentials` and whatever else a test writes;
/// removed by `remove()`. Tests pass `environment` explicitly: nothing reads the process's own.
struct TemporaryHome {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/.aws/sso/cache", withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
    }

    func config(_ text: String) throws { try write(".aws/config", text) }
    func credentials(_ text: String) throws { try write(".aws/credentials", text) }

    /// HOME set to this directory, plus `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": path].merging(extra) { _, new in new }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}


/// `moto_server` on the PATH, if installed.
let motoServer: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin"
    return path.split(separator: ":").map { "\($0)/moto_server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Runs moto_server on a free loopback port for the length of `body`, killed by its pid after.
func withMoto<T>(_ body: (URL) async throws -> T) async throws -> T {
    let port = try freeLoopbackPort()
    let moto = Process()
    moto.executableURL = URL(fileURLWithPath: motoServer!)
    moto.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
    moto.standardOutput = FileHandle.nullDevice
    moto.standardError = FileHandle.nullDevice
    try moto.run()
    // SIGKILL: the test runner's blocked-signal mask is inherited, so moto never sees SIGTERM.
    defer { kill(moto.processIdentifier, SIGKILL); moto.waitUntilExit() }
    let url = URL(string: "http://127.0.0.1:\(port)")!
    // Wait (bounded) until it accepts connections.
    for _ in 0..<100 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(fd)
        if connected == 0 { break }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await body(url)
}

/// An MFA prompt that must not be reached.
let noMFA: @Sendable (String) async throws(StackClientError) -> String = { serial throws(StackClientError) in
    throw .credentials("unexpected MFA prompt for \(serial)")
}
