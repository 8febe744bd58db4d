import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The console's tap in real ncurses, against `signalbox serve --no-stream`: opening Flows asks,
/// Confirm opens the tap and the pane says so, events put on the buses appear, `q` removes it
/// (and the audit trail has it); a console killed with -9 leaves its tap, and the next start
/// lists it once expired and removes it after `y`.
@Suite(.serialized) struct TapConsoleEndToEndTests {
    final class Scratch {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-tapconsole-\(UUID().uuidString)").path
        var audit: String { root + "/state/signalbox/audit.log" }
        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    static func console(_ binary: String, _ endpoint: ServedEndpoint, scratch: Scratch, lifetime: Int? = nil) -> String {
        let variables = ["USER=tester", "XDG_STATE_HOME=\(shellQuote(scratch.root + "/state"))",
                         "XDG_CONFIG_HOME=\(shellQuote(scratch.root + "/config"))", "AWS_CONFIG_FILE=/dev/null",
                         "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_ACCESS_KEY_ID=signalbox", "AWS_SECRET_ACCESS_KEY=signalbox"]
            + (lifetime.map { ["SIGNALBOX_TAP_LIFETIME=\($0)"] } ?? [])
        let command = "unset NO_COLOR; env \(variables.joined(separator: " ")) \(shellQuote(binary)) console "
            + "--endpoint \(endpoint.url) --refresh-ms 300; echo \"EXIT=$?\"; sleep 600"
        return "sh -c " + shellQuote(command)
    }

    /// Opens Flows, confirms the tap, waits for the pane to say it runs.
    static func openTap(_ tmux: TmuxSession) async throws {
        try await tmux.waitFor(text: "Flows")
        tmux.send("2")
        try await tmux.waitFor(all: ["Tail Flows through a tap?", "the stack serves no live stream"])
        tmux.send("Tab")
        tmux.send("Enter")
        try await tmux.waitFor(all: ["No events yet through tap signalbox-tap-", "(queue signalbox-tap-tester-"])
    }

    @Test func flowsOffersATapThatQuitRemoves() async throws {
        let binary = try signalboxBinary()
        let endpoint = try ServedEndpoint(stack: binary, stream: false)
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        try endpoint.boto3(#"events.create_event_bus(Name="orders")"#)
        let scratch = Scratch()
        let tmux = try TmuxSession(command: Self.console(binary, endpoint, scratch: scratch), columns: 200, rows: 50)
        defer { tmux.kill() }

        try await Self.openTap(tmux)
        tmux.send("z")  // Flows on the whole screen: the tap's line fits whole
        #expect(try endpoint.tapResources().count == 3, "a queue, and a rule on each of the two buses")
        try TapProcessTests.putEvents(endpoint, bus: "orders")
        // With rows, the pane says what the tap costs and what it cannot show.
        try await tmux.waitFor(all: ["OrderPlaced", "shop.orders", "TAP  signalbox-tap-", "not visible through a tap",
                                     "costs 2 rules and", "SQS requests in the last minute"])

        tmux.send("q")
        let screen = try await tmux.waitFor(text: "EXIT=0")
        #expect(screen.contains("tap removed: target of rule signalbox-tap-"), "\(screen)")
        #expect(try endpoint.tapResources().isEmpty, "no signalbox-tap-* rule or queue remains")
        let audit = (try? String(contentsOfFile: scratch.audit, encoding: .utf8)) ?? ""
        #expect(audit.contains("tail through a tap") && audit.contains("done: tap "), "\(audit)")
    }

    @Test func aKilledConsolesTapIsRemovedAtTheNextStart() async throws {
        let binary = try signalboxBinary()
        let endpoint = try ServedEndpoint(stack: binary, stream: false)
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        let scratch = Scratch()
        let first = try TmuxSession(command: Self.console(binary, endpoint, scratch: scratch, lifetime: 1), columns: 160, rows: 45)
        defer { first.kill() }
        try await Self.openTap(first)
        // kill -9, as a crash would end it.
        kill(try Self.consolePid(first), SIGKILL)
        try await first.waitFor(text: "EXIT=137")
        #expect(try endpoint.tapResources().count == 2, "the killed console's queue and rule are still there")
        try await Task.sleep(for: .seconds(2))

        let second = try TmuxSession(command: Self.console(binary, endpoint, scratch: scratch), columns: 160, rows: 45)
        defer { second.kill() }
        try await second.waitFor(all: ["1 expired tap on", "left by a console or tail that did not clean up",
                                       "Remove it (targets, rules, queues)? [y/N]"])
        second.type("y")
        second.send("Enter")
        try await second.waitFor(text: "Flows")
        #expect(try endpoint.tapResources().isEmpty)
        let audit = (try? String(contentsOfFile: scratch.audit, encoding: .utf8)) ?? ""
        #expect(audit.contains("remove 1 expired tap") && audit.contains("expired taps found at start"), "\(audit)")
        second.send("q")
        try await second.waitFor(text: "EXIT=0")
    }

    /// The console process in a tmux pane (the pane shell's child).
    static func consolePid(_ tmux: TmuxSession) throws -> pid_t {
        let shell = tmux.display("#{pane_pid}")
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return try #require(children.split(separator: " ").compactMap { pid_t($0) }.first)
    }

    @Test(arguments: [SIGTERM, SIGHUP, SIGINT])
    func aSignalRemovesTheTap(_ signal: Int32) async throws {
        let binary = try signalboxBinary()
        let endpoint = try ServedEndpoint(stack: binary, stream: false)
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        let scratch = Scratch()
        let tmux = try TmuxSession(command: Self.console(binary, endpoint, scratch: scratch), columns: 160, rows: 45)
        defer { tmux.kill() }
        try await Self.openTap(tmux)
        #expect(try endpoint.tapResources().count == 2)
        kill(try Self.consolePid(tmux), signal)
        try await tmux.waitFor(text: "EXIT=\(128 + signal)")
        #expect(try endpoint.tapResources().isEmpty, "no signalbox-tap-* rule or queue remains after signal \(signal)")
    }
}

