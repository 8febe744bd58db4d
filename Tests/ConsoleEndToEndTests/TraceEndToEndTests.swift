import Foundation
import Testing

/// The Trace pane in a real terminal on the demo (`signalbox serve --demo`): an order id read
/// from the Sagas pane, `:trace` with it, and the screen shows that order's events, the
/// messages its deliveries put on the queues and what became of them, and its saga.
@Suite(.serialized) struct TraceEndToEndTests {
    @Test func aTracedOrderShowsItsEventsMessagesAndSaga() async throws {
        let binary = try signalboxBinary()
        let port = try freePort()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-trace-\(UUID().uuidString)").path
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-config-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let console = "XDG_CONFIG_HOME=\(shellQuote(config)) \(shellQuote(binary)) console "
            + "--endpoint http://127.0.0.1:\(port) --refresh-ms 500; echo \"EXIT=$?\"; sleep 600"
        let tmux = try TmuxSession(command: "sh -c " + shellQuote(console), columns: 200, rows: 50)
        defer { tmux.kill() }
        let serve = "\(shellQuote(binary)) serve --demo --port \(port) --data \(shellQuote(data)) 2>&1; sleep 600"
        tmux.run(["new-window", "-d", "-t", "t:9", "sh -c " + shellQuote(serve)])
        try await tmux.waitFor(text: "● connected", timeout: 90)
        tmux.send("5")
        tmux.send("z")

        // An order that has finished, read from the Sagas pane's KEY column.
        let pattern = try Regex("ord-[0-9a-f]{8}")
        var order = ""
        _ = try await tmux.waitFor("a succeeded saga with its order id", timeout: 90) { screen in
            guard let line = screen.split(separator: "\n").first(where: { $0.contains("SUCCEEDED") && $0.contains("ord-") }),
                  let match = line.firstMatch(of: pattern) else { return false }
            order = String(line[match.range])
            return true
        }
        tmux.send(":")
        tmux.type("trace " + order)
        tmux.send("Enter")
        let screen = try await tmux.waitFor(all: ["Trace /" + order, "key " + order, "EVENT   shop-bus  shop.orders  Order Created",
                                                  "Order Shipped", "MESSAGE notification", "MESSAGE analytics", "deleted (consumed)",
                                                  "SAGA    order-saga", "SUCCEEDED", "[$.orderId]"], timeout: 30)
        // Nothing of another order is tied to this one.
        let others = screen.matches(of: pattern).map { String(screen[$0.range]) }.filter { $0 != order }
        #expect(others.isEmpty, "other orders on the trace: \(others)")

        // Enter on the saga unfolds its timeline (the Sagas pane's states).
        var presses = 0
        while presses < 30, !tmux.capture().split(separator: "\n").contains(where: { $0.contains("▶") && $0.contains("SAGA") }) {
            tmux.send("j")
            presses += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        tmux.send("Enter")
        try await tmux.waitFor(all: ["ReserveInventory  ✓", "ChargePayment  ✓", "ShipOrder  ✓"], timeout: 15)

        tmux.send("q")
        let end = try await tmux.waitFor(text: "EXIT=")
        #expect(end.contains("EXIT=0"))
    }
}
