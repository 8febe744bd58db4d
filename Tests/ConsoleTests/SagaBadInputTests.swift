import Foundation
import JSON
import Provider
import Terminal
import Testing
@testable import Console

/// The issue's bad inputs: odd state names, a definition the parser rejects, a 25,000-event
/// history. Clear words on screen, no crash, nothing untrusted reaching the terminal raw.
@Suite struct SagaBadInputTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    static func execution(_ name: String, states: [String], definitionState: String? = nil) -> Execution {
        var timeline = [TimelineEntry(id: 1, type: "ExecutionStarted", timestamp: t0, previousEventId: 0,
                                      details: ["input": #"{"orderId":"ord-1"}"#])]
        for (index, state) in states.enumerated() {
            let id = timeline.count + 1
            timeline.append(TimelineEntry(id: id, type: "PassStateEntered", timestamp: t0.addingTimeInterval(Double(index)),
                                          stateName: state, previousEventId: id - 1, details: ["name": .string(state)]))
            timeline.append(TimelineEntry(id: id + 1, type: "PassStateExited", timestamp: t0.addingTimeInterval(Double(index) + 0.5),
                                          stateName: state, previousEventId: id, details: ["name": .string(state)]))
        }
        return Execution(name: name, arn: "arn:aws:states:us-east-1:000000000000:execution:odd:" + name, stateMachineName: "odd",
                         status: .running, startDate: t0, timeline: timeline)
    }

    static func state(_ execution: Execution, definition: String?) -> ConsoleState {
        let snapshot = SystemSnapshot(connection: .connected(since: t0), endpoint: EndpointDescription(name: "local"), takenAt: t0,
                                      stateMachines: [StateMachine(name: "odd", arn: "arn:aws:states:us-east-1:000000000000:stateMachine:odd",
                                                                   definition: definition)],
                                      executions: [execution])
        var state = ConsoleState(snapshot: snapshot, now: t0.addingTimeInterval(10), themeName: "default")
        state.press(.character("5"), .character("z"), .enter)
        return state
    }

    @Test func controlCharactersAndJapaneseInStateNames() {
        let names = ["在庫を確保", "Charge\u{1B}[2JPayment", "Ship\u{7}"]
        let definition = #"{"StartAt":"在庫を確保","States":{"在庫を確保":{"Type":"Pass","Next":"Charge\u001b[2JPayment"},"Charge\u001b[2JPayment":{"Type":"Pass","Next":"Ship\u0007"},"Ship\u0007":{"Type":"Pass","End":true}}}"#
        let state = Self.state(Self.execution("odd-1", states: names), definition: definition)
        let frame = state.frame(120, 40)
        let text = frame.textLines().joined(separator: "\n")
        #expect(text.contains("在庫を確保"))
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{7}"))
        #expect(text.contains("Charge"))
        // Every row is as wide as the frame: wide characters are measured, not guessed.
        let uneven = frame.textLines().filter { $0.hasPrefix("┃") && DisplayWidth.of($0) != 120 }
        #expect(uneven.isEmpty, "rows not 120 wide: \(uneven)")
    }

    @Test func aDefinitionTheParserRejectsStillShowsTheHistory() {
        let state = Self.state(Self.execution("odd-2", states: ["Reserve", "Charge"]), definition: #"{"StartAt":"Nowhere","States":{}}"#)
        let text = state.frame(120, 40).textLines().joined(separator: "\n")
        #expect(text.contains("definition: the definition does not parse"))
        #expect(text.contains("Reserve"))
        #expect(text.contains("Charge"))
    }

    @Test func aTwentyFiveThousandEventHistory() {
        // 12,499 Pass states entered and exited: 24,999 events with ExecutionStarted.
        let names = (0..<12_499).map { "Step\($0)" }
        var state = Self.state(Self.execution("long", states: names), definition: nil)
        #expect(state.snapshot.executions[0].timeline.count == 24_999)
        let text = state.frame(120, 40).textLines().joined(separator: "\n")
        #expect(text.contains("of 12499 states"))
        for _ in 0..<40 { state.press(.character("j")) }  // the chart follows the selection
        #expect(state.frame(120, 40).textLines().joined(separator: "\n").contains("›Step40"))
        state.press(.character("t"), .home)  // every event, from the oldest
        #expect(state.frame(120, 40).textLines().joined(separator: "\n").contains("ExecutionStarted"))
    }
}

/// `saga_key_paths`, `saga_stuck_factor`, `saga_stuck_silence_s` in config.toml.
@Suite struct SagaConfigTests {
    @Test func sagaSettingsParse() throws {
        let config = try ConsoleConfig.parse("""
            saga_key_paths = ["$.customer.id", "$.orderId"]
            saga_stuck_factor = 5
            saga_stuck_silence_s = 60
            """, file: "config.toml")
        #expect(config.sagas.keyPaths.map(\.text) == ["$.customer.id", "$.orderId"])
        #expect(config.sagas.stuckFactor == 5)
        #expect(config.sagas.silence == 60)
        #expect(try ConsoleConfig.parse("", file: "config.toml").sagas.keyPaths.map(\.text) == ["$.orderId", "$.detail.orderId", "$.order.orderId"])
    }

    @Test func badSagaSettingsNameTheKey() {
        for (text, key) in [(#"saga_key_paths = ["orderId"]"#, "saga_key_paths"), ("saga_key_paths = []", "saga_key_paths"),
                            ("saga_stuck_factor = 0.5", "saga_stuck_factor"), (#"saga_stuck_silence_s = "5m""#, "saga_stuck_silence_s")] {
            do {
                _ = try ConsoleConfig.parse(text, file: "config.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.key == key)
                #expect(error.line == 1)
            }
        }
    }
}
