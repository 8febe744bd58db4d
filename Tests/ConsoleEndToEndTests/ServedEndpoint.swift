import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An AWS endpoint the process tests start on a free loopback port and kill by pid: `signalbox
/// serve` (with its data in a scratch directory, with or without its live stream) or
/// moto_server, standing in for AWS.
final class ServedEndpoint {
    let process = Process()
    let port: Int
    private var data: String?

    /// `signalbox serve` on a free port; `stream: false` adds `--no-stream`.
    init(stack binary: String, stream: Bool = true) throws {
        port = try freePort()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-\(UUID().uuidString)").path
        self.data = data
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "\(port)", "--data", data] + (stream ? [] : ["--no-stream"])
        try start()
    }

    /// `python3 -m moto.server` on a free loopback port.
    init(moto: Void) throws {
        port = try freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"]
        try start()
    }

    private func start() throws {
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Answers an AWS call (moto takes a few seconds to import).
    func waitUntilServing() async throws {
        for _ in 0..<300 {
            if (try? boto3("sqs.list_queues()")) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("\(url) did not answer")
    }

    /// Runs Python with boto3 clients `sqs` and `events` for the endpoint; returns what it printed.
    @discardableResult
    func boto3(_ script: String) throws -> String {
        let prelude = """
        import boto3, json
        kw = dict(endpoint_url="\(url)", region_name="us-east-1", aws_access_key_id="signalbox", aws_secret_access_key="signalbox")
        sqs = boto3.client("sqs", **kw)
        events = boto3.client("events", **kw)

        """
        let result = spawnAndWait("/usr/bin/env", ["python3", "-c", prelude + script], environment: Self.environment())
        guard result.status == 0 else { throw E2EError("boto3 script failed (\(result.status)): \(result.output)") }
        return result.output
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if let data { try? FileManager.default.removeItem(atPath: data) }
    }

    /// No profile files and the stack's keys: the endpoint URL decides.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_CONFIG_FILE"] = "/dev/null"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        environment["AWS_ACCESS_KEY_ID"] = "signalbox"
        environment["AWS_SECRET_ACCESS_KEY"] = "signalbox"
        environment["USER"] = "tester"
        environment["XDG_CONFIG_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-none").path
        return environment.merging(extra) { $1 }
    }
}
