import Foundation
import Provider
import SignalboxTestSupport
import Terminal
import Testing
@testable import Console

/// The Flows tail: following, pausing, scrolling back, jumping to live, filtering.
@Suite struct TailPaneTests {
    static let start = DemoSnapshot.now.addingTimeInterval(-100)

    /// A console on the Flows pane, zoomed, with the first `count` events of the demo's traffic.
    static func console(count: Int, capacity: Int = 10_000) -> (ConsoleState, SystemSnapshot) {
        var snapshot = DemoSnapshot.demo()
        snapshot.recentEvents = EventRing(capacity: capacity)
        snapshot.rates = TrafficRates()   // the tail's own events are not counted (`tailWithRates` counts them)
        add(count, to: &snapshot)
        var state = ConsoleState(snapshot: snapshot, now: DemoSnapshot.now)
        state.press(.character("2"), .character("z"))
        return (state, snapshot)
    }

    static func add(_ count: Int, to snapshot: inout SystemSnapshot) {
        for _ in 0..<count { snapshot.recentEvents.append(DemoSnapshot.tailEvent(snapshot.recentEvents.nextSequence, start: start)) }
    }

    static func selectedID(_ state: ConsoleState) -> String? {
        let table = state.table(for: .flows)
        let index = state.paneState(.flows).selected
        return table.rows.indices.contains(index) ? table.rows[index].id.typed(FlowsPane.RowID.self)?.id : nil
    }

    static func summary(_ state: ConsoleState) -> String { state.table(for: .flows).summary ?? "" }

    @Test("live: the newest event is the last row, and the selection follows new ones")
    func followsLive() {
        var (state, snapshot) = Self.console(count: 20)
        #expect(Self.selectedID(state) == "ev-00019")
        Self.add(5, to: &snapshot)
        state.receive(snapshot)
        #expect(Self.selectedID(state) == "ev-00024")
        #expect(Self.summary(state).hasPrefix("25 events · live"))
    }

    @Test("scrolled back, the selection stays on its event while new ones arrive and old ones are evicted")
    func selectionStaysOnItsEvent() {
        var (state, snapshot) = Self.console(count: 300, capacity: 300)
        state.press(.character("k"), .character("k"), .character("k"))
        #expect(Self.selectedID(state) == "ev-00296")
        Self.add(40, to: &snapshot)
        state.receive(snapshot)
        #expect(Self.selectedID(state) == "ev-00296")
        #expect(state.table(for: .flows).rows.count == 300)
        #expect(Self.summary(state).contains("40 older evicted (tail_buffer 300)"))
    }

    @Test("space pauses: the rows stay still and the summary counts what arrived; G resumes on the newest")
    func pauseAndResume() {
        var (state, snapshot) = Self.console(count: 30)
        state.press(.character(" "))
        let before = state.frame(120, 40).textLines()
        Self.add(7, to: &snapshot)
        state.receive(snapshot)
        #expect(Self.summary(state).hasPrefix("PAUSED · 7 new"))
        #expect(state.table(for: .flows).rows.count == 30)
        #expect(Self.selectedID(state) == "ev-00029")
        let after = state.frame(120, 40).textLines()
        #expect(Array(after.dropFirst(4).prefix(30)) == Array(before.dropFirst(4).prefix(30)), "the rows did not move")
        Self.add(5, to: &snapshot)
        state.receive(snapshot)
        #expect(Self.summary(state).hasPrefix("PAUSED · 12 new"))
        // Scrolling back while paused, then G: live again, on the newest.
        state.press(.pageUp, .character("G"))
        #expect(Self.summary(state).hasPrefix("42 events · live"))
        #expect(Self.selectedID(state) == "ev-00041")
        // space resumes too.
        state.press(.character(" "), .character(" "))
        #expect(!Self.summary(state).contains("PAUSED"))
    }

    @Test("a pattern filter keeps only matching events, old and new; a substring still works")
    func patternFilter() {
        var (state, snapshot) = Self.console(count: 30)
        state.press(.character("/"))
        state.type(#"{"source":["shop.payments"]}"#)
        state.press(.enter)
        let rows = state.table(for: .flows).rows
        #expect(rows.count == 10)
        #expect(rows.allSatisfy { $0.cells[2] == "shop.payments" })
        Self.add(3, to: &snapshot)
        state.receive(snapshot)
        #expect(state.table(for: .flows).rows.count == 11)
        #expect(Self.selectedID(state) == "ev-00031")
        state.press(.character("/"), .ctrl("u"))
        state.type("ord-1003")
        #expect(state.table(for: .flows).rows.map { $0.cells[4] } == ["ord-1003", "ord-1003", "ord-1003"])
    }

    @Test("columns: time with milliseconds, business key from saga_key_paths, outcome by symbol")
    func columns() {
        let (state, _) = Self.console(count: 14)
        let rows = state.table(for: .flows).rows
        #expect(rows[0].cells[0].count == 12 && rows[0].cells[0].hasSuffix(".007"))
        #expect(rows[0].cells[4] == "ord-1000")
        #expect(rows[0].cells[6] == "✓ 3")
        #expect(rows[6].cells[6] == "retrying order-saga")
        #expect(rows[10].cells[6] == "dead-lettered analytics")
        #expect(rows[12].cells[6] == "✗ order-saga")
    }

    @Test("tail_buffer: parsed, and refused with the key, the line and the bounds when out of range")
    func tailBufferSetting() throws {
        #expect(try ConsoleConfig.parse("tail_buffer = 2500", file: "config.toml").tailBuffer == 2500)
        #expect(try ConsoleConfig.parse("", file: "config.toml").tailBuffer == 10_000)
        for text in ["tail_buffer = 5", "tail_buffer = 100001", #"tail_buffer = "10k""#] {
            do {
                _ = try ConsoleConfig.parse("theme = \"mono\"\n" + text, file: "config.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.key == "tail_buffer" && error.line == 2)
                #expect(error.description.contains("between 100 and 100000"))
            }
        }
    }

    @Test("bad input: a 256 KB event with control characters and bidi overrides in every field draws a sane screen")
    func hostileEvent() {
        var (state, snapshot) = Self.console(count: 5)
        snapshot.recentEvents.append(DemoSnapshot.hostileEvent(at: DemoSnapshot.now))
        Self.add(2, to: &snapshot)
        state.receive(snapshot)
        for (columns, rows) in [(80, 24), (120, 40), (200, 60)] {
            let text = state.frame(columns, rows).textLines()
            #expect(text.count == rows)
            #expect(text.allSatisfy { line in !line.unicodeScalars.contains { Sanitizer.isUnsafe($0) } })
        }
        state.press(.character("k"), .character("k"), .enter)
        let detail = state.frame(120, 40).textLines()
        #expect(detail.allSatisfy { line in !line.unicodeScalars.contains { Sanitizer.isUnsafe($0) } })
        #expect(detail.joined().contains("\\u202e"), "the override is shown, escaped")
    }

    @Test("an invalid pattern is not applied: Enter shows the Patterns module's reason and keeps the previous filter")
    func invalidPattern() {
        var (state, snapshot) = Self.console(count: 30)
        state.press(.character("/"))
        state.type(#"{"source":["shop.payments"]}"#)
        state.press(.enter)
        #expect(state.streamFilter == #"{"source":["shop.payments"]}"#)
        state.press(.character("/"), .ctrl("u"))
        state.type(#"{"source":"shop.orders"}"#)
        #expect(state.table(for: .flows).rows.count == 30, "a cleared filter applies as it is typed; a half pattern does not")
        state.press(.enter)
        #expect(state.paneState(.flows).filter == #"{"source":["shop.payments"]}"#)
        #expect(state.toast?.level == .error)
        #expect(state.toast?.text.hasPrefix("invalid pattern: ") == true && state.toast?.text.hasSuffix("(the previous filter stays)") == true)
        #expect(state.table(for: .flows).rows.count == 10)
        // The stack confirmed it: the summary says where the filtering happens.
        #expect(Self.summary(state).contains("filtered here; the stack has not confirmed the pattern yet"))
        snapshot.eventsFilteredOnStack = #"{"source":["shop.payments"]}"#
        state.receive(snapshot)
        #expect(Self.summary(state).contains("filtered on the stack"))
        // A substring is not sent to the stack.
        state.press(.character("/"), .ctrl("u"))
        state.type("ord-1")
        state.press(.enter)
        #expect(state.streamFilter == nil)
    }

    @Test("the rates strip: per bus, per source (busiest, the rest summed), deliveries by outcome; unavailable without a stream")
    func ratesStrip() {
        let snapshot = DemoSnapshot.tailWithRates(count: 120)
        let strip = FlowsPane.ratesStrip(snapshot, now: DemoSnapshot.now).map(\.text)
        #expect(strip.count == 4)
        #expect(strip[1].hasPrefix("bus       shop-bus 4.0/s "))
        #expect(strip[2].hasPrefix("source    shop.") && strip[2].contains("shop.orders 1.") && strip[2].contains("shop.payments 1.")
                && strip[2].contains("shop.shipping 1."), "\(strip[2])")
        #expect(strip[3].hasPrefix("delivery  ✓ "))
        var none = snapshot
        none.liveStream = false
        none.rates = TrafficRates()
        #expect(FlowsPane.ratesStrip(none, now: DemoSnapshot.now).first?.text.contains("unavailable") == true)
    }

    @Test("the rates strip kept between frames is the strip of the rates, the time and the stream now")
    func ratesStripKept() {
        let memory = PaneMemory()
        let snapshot = DemoSnapshot.tailWithRates(count: 120)
        var none = snapshot
        none.liveStream = false
        none.rates = TrafficRates()
        var filtered = snapshot
        filtered.eventsFilteredOnStack = #"{"source":["shop.payments"]}"#
        let later = DemoSnapshot.now.addingTimeInterval(30)
        for (snapshot, now) in [(snapshot, DemoSnapshot.now), (snapshot, DemoSnapshot.now), (snapshot, later), (none, later),
                                (filtered, later), (snapshot, DemoSnapshot.now)] {
            #expect(FlowsPane.ratesStrip(snapshot, now: now, memory: memory).map(\.text) == FlowsPane.ratesStrip(snapshot, now: now).map(\.text))
        }
    }
}
