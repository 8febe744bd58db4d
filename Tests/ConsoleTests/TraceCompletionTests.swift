import Foundation
import JSON
import SagaTimeline
import StackProtocol
import Testing
@testable import Console
@testable import Provider

/// Tab after `:trace ` completes from the business keys the console holds: the sagas' keys,
/// the newest events' and the newest messages' (state level, on the demo run's frames).
@Suite struct TraceCompletionTests {
    static func bar(_ state: ConsoleState) -> CommandBar? {
        if case .command(let bar) = state.mode { return bar }
        return nil
    }

    static func typing(_ text: String, snapshot: SystemSnapshot) -> ConsoleState {
        var state = ConsoleState(snapshot: snapshot, now: TraceGoldenTests.now, themeName: "default")
        state.press(.character(":"))
        state.type(text)
        state.press(.tab)
        return state
    }

    @Test func tabAfterTraceListsTheKeysHeldNewestFirstEachOnce() throws {
        let snapshot = TraceGoldenTests.snapshot()
        let state = Self.typing("trace ", snapshot: snapshot)
        let bar = try #require(Self.bar(state))
        let keys = TracePane.knownKeys(snapshot, settings: SagaSettings(), now: TraceGoldenTests.now)
        #expect(keys.count > 2 && Set(keys).count == keys.count)
        #expect(keys.contains(TraceGoldenTests.shipped) && keys.contains(TraceGoldenTests.compensated))
        #expect(keys.allSatisfy { $0.hasPrefix("ord-") })
        // Every saga's key is offered, and the newest event's key comes before the oldest's.
        let sagaKeys = SagaBoard.of(snapshot, settings: SagaSettings(), now: TraceGoldenTests.now).sagas.compactMap(\.businessKey)
        #expect(Set(sagaKeys).isSubset(of: Set(keys)))
        let newest = try #require(snapshot.recentEvents.last?.detail["orderId"]?.stringValue)
        let oldest = try #require(snapshot.recentEvents.first?.detail["orderId"]?.stringValue)
        if newest != oldest { #expect(try #require(keys.firstIndex(of: newest)) < (try #require(keys.firstIndex(of: oldest)))) }
        #expect(bar.candidates == Array(keys.prefix(ConsoleState.completionLimit)))
        // All start with "ord-": the common prefix is filled in.
        #expect(bar.text.hasPrefix("trace ord-"))
    }

    @Test func aUniquePrefixCompletesTheKeyAndEnterTracesIt() throws {
        let snapshot = TraceGoldenTests.snapshot()
        let key = TraceGoldenTests.shipped
        let keys = TracePane.knownKeys(snapshot, settings: SagaSettings(), now: TraceGoldenTests.now)
        // The shortest prefix of the key no other key shares.
        let prefix = try #require((5...key.count).lazy.map { String(key.prefix($0)) }.first { p in keys.filter { $0.hasPrefix(p) } == [key] })
        var state = Self.typing("trace " + prefix, snapshot: snapshot)
        #expect(Self.bar(state)?.text == "trace " + key)
        #expect(Self.bar(state)?.candidates == [])
        state.press(.enter)
        #expect(state.focusedPane == .trace && state.paneState(.trace).filter == key)
    }

    @Test func aKeyOnlyAMessageCarriesIsOfferedAndNothingIsWhenNothingMatches() throws {
        var live = LiveState(eventLimit: 10, timelineLimit: 10)
        _ = live.apply(frame: .published(.message(.sent(queue: "q", messageId: "m", time: 1_000, body: #"{"orderId":"ord-only-in-a-message"}"#)),
                                         sequence: 1))
        _ = live.apply(frame: .published(.message(.sent(queue: "q", messageId: "n", time: 2_000, body: "not json")), sequence: 2))
        let snapshot = live.snapshot(connection: .connected(since: Date()), endpoint: EndpointDescription(name: "t"), at: Date())
        let state = Self.typing("trace ord-o", snapshot: snapshot)
        #expect(Self.bar(state)?.text == "trace ord-only-in-a-message")
        let none = Self.typing("trace zzz", snapshot: snapshot)
        #expect(Self.bar(none)?.text == "trace zzz" && Self.bar(none)?.candidates == [])
        // An empty console: nothing to offer, the text is left as typed.
        let empty = Self.typing("trace ", snapshot: SystemSnapshot(connection: .connected(since: Date()), endpoint: EndpointDescription(name: "t"), takenAt: Date()))
        #expect(Self.bar(empty)?.text == "trace " && Self.bar(empty)?.candidates == [])
    }
}
