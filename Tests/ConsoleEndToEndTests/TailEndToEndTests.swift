import Foundation
import Testing

/// The Flows tail in real ncurses, on the demo's live traffic (bare `signalbox`: stack and demo
/// in-process): pause and the "N new" count, scrolling back, G to live, a pattern filtered on
/// the stack, and an invalid pattern's reason.
@Suite struct TailEndToEndTests {
    /// The `N` of "PAUSED · N new" on the screen.
    static func newCount(_ screen: String) -> Int? {
        guard let range = screen.range(of: "PAUSED · ") else { return nil }
        return Int(screen[range.upperBound...].prefix { $0.isNumber })
    }

    /// The tail's rows: the lines that start with a time of day after the border.
    static func rows(_ screen: String) -> [String] {
        screen.split(separator: "\n").map(String.init).filter { line in
            let cells = line.drop { $0 == "┃" || $0 == " " }
            return cells.count > 12 && cells.prefix(12).filter { $0 == ":" }.count == 2 && cells.dropFirst(8).first == "."
        }
    }

    @Test func pauseScrollLiveAndPatternFilter() async throws {
        let binary = try signalboxBinary()
        let tmux = try TmuxSession(command: ConsoleEndToEndTests().command(binary), columns: 160, rows: 45)
        defer { tmux.kill() }
        try await tmux.waitFor(all: ["2 Flows", "shop-bus"])
        tmux.send("2")
        tmux.send("z")
        // More events than the screen holds, so that there is something to scroll back to.
        try await tmux.waitFor("the tail, live, with more rows than fit and rates") { screen in
            guard let range = screen.range(of: " events · live") else { return false }
            let count = Int(String(screen[..<range.lowerBound].reversed().prefix { $0.isNumber }.reversed())) ?? 0
            return count > 80 && screen.contains("RATES") && Self.rows(screen).count > 10
        }

        // Paused: the rows stay still while "N new" grows.
        tmux.send("Space")
        let paused = try await tmux.waitFor("paused") { Self.newCount($0) != nil }
        let first = try await tmux.waitFor("new events counted") { (Self.newCount($0) ?? 0) > (Self.newCount(paused) ?? 0) }
        let later = try await tmux.waitFor("more new events") { (Self.newCount($0) ?? 0) > (Self.newCount(first) ?? 0) + 5 }
        #expect(Self.rows(later) == Self.rows(first), "the rows moved while paused")

        // Scrolling back while paused; G jumps to live and resumes.
        tmux.send("PageUp")
        tmux.send("PageUp")
        let scrolled = try await tmux.waitFor("scrolled back") { Self.rows($0) != Self.rows(later) && Self.newCount($0) != nil }
        #expect(Self.rows(scrolled).first != Self.rows(later).first)
        tmux.send("G")
        try await tmux.waitFor("live again") { $0.contains("events · live") && Self.newCount($0) == nil }

        // A pattern: only matching rows remain, and the stack was asked (and said so).
        tmux.send("/")
        tmux.type(#"{"source":["shop.payments"]}"#)
        tmux.send("Enter")
        let filtered = try await tmux.waitFor("filtered on the stack") { screen in
            screen.contains("filtered on the stack") && Self.rows(screen).count > 3
        }
        #expect(Self.rows(filtered).allSatisfy { $0.contains("shop.payments") && !$0.contains("shop.orders") })

        // An invalid pattern: its reason, and the previous filter stays.
        tmux.send("/")
        tmux.send("C-u")
        tmux.type(#"{"source":"shop.orders"}"#)
        tmux.send("Enter")
        let refused = try await tmux.waitFor(all: ["invalid pattern: ", "(the previous filter stays)"])
        #expect(refused.contains(#"/{"source":["shop.payments"]}"#))
        #expect(Self.rows(refused).allSatisfy { $0.contains("shop.payments") })
        tmux.send("q")
        try await tmux.waitFor(text: "EXIT=0")
    }
}
