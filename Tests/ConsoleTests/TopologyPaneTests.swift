import Foundation
import Provider
import SignalboxTestSupport
import Testing
import Terminal
@testable import Console

/// The Topology pane: the demo's map and a failing system as golden frames, the keys, and
/// bad input that must be drawn or named, never crash or garble the screen.
@Suite struct TopologyPaneTests {
    static let sizes = GoldenFrameTests.sizes

    /// The Topology pane alone (zoomed), with the first node selected.
    static func map(_ snapshot: SystemSnapshot) -> ConsoleState {
        var state = Fixtures.state(snapshot)
        state.press(.character("1"), .character("z"))
        return state
    }

    static func text(_ state: ConsoleState, _ columns: Int = 120, _ rows: Int = 40) -> String {
        state.frame(columns, rows).textLines().joined(separator: "\n")
    }

    @Test(arguments: sizes) func demoMap(columns: Int, rows: Int) {
        Golden.check(Self.map(DemoSnapshot.demo()).frame(columns, rows), "topology-demo-\(columns)x\(rows)")
    }

    /// The failing system with the payment service selected: the window centres on it, so the
    /// open breaker beside it is in view at every size.
    @Test(arguments: sizes) func failingSystem(columns: Int, rows: Int) {
        var state = Self.map(DemoSnapshot.failing())
        Self.select("payment", in: &state)
        Golden.check(state.frame(columns, rows), "topology-failing-\(columns)x\(rows)")
    }

    static func select(_ title: String, in state: inout ConsoleState) {
        var pane = state.paneState(.topology)
        pane.selected = state.targets(for: .topology).lastIndex { $0.title == title } ?? 0
        state.panes[.topology] = pane
    }

    /// What the failing golden must show, checked by content too: the open breaker on its
    /// edge, the dead-letter queue holding messages, the unhealthy service, and the cascade
    /// mark naming the root on the nodes upstream of it.
    @Test func failingSystemShowsEachFailure() {
        var state = Self.map(DemoSnapshot.failing())
        let frame = Self.text(state, 300, 60)
        #expect(frame.contains("⚡ OPEN"))
        #expect(frame.contains("✖ 17 msgs"))
        #expect(frame.contains("▲ 1/2 healthy"))
        #expect(frame.contains("⇢ payment-ga"))  // cut to the box, named whole in the detail
        // Without colour the failing boxes still differ: heavy borders and ✖.
        #expect(frame.contains("┏━ ◎ payment-gateway") && frame.contains("┏━ ☠ analytics-dlq"))
        state.snapshot = DemoSnapshot.demo()
        let healthy = Self.text(state, 300, 60)
        #expect(!healthy.contains("✖") && !healthy.contains("⚡ OPEN") && !healthy.contains("┏━ ◎ payment-gateway"))
    }

    @Test func liveRatesAndEstimatedRates() {
        var state = Self.map(DemoSnapshot.demo())
        // 24 events in the last 10 s on each route: 2.4/s.
        #expect(Self.text(state, 200, 60).contains("2.4/s"))
        #expect(Self.text(state, 200, 60).contains("rates: live stream, last 10 s"))
        // Without the stream there are no events: the route into the saga shows executions
        // started over the last 10 s (6 listed), marked estimated.
        state.snapshot.liveStream = false
        state.snapshot.recentEvents = []
        state.snapshot.rates = TrafficRates()
        let estimated = Self.text(state, 200, 60)
        #expect(estimated.contains("rates estimated from counters"))
        #expect(!estimated.contains("2.4/s"))
        #expect(estimated.contains("~0.6/s"))
    }

    @Test func rulesFoldedIntoEdgesShowWithAKey() {
        var state = Self.map(DemoSnapshot.demo())
        #expect(!Self.text(state, 300, 60).contains("order-notifications"))
        state.press(.character("r"))
        let frame = Self.text(state, 300, 60)
        #expect(frame.contains(" order-notifications ") && frame.contains(" order-analytics ") && frame.contains(" order-created "))
        #expect(frame.contains("rules on routes (r)"))
        state.press(.character("r"))
        #expect(Self.text(state, 300, 60).contains("2.4/s"))
    }

    @Test func walkingSelectsNeighboursAndEnterOpensTheDetail() {
        var state = Self.map(DemoSnapshot.demo())
        let start = state.paneState(.topology).selected
        state.press(.character("l"))
        #expect(state.paneState(.topology).selected != start)
        // Walk right to the end of the map, then open what is selected.
        for _ in 0..<8 { state.press(.character("l")) }
        state.press(.enter)
        let detail = Self.text(state)
        #expect(detail.contains("dependency"))
        #expect(detail.contains("circuit breaker"))
        // In the detail j/k scroll, they do not walk the map.
        state.press(.character("j"), .escape)
        #expect(state.drill.isEmpty)
    }

    @Test func focusShowsTheNeighbourhoodAndHopsWiden() {
        var state = Self.map(DemoSnapshot.demo())
        let everything = Self.text(state, 200, 60)
        #expect(everything.contains("notification"))
        Self.select("payment-gateway", in: &state)
        state.press(.character("f"))
        let one = Self.text(state, 200, 60)
        #expect(one.contains("f: 1 hop around payment-gateway"))
        #expect(one.contains("2 of "))
        #expect(!one.contains("analytics-dlq"))
        state.press(.character("+"))
        #expect(Self.text(state, 200, 60).contains("f: 2 hops around payment-gateway"))
        state.press(.character("f"))
        #expect(Self.text(state, 200, 60).contains("analytics-dlq"))
    }

    @Test func filterAndCollapse() {
        var state = Self.map(DemoSnapshot.demo())
        state.press(.character("/"))
        state.type("pay")
        state.press(.enter)
        let filtered = Self.text(state, 200, 60)
        #expect(filtered.contains("payment-gateway") && !filtered.contains("analytics"))
        state.press(.character("/"), .ctrl("u"), .enter)
        // Collapse the services' namespace into one node, then expand it again.
        Self.select("order", in: &state)
        state.press(.character(" "))
        let collapsed = Self.text(state, 200, 60)
        #expect(collapsed.contains("shop.local ×6"))
        #expect(collapsed.contains("1 collapsed"))
        state.press(.character(" "))
        #expect(!Self.text(state, 200, 60).contains("shop.local ×6"))
    }

    /// Where each box's title is: (row, column in cells).
    static func titles(_ frame: String, _ names: [String]) -> [String: (row: Int, column: Int)] {
        var found: [String: (row: Int, column: Int)] = [:]
        for (row, line) in frame.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for name in names where found[name] == nil {
                if let range = line.range(of: " " + name + " ─") ?? line.range(of: " " + name + " ━") {
                    found[name] = (row, DisplayWidth.of(String(line[..<range.lowerBound])))
                }
            }
        }
        return found
    }

    /// Adding a queue and the rule to it moves no box to another layer and changes no order
    /// within a layer (columns may widen by a track for the new edge).
    @Test func aNewNodeMovesNoBoxToAnotherLayerOrOrder() throws {
        var state = Self.map(DemoSnapshot.demo())
        let names = ["shop.orders", "order", "shop-bus", "order-saga", "notification", "analytics", "payment-gateway", "warehouse-db"]
        let before = Self.titles(Self.text(state, 300, 60), names)
        state.snapshot.queues.append(Queue(name: "audit", url: "http://q/audit", arn: DemoSnapshot.arn("sqs", "audit")))
        state.snapshot.rules.append(Rule(name: "audit", arn: DemoSnapshot.arn("events", "rule/shop-bus/audit"), eventBusName: "shop-bus",
                                         targets: [RuleTarget(id: "a", arn: DemoSnapshot.arn("sqs", "audit"))]))
        let frame = Self.text(state, 300, 60)
        #expect(frame.contains("audit"))
        let after = Self.titles(frame, names)
        try #require(before.count == names.count && after.count == names.count)
        for a in names {
            for b in names where a != b {
                let x = before[a]!, y = before[b]!, p = after[a]!, q = after[b]!
                if x.column == y.column {
                    #expect(p.column == q.column, "\(a) and \(b) no longer share a layer")
                    if x.row < y.row { #expect(p.row < q.row, "\(a) and \(b) swapped") }
                } else if x.column < y.column {
                    #expect(p.column < q.column, "\(a) and \(b) changed layers")
                }
            }
        }
    }

    @Test func narrowPaneFallsBackToAList() {
        // On the dashboard at 80×24 the Topology pane is too small for boxes.
        let state = Fixtures.state(DemoSnapshot.demo())
        let frame = Self.text(state, 80, 24)
        #expect(frame.contains("─▶"))
        #expect(!frame.contains("┌─ ≡"))
    }

    // MARK: bad input

    static func badInput() -> SystemSnapshot {
        let now = Fixtures.now
        func arn(_ s: String, _ r: String) -> String { DemoSnapshot.arn(s, r) }
        let long = String(repeating: "very-long-queue-name-", count: 10)
        let busA = arn("events", "event-bus/bus-a"), busB = arn("events", "event-bus/bus-b")
        var snapshot = SystemSnapshot(
            connection: .connected(since: now), endpoint: EndpointDescription(name: "local"), takenAt: now,
            buses: [EventBus(name: "bus-a", arn: busA), EventBus(name: "bus-b", arn: busB),
                    EventBus(name: "注文バス", arn: arn("events", "event-bus/注文バス"))],
            rules: [
                Rule(name: "a-to-b", arn: arn("events", "rule/bus-a/a-to-b"), eventBusName: "bus-a", targets: [RuleTarget(id: "1", arn: busB)]),
                Rule(name: "b-to-a", arn: arn("events", "rule/bus-b/b-to-a"), eventBusName: "bus-b", targets: [RuleTarget(id: "1", arn: busA)]),
                Rule(name: "self", arn: arn("events", "rule/bus-a/self"), eventBusName: "bus-a", targets: [RuleTarget(id: "1", arn: busA)]),
                Rule(name: "long", arn: arn("events", "rule/bus-a/long"), eventBusName: "bus-a",
                     targets: [RuleTarget(id: "1", arn: arn("sqs", String(long.prefix(80))))]),
                Rule(name: "注文", arn: arn("events", "rule/注文バス/注文"), eventBusName: "注文バス",
                     targets: [RuleTarget(id: "1", arn: arn("sqs", "在庫キュー"))]),
            ],
            recentEvents: [FlowEvent(id: "e", time: now, eventBusName: "bus-a", source: "evil\u{1B}[2J\u{07}\u{0}source\r\n", detailType: "x")],
            queues: [Queue(name: String(long.prefix(80)), url: "http://q/long", arn: arn("sqs", String(long.prefix(80)))),
                     Queue(name: "在庫キュー", url: "http://q/zaiko", arn: arn("sqs", "在庫キュー"), visibleMessages: 3),
                     Queue(name: "ctl\u{1B}]0;pwned\u{07}queue\u{8}\u{8}", url: "http://q/ctl", arn: arn("sqs", "ctl"))],
            registry: [DemoSnapshot.service(long + "service", publishes: "bus-a"),
                       DemoSnapshot.service("配送サービス", consumes: "在庫キュー")])
        snapshot.rates = TrafficRates.counting(snapshot.recentEvents, now: now)
        return snapshot
    }

    @Test(arguments: sizes) func badInputIsDrawnNotGarbled(columns: Int, rows: Int) {
        let state = Self.map(Self.badInput())
        let buffer = state.frame(columns, rows)
        Golden.check(buffer, "topology-bad-input-\(columns)x\(rows)")
        let text = buffer.textLines().joined(separator: "\n")
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!text.contains("\u{1B}"))
        // Every line of the pane is as wide as the terminal: nothing pushed a border out.
        #expect(buffer.textLines().allSatisfy { DisplayWidth.of($0) <= columns })
        #expect(buffer.textLines()[2..<(rows - 3)].allSatisfy { DisplayWidth.of($0) == columns && $0.hasSuffix("┃") })
    }

    @Test func badInputDetailNamesEverything() {
        var state = Self.map(Self.badInput())
        for index in state.targets(for: .topology).indices {
            var pane = state.paneState(.topology)
            pane.selected = index
            state.panes[.topology] = pane
            state.press(.enter)
            let text = Self.text(state)
            #expect(!text.contains("\u{1B}"))
            #expect(!text.contains("no longer in the latest snapshot"))
            state.press(.escape)
        }
    }

    @Test(arguments: sizes) func emptyAccount(columns: Int, rows: Int) {
        let now = Fixtures.now
        let state = Self.map(SystemSnapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "local"), takenAt: now))
        let text = Self.text(state, columns, rows)
        #expect(text.contains("No buses, queues, state machines or services on this endpoint."))
        var keys = state
        keys.press(.character("l"), .character("f"), .character(" "), .enter, .character("0"))
        #expect(Self.text(keys, columns, rows).contains("No buses, queues"))
    }
}
