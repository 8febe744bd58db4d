import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Every process a bench starts, ended by pid when the bench finishes, fails or is
/// interrupted (SIGINT, SIGTERM, SIGHUP), so nothing a bench starts outlives it.
enum BenchProcesses {
    private static let started = Mutex<[pid_t]>([])
    private static let signalSources = Mutex<[any DispatchSourceSignal]>([])

    /// Takes over SIGINT, SIGTERM and SIGHUP: each ends every process still registered, then
    /// the bench, with the shell's status for a signal.
    static func endOnSignals() {
        signalSources.withLock { sources in
            guard sources.isEmpty else { return }
            sources = [SIGINT, SIGTERM, SIGHUP].map { number in
                signal(number, SIG_IGN) // delivered to the source below instead
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    endAll()
                    exit(128 + number)
                }
                source.resume()
                return source
            }
        }
    }

    /// Registers a process to end with the bench (a child, or a daemon such as a tmux server).
    static func adopt(_ pid: pid_t) {
        started.withLock { $0.append(pid) }
    }

    /// Ends one process: SIGTERM, then SIGKILL if it is still there after `grace`; reaps it
    /// when it is our child.
    static func end(_ pid: pid_t, grace: Duration = .seconds(3)) {
        started.withLock { $0.removeAll { $0 == pid } }
        guard kill(pid, 0) == 0 else { reap(pid); return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if reap(pid) || kill(pid, 0) != 0 { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        while !reap(pid), kill(pid, 0) == 0 { usleep(10_000) }
    }

    /// Ends every registered process, the last started first.
    static func endAll() {
        let pids = started.withLock { pids in defer { pids.removeAll() }; return pids }
        for pid in pids.reversed() { end(pid) }
    }

    /// True once `pid` is a child that has exited (or is no child of ours and has gone).
    @discardableResult
    private static func reap(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid || (result == -1 && errno == ECHILD && kill(pid, 0) != 0)
    }

    /// Starts `executable` with stdin from /dev/null and stdout and stderr to `outputPath`;
    /// registered to end with the bench.
    static func spawn(_ executable: String, _ arguments: [String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let error = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard error == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(error)))") }
        adopt(pid)
        return pid
    }

    /// Runs a short command to its end and returns what it printed (stdout and stderr).
    static func output(_ executable: String, _ arguments: [String]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-bench-\(UUID().uuidString)").path
        defer { unlink(path) }
        guard let pid = try? spawn(executable, arguments, outputPath: path) else { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        started.withLock { $0.removeAll { $0 == pid } }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// CPU time (user + system) `pid` has used so far, in clock ticks, from /proc/PID/stat.
    static func cpuTicks(_ pid: pid_t) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// The most memory `pid` has held resident so far (VmHWM in /proc/PID/status), in bytes.
    static func peakResidentBytes(_ pid: pid_t) -> Int? { statusBytes(pid, "VmHWM:") }

    /// The memory `pid` holds resident now (VmRSS in /proc/PID/status), in bytes.
    static func residentBytes(_ pid: pid_t) -> Int? { statusBytes(pid, "VmRSS:") }

    /// A size line of /proc/PID/status (`NAME: N kB`), in bytes.
    private static func statusBytes(_ pid: pid_t, _ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }
}
