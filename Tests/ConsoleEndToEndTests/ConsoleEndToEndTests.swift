import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary in a real terminal (tmux), used as a new user would.
@Suite(.serialized) struct ConsoleEndToEndTests {
    /// A shell line that runs the console, then reports its exit code and the tty modes, and
    /// stays open so the screen after exit can be read.
    func command(_ binary: String, env: String = "", args: String = "") -> String {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-config-\(UUID().uuidString)").path
        // The test runner may export NO_COLOR itself; each test states the colour it wants.
        let inner = "unset NO_COLOR; \(env) XDG_CONFIG_HOME=\(shellQuote(config)) \(shellQuote(binary)) \(args); echo \"EXIT=$?\"; "
            + "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(echo|icanon)$' | tr '\\n' ' '; echo MODES; sleep 600"
        return "sh -c " + shellQuote(inner)
    }

    func restored(_ tmux: TmuxSession) async throws {
        let screen = try await tmux.waitFor(text: "MODES")
        #expect(screen.contains("echo icanon") || screen.contains("icanon echo"), "tty modes not restored: \(screen)")
        #expect(tmux.display("#{alternate_on}") == "0", "still on the alternate screen")
        #expect(tmux.display("#{cursor_flag}") == "1", "cursor left hidden")
    }

    @Test func newUserSession() async throws {
        let binary = try signalboxBinary()
        let tmux = try TmuxSession(command: command(binary), columns: 120, rows: 40)
        defer { tmux.kill() }

        // Bare `signalbox`: the stack and the demo start in-process, and their traffic shows.
        var screen = try await tmux.waitFor(all: ["shop-bus", "1 Topology", "2 Flows", "4 Circuits", "5 Sagas"])
        #expect(tmux.display("#{alternate_on}") == "1")

        tmux.send("Tab")
        try await tmux.waitFor(text: "┏━ 2 Flows")

        tmux.send("?")
        try await tmux.waitFor(all: ["Help — Esc closes", "Force the breaker OPEN"])
        tmux.send("Escape")
        try await tmux.waitFor("help to close") { !$0.contains("Help — Esc closes") }

        tmux.type(":")
        tmux.type("que")
        tmux.send("Tab")
        try await tmux.waitFor(text: ":queues")
        tmux.send("Enter")
        try await tmux.waitFor(text: "┏━ 3 Queues")

        tmux.type(":bogus")
        tmux.send("Enter")
        try await tmux.waitForToast("unknown command: bogus")

        tmux.resize(columns: 80, rows: 24)
        screen = try await tmux.waitFor("the 80×24 layout") { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 24 && lines[23].contains("UTC") && (lines[1].hasSuffix("┐") || lines[1].hasSuffix("┓")) && lines[1].count == 80
        }
        tmux.resize(columns: 50, rows: 12)
        try await tmux.waitFor(text: "Terminal too small")
        tmux.resize(columns: 100, rows: 30)
        try await tmux.waitFor("the 100×30 layout") { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 30 && lines[29].contains("UTC") && lines[1].count == 100
        }

        tmux.send("q")
        screen = try await tmux.waitFor(text: "EXIT=")
        #expect(screen.contains("EXIT=0"))
        try await restored(tmux)
    }

    @Test func noColorDrawsNoColourEscapes() async throws {
        let binary = try signalboxBinary()
        for noColor in [false, true] {
            let tmux = try TmuxSession(command: command(binary, env: noColor ? "NO_COLOR=1" : ""), columns: 100, rows: 30)
            defer { tmux.kill() }
            try await tmux.waitFor(all: ["1 Topology", "shop-bus"])
            let colours = colourParameters(in: tmux.capture(escapes: true))
            if noColor {
                #expect(colours.isEmpty, "NO_COLOR frame has colour escapes: \(colours.prefix(5))")
            } else {
                #expect(!colours.isEmpty, "the default theme should draw colour (else this test proves nothing)")
            }
            tmux.send("q")
            try await tmux.waitFor(text: "EXIT=0")
        }
    }

    @Test(arguments: [SIGTERM, SIGHUP, SIGINT])
    func signalRestoresTheTerminal(signal: Int32) async throws {
        let binary = try signalboxBinary()
        let tmux = try TmuxSession(command: command(binary), columns: 100, rows: 30)
        defer { tmux.kill() }
        try await tmux.waitFor(all: ["1 Topology", "shop-bus"])
        let shell = tmux.display("#{pane_pid}")
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        guard let pid = children.split(separator: " ").compactMap({ Int32($0) }).first else {
            Issue.record("no console process under the shell \(shell)")
            return
        }
        #expect(kill(pid, signal) == 0)
        let screen = try await tmux.waitFor(text: "EXIT=")
        #expect(screen.contains("EXIT=\(128 + signal)"))
        try await restored(tmux)
    }

    @Test func themeChoiceLiveSwitchAndReadOnly() async throws {
        let binary = try signalboxBinary()
        let tmux = try TmuxSession(command: command(binary, env: "SIGNALBOX_THEME=light", args: "--readonly"),
                                   columns: 120, rows: 40)
        defer { tmux.kill() }
        try await tmux.waitFor(all: ["theme light", "READ-ONLY"])
        let lightFrame = tmux.capture(escapes: true)
        tmux.type(":theme high")
        tmux.send("Tab")
        try await tmux.waitFor(text: ":theme high-contrast")
        tmux.send("Enter")
        try await tmux.waitFor(text: "theme high-contrast")
        #expect(tmux.capture(escapes: true) != lightFrame, "switching theme must change the colours on screen")
        tmux.type(":theme no-such-theme")
        tmux.send("Enter")
        try await tmux.waitForToast("theme not applied")
        // The demo's payment breaker, selected in Circuits: forcing it is refused in read-only.
        tmux.send("4")
        try await tmux.waitFor(text: "payment-gate")
        tmux.send("o")
        try await tmux.waitForToast("read-only: refused to force breaker")
        tmux.send("C-c")
        try await tmux.waitFor(text: "EXIT=0")
        try await restored(tmux)
    }

    @Test func badInputIsReportedOnStderr() async throws {
        let binary = try signalboxBinary()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CONFIG_HOME"] = directory.path
        environment["NO_COLOR"] = nil

        let unknownTheme = spawnAndWait(binary, ["--theme", "nope"], environment: environment)
        #expect(unknownTheme.status == 2)
        #expect(unknownTheme.output.contains("unknown theme") && unknownTheme.output.contains("high-contrast"))

        let themeFile = directory.appendingPathComponent("broken.toml").path
        try "name = \"broken\"\n[roles]\nerror = { fg = \"crimson-ish\" }\n".write(toFile: themeFile, atomically: true, encoding: .utf8)
        let badTheme = spawnAndWait(binary, ["--theme", themeFile], environment: environment)
        #expect(badTheme.status == 2)
        #expect(badTheme.output.contains("broken.toml:3: roles.error.fg: not a colour"))

        let configFile = directory.appendingPathComponent("config.toml").path
        try "theme = \"default\"\nrefresh_ms = \"fast\"\n".write(toFile: configFile, atomically: true, encoding: .utf8)
        let badConfig = spawnAndWait(binary, ["--config", configFile], environment: environment)
        #expect(badConfig.status == 2)
        #expect(badConfig.output.contains("config.toml:2: refresh_ms"))

        let notATerminal = spawnAndWait(binary, [], environment: environment)
        #expect(notATerminal.status != 0)
        #expect(notATerminal.output.contains("must be a terminal"))

        let version = spawnAndWait(binary, ["--version"], environment: environment)
        #expect(version.status == 0 && !version.output.isEmpty)
    }

    /// SGR colour parameters (30–37, 38, 39?, 40–47, 48, 90–97, 100–107) in captured output.
    func colourParameters(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "\u{1B}[") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(where: { $0.isLetter }) else { break }
            if rest[end] == "m" {
                for parameter in rest[..<end].split(separator: ";") {
                    guard let n = Int(parameter) else { continue }
                    if (30...38).contains(n) || (40...48).contains(n) || (90...97).contains(n) || (100...107).contains(n) {
                        found.append(String(rest[..<end]))
                    }
                }
            }
            rest = rest[end...]
        }
        return found
    }
}
