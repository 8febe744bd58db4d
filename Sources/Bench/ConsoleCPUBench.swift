import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The console's own CPU, measured on the real binaries: `signalbox serve` in a process of its
/// own, `signalbox console` attached to it in a private tmux server, and only the console's
/// process counted (/proc/PID/stat), so the stack's and the demo's work is not in the figure.
/// Every process started here is ended by pid, also on an error or a signal.
enum ConsoleCPUBench {
    struct Scenario {
        var name: String
        var serveArguments: [String]
        /// Time for the stack (and the demo's set-up) to settle before the first round.
        var warmUp: Duration
    }

    static let scenarios = [
        Scenario(name: "idle stack", serveArguments: [], warmUp: .seconds(2)),
        Scenario(name: "demo at 20 orders/s", serveArguments: ["--demo", "--rate", "20/s"], warmUp: .seconds(5)),
    ]
    static let rounds = 5
    static let roundSeconds: UInt32 = 5

    static func run() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("signalbox").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("console CPU: skipped (no signalbox binary beside the bench at \(binary); run swift build first)")
            return
        }
        BenchProcesses.endOnSignals()
        defer { BenchProcesses.endAll() }
        print("console CPU, console process only (/proc/PID/stat), \(rounds) rounds of \(roundSeconds) s, 200x60 tmux:")
        for scenario in scenarios {
            try measure(scenario, binary: binary)
        }
    }

    static func measure(_ scenario: Scenario, binary: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-bench-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let serveArguments = ["serve", "--port", "0", "--data", directory.appendingPathComponent("data").path]
            + scenario.serveArguments
        let serveLog = directory.appendingPathComponent("serve.log").path
        let serve = try BenchProcesses.spawn(binary, serveArguments, outputPath: serveLog)
        defer { BenchProcesses.end(serve) }
        let endpoint = try listeningEndpoint(logPath: serveLog, pid: serve)

        let consoleArguments = ["console", "--endpoint", endpoint]
        let command = "exec " + ([binary] + consoleArguments).map { "'\($0)'" }.joined(separator: " ")
        let (server, console) = try BenchTmux.start(command, readyWhenShowing: "● connected")
        defer {
            BenchProcesses.end(console)
            BenchProcesses.end(server)
        }
        usleep(UInt32(scenario.warmUp.components.seconds) * 1_000_000)

        var percents: [Double] = []
        for _ in 0..<rounds {
            guard let start = BenchProcesses.cpuTicks(console) else { throw BenchError("the console exited") }
            let wallStart = ContinuousClock.now
            sleep(roundSeconds)
            guard let end = BenchProcesses.cpuTicks(console) else { throw BenchError("the console exited") }
            let wall = ContinuousClock.now - wallStart
            let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            percents.append(Double(end - start) / BenchProcesses.ticksPerSecond / wallSeconds * 100)
        }
        let sorted = percents.sorted()
        print("  \(scenario.name): median \(format(sorted[sorted.count / 2]))% of one core"
              + " (rounds \(percents.map(format).joined(separator: ", ")))")
        print("    stack:   signalbox \(serveArguments.joined(separator: " "))")
        print("    console: signalbox \(consoleArguments.joined(separator: " "))")
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

    static func format(_ percent: Double) -> String { String(format: "%.2f", percent) }
}
