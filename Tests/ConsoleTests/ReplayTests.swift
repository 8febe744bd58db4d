import Foundation
import JSON
import Provider
import SignalboxTestSupport
import Terminal
import Testing
@testable import Console

/// Replaying a bus's archived events from the Flows pane and the map: the refusal without an
/// archive, the confirmation with its window, the action sent, and the progress shown.
@Suite struct ReplayTests {
    static let archive = EventArchive(name: "orders-archive", busArn: DemoSnapshot.bus, eventCount: 1_204, sizeBytes: 913_408,
                                      retentionDays: 7, createdAt: DemoSnapshot.now.addingTimeInterval(-86_400))
    static let archiveArn = DemoSnapshot.arn("events", "archive/orders-archive")

    /// A replay a third of the way through its 15-minute window, and a replayed event in the tail.
    static func replaying(_ snapshot: inout SystemSnapshot) {
        let now = DemoSnapshot.now
        snapshot.archives = [archive]
        snapshot.replays = [EventReplay(name: "signalbox-orders-20261118-105140", archiveArn: archiveArn, state: "RUNNING",
                                        from: now.addingTimeInterval(-900), to: now,
                                        lastReplayedEventTime: now.addingTimeInterval(-600), startedAt: now.addingTimeInterval(-20))]
        var event = DemoSnapshot.tailEvent(snapshot.recentEvents.nextSequence, start: now.addingTimeInterval(-30))
        var envelope = event.envelope.objectValue ?? [:]
        envelope["replay-name"] = "signalbox-orders-20261118-105140"
        event = FlowEvent(id: event.id, time: event.time, eventBusName: event.eventBusName, source: event.source,
                          detailType: event.detailType, detail: event.detail, matchedRules: event.matchedRules,
                          deliveries: event.deliveries, envelope: .object(envelope))
        snapshot.recentEvents.append(event)
    }

    @Test("the archive's ARN is the bus's with archive/NAME; progress is the window's time covered")
    func archiveAndProgress() {
        #expect(Self.archive.arn == Self.archiveArn)
        let start = Date(timeIntervalSince1970: 1_000)
        var replay = EventReplay(name: "r", archiveArn: Self.archiveArn, state: "STARTING", from: start, to: start.addingTimeInterval(100))
        #expect(replay.progress == nil)
        #expect(replay.statusText == "STARTING")
        replay.state = "RUNNING"
        replay.lastReplayedEventTime = start.addingTimeInterval(42.9)
        #expect(replay.statusText == "RUNNING 42%")
        replay.lastReplayedEventTime = start.addingTimeInterval(500)   // clamped
        #expect(replay.progress == 1)
        replay.state = "FAILED"
        replay.stateReason = "Destination bus not found"
        #expect(replay.statusText == "FAILED: Destination bus not found")
        #expect(!replay.isActive)
    }

    @Test("replay names: EventBridge's characters, at most 64; the suggestion fits")
    func names() {
        #expect(ReplayNaming.isValid("signalbox-orders-20261207-031500"))
        #expect(!ReplayNaming.isValid(""))
        #expect(!ReplayNaming.isValid("has space"))
        #expect(!ReplayNaming.isValid(String(repeating: "a", count: 65)))
        let long = ReplayNaming.suggested(bus: String(repeating: "b", count: 200) + "/ü", at: DemoSnapshot.now)
        #expect(ReplayNaming.isValid(long))
        #expect(ReplayNaming.suggested(bus: "orders", at: Date(timeIntervalSince1970: 1_795_000_000)) == "signalbox-orders-20261118-110640")
    }

    @Test("R on an event of a bus without an archive is refused, saying how to make one")
    func refusedWithoutArchive() {
        var (state, _) = TailPaneTests.console(count: 10)
        #expect(state.press(.character("R")).isEmpty)
        #expect(state.mode == .normal)
        #expect(state.toast?.level == .warn)
        #expect(state.toast?.text.contains("has no enabled archive") == true)
        #expect(state.toast?.text.contains("CreateArchive") == true)
    }

    @Test("archives that could not be listed: the refusal gives the service's reason")
    func refusedWhenUnlisted() {
        var (state, snapshot) = TailPaneTests.console(count: 10)
        snapshot.archivesUnavailable = "EventBridge ListArchives: AccessDeniedException: not authorized"
        state.receive(snapshot)
        state.press(.character("R"))
        #expect(state.toast?.text.contains("AccessDeniedException") == true)
    }

    @Test("R on an event asks to replay from its time until now; the window can be edited; Confirm sends StartReplay")
    func asksThenSends() throws {
        var (state, snapshot) = TailPaneTests.console(count: 10)
        snapshot.archives = [Self.archive]
        state.receive(snapshot)
        let selected = try #require(snapshot.recentEvents.last)
        #expect(state.press(.character("R")).isEmpty)
        guard case .confirm(let dialog) = state.mode else { Issue.record("no dialog"); return }
        guard case .startReplay(let asked) = dialog.action else { Issue.record("not a replay: \(dialog.action)"); return }
        #expect(asked.archiveArn == Self.archiveArn)
        #expect(asked.busArn == DemoSnapshot.bus)
        #expect(asked.from == Date(timeIntervalSince1970: selected.time.timeIntervalSince1970.rounded(.down)))
        #expect(dialog.fields.map(\.name) == ["from", "to", "replayName", "reason"])
        #expect(!dialog.confirmFocused, "Cancel is focused")

        // A `from` that is not a time is refused in the dialog, naming the field.
        state.press(.tab, .tab, .ctrl("u"))
        state.type("yesterday")
        state.press(.enter)
        #expect(state.press(.enter).isEmpty)
        guard case .confirm(let refused) = state.mode else { Issue.record("the dialog closed"); return }
        #expect(refused.problem?.contains("from is not a time") == true)

        state.press(.ctrl("u"))
        state.type("2026-11-18T11:00:00Z")
        state.press(.enter)
        let effects = state.press(.enter)
        var expected = asked
        expected.from = Date(timeIntervalSince1970: 1_794_999_600)   // 2026-11-18T11:00:00Z
        #expect(effects == [.perform(.startReplay(expected), reason: "")])
    }

    @Test("to before from is refused in the dialog")
    func windowOrder() {
        var fields = OperatorAction.startReplay(ReplayRequest(name: "r", archiveArn: Self.archiveArn, busArn: DemoSnapshot.bus,
                                                              from: DemoSnapshot.now.addingTimeInterval(-60), to: DemoSnapshot.now)).dialogFields
        fields[1].text = "2000-01-01T00:00:00Z"
        #expect(OperatorAction.problem(in: fields)?.text == "to must be after from")
        fields[1].text = "2099-01-01T00:00:00Z"
        fields[2].text = "bad name!"
        #expect(OperatorAction.problem(in: fields)?.index == 2)
    }

    @Test("read-only: a replay is refused like every action that changes the system")
    func readOnly() {
        var (state, snapshot) = TailPaneTests.console(count: 10)
        state.readOnly = true
        snapshot.archives = [Self.archive]
        state.receive(snapshot)
        state.press(.character("R"))
        #expect(state.mode == .normal)
        #expect(state.toast?.text.hasPrefix("read-only: refused to replay") == true)
    }

    @Test("the audit trail records the replay's archive, bus and window")
    func audited() {
        let action = OperatorAction.startReplay(ReplayRequest(name: "r1", archiveArn: Self.archiveArn, busArn: DemoSnapshot.bus,
                                                              from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 60)))
        #expect(action.auditParameters == ["replayName": "r1", "eventSourceArn": Self.archiveArn, "destination": DemoSnapshot.bus,
                                           "eventStartTime": "1970-01-01T00:00:00.000Z", "eventEndTime": "1970-01-01T00:01:00.000Z"])
        #expect(action.summary == "replay archive orders-archive into bus shop-bus: events of 1970-01-01 00:00:00Z–00:01:00Z")
    }

    @Test("on the map: R on a bus asks to replay its last 15 minutes; on another node it says to pick a bus")
    func fromTheMap() {
        var snapshot = DemoSnapshot.demo()
        snapshot.archives = [Self.archive]
        var state = ConsoleState(snapshot: snapshot, now: DemoSnapshot.now)
        state.press(.character("1"), .character("z"))
        // Walk to the bus box (the map's reading order starts with the sources and buses).
        var asked: ReplayRequest?
        for _ in 0..<12 {
            state.press(.character("R"))
            if case .confirm(let dialog) = state.mode, case .startReplay(let request) = dialog.action {
                asked = request
                break
            }
            // Another node, or the default bus (which has no archive here).
            #expect(state.toast?.text == "replay: select an event bus"
                    || state.toast?.text.hasPrefix("bus default has no enabled archive") == true)
            state.press(.escape, .character("j"))
        }
        #expect(asked?.busArn == DemoSnapshot.bus)
        #expect(asked?.from == DemoSnapshot.now.addingTimeInterval(-900))
    }

    @Test(arguments: GoldenFrameTests.sizes) func tailWhileReplaying(columns: Int, rows: Int) {
        var (state, snapshot) = TailPaneTests.console(count: 60)
        Self.replaying(&snapshot)
        state.receive(snapshot)
        Golden.check(state.frame(columns, rows), "tail-replaying-\(columns)x\(rows)")
    }

    @Test func confirmation() {
        var (state, snapshot) = TailPaneTests.console(count: 60)
        snapshot.archives = [Self.archive]
        state.receive(snapshot)
        state.press(.character("R"))
        Golden.check(state.frame(120, 40), "replay-confirm-120x40")
    }

    @Test func mapWhileReplaying() {
        var snapshot = DemoSnapshot.demo()
        Self.replaying(&snapshot)
        var state = ConsoleState(snapshot: snapshot, now: DemoSnapshot.now)
        state.press(.character("1"), .character("z"))
        let text = state.frame(200, 60).textLines().joined(separator: "\n")
        #expect(text.contains("⟲ 33% replayed"))
        Golden.check(state.frame(200, 60), "topology-replaying-200x60")
    }
}
