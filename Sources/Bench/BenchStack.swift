import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `signalbox serve` in a process of its own for a bench: a fresh data directory under the
/// temporary directory, port 0 (the stack announces the one it took), output to a log there.
/// Registered with `BenchProcesses`, so it ends with the bench; `stop()` ends it and removes the
/// directory.
struct BenchStack {
    let pid: pid_t
    /// Its command line after the binary (`serve --port 0 --data DIR …`).
    let arguments: [String]
    /// `http://127.0.0.1:PORT`, as the stack announced it.
    let endpoint: String
    let url: URL
    let port: Int
    let directory: URL

    /// The `signalbox` binary a bench runs: `SIGNALBOX_BENCH_STACK` (another build, to set two
    /// side by side), else the one beside the bench; nil (and the area's skip said) when there
    /// is none.
    static func binary(area: String) -> String? {
        let binary = ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_STACK"]
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
                .deletingLastPathComponent().appendingPathComponent("signalbox").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("\(area): skipped (no signalbox binary beside the bench at \(binary); build the signalbox product too)")
            return nil
        }
        return binary
    }

    /// Starts `binary serve` with `arguments` added, once it announced its port.
    static func start(_ binary: String, name: String, arguments: [String] = []) throws -> BenchStack {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-bench-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("serve.log").path
        let arguments = ["serve", "--port", "0", "--data", directory.appendingPathComponent("data").path] + arguments
        do {
            let pid = try BenchProcesses.spawn(binary, arguments, outputPath: log)
            do {
                let endpoint = try listeningEndpoint(logPath: log, pid: pid)
                guard let url = URL(string: endpoint), let port = url.port else { throw BenchError("no port in \(endpoint)") }
                return BenchStack(pid: pid, arguments: arguments, endpoint: endpoint, url: url, port: port, directory: directory)
            } catch {
                BenchProcesses.end(pid)
                throw error
            }
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Ends the stack, then removes its directory.
    func stop() {
        BenchProcesses.end(pid)
        try? FileManager.default.removeItem(at: directory)
    }

    /// The endpoint `signalbox serve` announces ("listening on http://127.0.0.1:PORT").
    static func listeningEndpoint(logPath: String, pid: pid_t) throws -> String {
        for _ in 0..<300 {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: "listening on ") {
                let url = log[range.upperBound...].prefix { $0 != " " && $0 != "\n" }
                if !url.isEmpty { return String(url) }
            }
            guard kill(pid, 0) == 0 else { throw BenchError("signalbox serve exited: \(log)") }
            usleep(100_000)
        }
        throw BenchError("signalbox serve did not announce its port within 30 s")
    }
}
