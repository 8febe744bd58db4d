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
        guard let binary = BenchStack.binary(area: "console CPU") else { return }
        BenchProcesses.endOnSignals()
        defer { BenchProcesses.endAll() }
        print("console CPU, console process only (/proc/PID/stat), \(rounds) rounds of \(roundSeconds) s, 200x60 tmux:")
        for scenario in scenarios {
            try measure(scenario, binary: binary)
        }
    }

    static func measure(_ scenario: Scenario, binary: String) throws {
        let stack = try BenchStack.start(binary, name: "console", arguments: scenario.serveArguments)
        defer { stack.stop() }
        let serveArguments = stack.arguments
        let endpoint = stack.endpoint

        let consoleArguments = ["console", "--endpoint", endpoint]
        let command = "exec " + ([binary] + consoleArguments).map { "'\($0)'" }.joined(separator: " ")
        let (server, console) = try BenchTmux.start(command, readyWhenShowing: "● connected")
        defer { BenchTmux.end(server: server, pane: console) }
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

    static func format(_ percent: Double) -> String { String(format: "%.2f", percent) }
}
