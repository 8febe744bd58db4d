import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program run the way an operator runs the console: in a tmux server of the bench's own
/// (`tmux -L`, a private socket), a session of its own, 200x60. The benches that measure a
/// console (or a load beside one) start it here; its processes are registered with
/// `BenchProcesses`, so they end with the bench. One program at a time per bench process: the
/// caller ends it (`end(server:pane:)`) before starting the next.
enum BenchTmux {
    /// The private socket's name: this bench process's own.
    static let socket = "sbx-bench-\(getpid())"
    static let session = "v"

    /// Runs `tmux -L socket ARGUMENTS` to its end; what it printed.
    static func tmux(_ arguments: [String]) -> String {
        BenchProcesses.output("/usr/bin/tmux", ["-L", socket] + arguments)
    }

    /// Starts `command` (a shell command line; `exec` it so the pane's process is the program)
    /// and returns the tmux server's and the pane's pids once the screen shows
    /// `readyWhenShowing` (at once for nil); throws if it never does within 30 s.
    static func start(_ command: String, readyWhenShowing ready: String?) throws -> (server: pid_t, pane: pid_t) {
        _ = tmux(["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "200", "-y", "60", command])
        guard let server = Int32(tmux(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("tmux did not start")
        }
        BenchProcesses.adopt(server)
        guard let pane = Int32(tmux(["display-message", "-p", "-t", session, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)) else {
            end(server: server, pane: nil)
            throw BenchError("no pane in tmux for \(command)")
        }
        BenchProcesses.adopt(pane)
        guard let ready else { return (server, pane) }
        for _ in 0..<300 {
            if screen().contains(ready) { return (server, pane) }
            usleep(100_000)
        }
        end(server: server, pane: pane)
        throw BenchError("\(command) never showed '\(ready)'")
    }

    /// Ends the program, then its tmux server, and removes the server's socket file (a server
    /// ended by a signal leaves it behind in tmux's directory).
    static func end(server: pid_t, pane: pid_t?) {
        if let pane { BenchProcesses.end(pane) }
        BenchProcesses.end(server)
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        unlink("\(directory)/tmux-\(getuid())/\(socket)")
    }

    /// The program's screen as text (`capture-pane -p`).
    static func screen() -> String {
        tmux(["capture-pane", "-p", "-t", session])
    }
}
