import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and waits for it, output to a temporary file (a `Pipe` would never reach EOF
/// because the tmux server inherits it; see NOTES.md). A program still running after `timeout`
/// seconds is killed and reported as such: a tmux client stuck on its server had hung the suite
/// with no result, where a test should fail and say why.
struct Spawned {
    var status: Int32
    var output: String
}

func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                  timeout: Double = 120) -> Spawned {
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-spawn-\(UUID().uuidString)").path
    defer { unlink(outPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { env.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, executable, &actions, nil, argv, env) == 0 else {
        return Spawned(status: -1, output: "cannot spawn \(executable)")
    }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    var pause: useconds_t = 500
    while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid || (reaped == -1 && errno != EINTR) { break }
        if Date() >= deadline {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            return Spawned(status: -1, output: "timed out after \(Int(timeout)) s: \(([executable] + arguments).joined(separator: " "))")
        }
        usleep(pause)
        pause = min(pause * 2, 20_000)
    }
    let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return Spawned(status: exitStatus, output: output)
}

/// A private tmux server (its own `-L` socket) holding one session that runs a command, as a
/// user's terminal would. Always `kill()` it.
final class TmuxSession {
    let socket = "sbx-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
    let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "tmux"

    /// The tmux server's process.
    private var serverPid: pid_t = 0

    init(command: String, columns: Int, rows: Int) throws {
        let result = run(["-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "\(columns)", "-y", "\(rows)", command])
        guard result.status == 0 else { throw E2EError("tmux new-session failed: \(result.output)") }
        _ = run(["set-option", "-t", "t", "remain-on-exit", "on"])
        serverPid = pid_t(display("#{pid}")) ?? 0
    }

    @discardableResult
    func run(_ arguments: [String]) -> Spawned {
        // A tmux command answers in milliseconds; 30 s means the server is stuck.
        spawnAndWait(tmux, ["-L", socket] + arguments, timeout: 30)
    }

    func capture(escapes: Bool = false) -> String {
        run(["capture-pane", "-p", "-t", "t"] + (escapes ? ["-e"] : [])).output
    }

    func send(_ keys: String...) { run(["send-keys", "-t", "t"] + keys) }
    func type(_ text: String) { run(["send-keys", "-t", "t", "-l", text]) }
    func resize(columns: Int, rows: Int) { run(["resize-window", "-t", "t", "-x", "\(columns)", "-y", "\(rows)"]) }
    func display(_ format: String) -> String {
        run(["display-message", "-p", "-t", "t", format]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls the screen until `predicate` holds; generous timeout for a loaded 2-core machine.
    /// Sleeps without blocking a thread: every suite shares one process, and on 2 cores the
    /// cooperative pool has 2 threads that the in-process stacks of other suites need.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 60, _ predicate: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = capture()
            if predicate(screen) { return screen }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("timed out waiting for \(what); screen was:\n\(screen)")
    }

    @discardableResult
    func waitFor(text: String, timeout: Double = 60) async throws -> String {
        try await waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// Waits until the console has shown a toast with `text`, read from `:messages` (every toast
    /// shown, kept after it expires), then closes the list. A toast is on screen for 4 s, and a
    /// test starved by its neighbours on two cores can look later than that: the suite missed
    /// toasts that way when its suites ran side by side. Needs the console in its normal mode.
    func waitForToast(_ text: String) async throws {
        type(":messages")
        send("Enter")
        try await waitFor(all: ["Messages, newest first", text])
        send("Escape")
        try await waitFor("the messages closed") { !$0.contains("Messages, newest first") }
    }

    /// Waits until every text is on screen at once: a capture can land mid-frame.
    @discardableResult
    func waitFor(all texts: [String], timeout: Double = 60) async throws -> String {
        try await waitFor(texts.map { "\"\($0)\"" }.joined(separator: " and "), timeout: timeout) { screen in
            texts.allSatisfy { screen.contains($0) }
        }
    }

    /// Ends the server and everything its panes started (each pane leads its own process
    /// group). `kill-server` alone has left servers and their programs running after a run, so
    /// the groups and the server are also killed by pid.
    func kill() {
        let panes = run(["list-panes", "-a", "-F", "#{pane_pid}"]).output.split(separator: "\n").compactMap { pid_t($0) }
        run(["kill-server"])
        for pane in panes where pane > 0 { Glibc.kill(-pane, SIGKILL) }
        if serverPid > 0 { Glibc.kill(serverPid, SIGKILL) }
    }
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The binary under test: `$SIGNALBOX_BIN`, else `signalbox` beside the test executable.
func signalboxBinary() throws -> String {
    if let path = ProcessInfo.processInfo.environment["SIGNALBOX_BIN"], !path.isEmpty { return path }
    var candidates: [URL] = []
    let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("signalbox"))
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("signalbox"))
    candidates.append(Bundle.main.bundleURL.appendingPathComponent("signalbox"))
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
        return candidate.path
    }
    throw E2EError("signalbox binary not found (tried \(candidates.map(\.path))); build it or set SIGNALBOX_BIN")
}

func shellQuote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
