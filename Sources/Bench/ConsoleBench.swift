import Console
import Foundation
import Provider
import Terminal
#if canImport(Glibc)
import Glibc
#endif

/// `signalbox-bench console`: render time of a full 200×60 frame, bytes written to the
/// terminal per frame (unchanged, one pane changed), and the real console's idle CPU.
enum ConsoleBench {
    static func run() async throws {
        let now = Date()
        let snapshot = loadSnapshot(now: now)
        var state = ConsoleState(snapshot: snapshot, now: now, themeName: "default", availableThemes: ["default"])
        let size = Size(columns: 200, rows: 60)

        // 1. Render time.
        for _ in 0..<20 { _ = Screen.render(state, size: size) }
        var samples: [Double] = []
        let clock = ContinuousClock()
        for i in 0..<300 {
            if i % 2 == 0 { _ = state.handle(.character("j")) }
            let elapsed = clock.measure { _ = Screen.render(state, size: size) }
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        samples.sort()
        print(String(format: "render 200x60 full frame: median %.3f ms, p95 %.3f ms, max %.3f ms (%d frames, %@ build)",
                     samples[samples.count / 2], samples[samples.count * 95 / 100], samples.last!, samples.count, buildKind))

        // 2. Bytes written per frame, through real ncurses into a file.
        guard let out = tmpfile(), let input = fopen("/dev/null", "r") else { throw BenchError("cannot open temporary files") }
        let backend = try NcursesBackend(output: .headless(terminalType: "xterm-256color", size: size, output: out, input: input))
        let theme = try ThemeCatalog(userDirectory: nil).theme(named: "default")
        backend.apply(styles: theme.resolvedStyles)
        var frame = Screen.render(state, size: size).buffer
        backend.present(frame)
        fflush(out)
        let first = ftell(out)
        backend.present(frame)
        fflush(out)
        let unchanged = ftell(out) - first
        _ = state.handle(.character("5"))
        _ = state.handle(.character("j"))
        frame = Screen.render(state, size: size).buffer
        let before = ftell(out)
        backend.present(frame)
        fflush(out)
        let onePane = ftell(out) - before
        backend.stop()
        fclose(out)
        fclose(input)
        print("bytes written: first full frame \(first), unchanged frame \(unchanged), one pane changed (selection moved) \(onePane)")

        // 3. Idle CPU of the real console in tmux over 10 s.
        try idleCPU()
    }

    static var buildKind: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    static func idleCPU() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("signalbox").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("idle CPU: skipped (no signalbox binary beside the bench at \(binary); run swift build first)")
            return
        }
        let socket = "sbx-bench-\(getpid())"
        func tmux(_ args: [String]) -> String { runCommand("/usr/bin/tmux", ["-L", socket] + args) }
        _ = tmux(["-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "200", "-y", "60", binary])
        defer { _ = tmux(["kill-server"]) }
        var pid: Int32?
        for _ in 0..<600 {
            usleep(100_000)
            let shell = tmux(["display-message", "-p", "-t", "b", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            if let p = Int32(shell), tmux(["capture-pane", "-p", "-t", "b"]).contains("Topology") { pid = p; break }
        }
        guard let pid else { print("idle CPU: skipped (console did not start in tmux)"); return }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let start = cpuTicks(pid), wallStart = Date()
        sleep(10)
        let used = Double(cpuTicks(pid) - start) / ticks
        let wall = Date().timeIntervalSince(wallStart)
        print(String(format: "idle CPU over %.1f s: %.2f%% of one core (%.3f s CPU)", wall, used / wall * 100, used))
    }

    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3; utime and stime are fields 14 and 15.
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    static func runCommand(_ executable: String, _ arguments: [String]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-bench-\(UUID().uuidString)").path
        defer { unlink(path) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// A busy system to render: benchmark load, not shown to any operator.
    static func loadSnapshot(now: Date) -> SystemSnapshot {
        let arn = "arn:aws:sqs:us-east-1:000000000000:"
        let queues = (0..<40).map { i in
            Queue(name: "queue-\(i)-在庫", url: "http://127.0.0.1/000000000000/q\(i)", arn: arn + "q\(i)", visibleMessages: i * 7,
                  inFlightMessages: i, deadLetterTargetArn: arn + "dlq", maxReceiveCount: 5)
        }
        let events = (0..<500).map { i in
            FlowEvent(id: "e\(i)", time: now.addingTimeInterval(Double(i) - 500), eventBusName: "orders", source: "com.shop.orders",
                      detailType: i % 3 == 0 ? "OrderPlaced" : "PaymentCharged", matchedRules: ["r\(i % 5)"])
        }
        let breakers = (0..<30).map { i in
            Breaker(service: "svc-\(i % 6)", dependency: "breaker-\(i)", state: i % 4 == 0 ? .open : .closed,
                    failureRate: Double(i % 6 * 10), calls: 20, failures: i % 6, recentFailureRates: (0..<8).map { ($0 * i) % 7 })
        }
        let executions = (0..<200).map { i in
            Execution(name: "order-\(i)", arn: "arn:aws:states:us-east-1:000000000000:execution:order-saga:\(i)",
                      stateMachineName: "order-saga", status: i % 5 == 0 ? .failed : .running,
                      startDate: now.addingTimeInterval(-Double(i * 10)), currentState: "ChargePayment")
        }
        let rules = (0..<20).map { i in
            Rule(name: "rule-\(i)", arn: "r\(i)", eventBusName: "orders", targets: [RuleTarget(id: "1", arn: arn + "q\(i)")])
        }
        return SystemSnapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "bench"),
                              buses: [EventBus(name: "orders", arn: "arn:aws:events:us-east-1:000000000000:event-bus/orders")],
                              rules: rules, recentEvents: events, queues: queues, breakers: breakers, executions: executions)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
