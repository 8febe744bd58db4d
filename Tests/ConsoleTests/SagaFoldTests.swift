import Foundation
import JSON
import Provider
import Terminal
import Testing
@testable import Console

/// A saga with a Parallel state (two branches) and a Map state (two iterations): each is folded
/// and unfolded on its own (`f` on it, or on a state inside it), or all at once (`a`); `G` goes
/// to the last row of the timeline and j/k stay within its rows.
@Suite struct SagaFoldTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)
    static let definition = """
    {"StartAt": "Fan", "States": {
      "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
        {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": true}}},
        {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": true}}}]},
      "Each": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}}
    }}
    """

    static func snapshot() -> SystemSnapshot {
        var id = 0
        var entries: [TimelineEntry] = []
        @discardableResult func event(_ type: String, after previous: Int, _ name: String? = nil, _ details: JSONValue? = nil) -> Int {
            id += 1
            var details = details
            if let name { details = ["name": .string(name)] }
            entries.append(TimelineEntry(id: id, type: type, timestamp: start.addingTimeInterval(Double(id) / 10), stateName: name,
                                         previousEventId: previous, details: details))
            return id
        }
        let started = event("ExecutionStarted", after: 0, nil, ["input": "{}"])
        let fan = event("ParallelStateStarted", after: event("ParallelStateEntered", after: started, "Fan"))
        let left = event("PassStateExited", after: event("PassStateEntered", after: fan, "Left"), "Left")
        event("PassStateExited", after: event("PassStateEntered", after: fan, "Right"), "Right")
        let fanned = event("ParallelStateExited", after: event("ParallelStateSucceeded", after: left), "Fan")
        let each = event("MapStateStarted", after: event("MapStateEntered", after: fanned, "Each"))
        var last = each
        for index in 0..<2 {
            let iteration = event("MapIterationStarted", after: each, nil, ["index": .number(Double(index))])
            last = event("MapIterationSucceeded", after: event("PassStateExited", after: event("PassStateEntered", after: iteration, "Item"), "Item"))
        }
        event("ExecutionSucceeded", after: event("MapStateExited", after: event("MapStateSucceeded", after: last), "Each"))
        let execution = Execution(name: "nested", arn: "arn:aws:states:us-east-1:000000000000:execution:fan-out:nested",
                                  stateMachineName: "fan-out", status: .succeeded, startDate: start,
                                  stopDate: start.addingTimeInterval(Double(id) / 10), timeline: entries)
        return SystemSnapshot(connection: .connected(since: start), endpoint: EndpointDescription(name: "local", url: "http://127.0.0.1:4599"),
                              takenAt: start.addingTimeInterval(60),
                              stateMachines: [StateMachine(name: "fan-out", arn: "arn:aws:states:us-east-1:000000000000:stateMachine:fan-out",
                                                           definition: definition)],
                              executions: [execution])
    }

    /// The names in the timeline's rows, in order, as drawn (indent and fold mark included), and
    /// the selected one.
    static func rows(_ state: ConsoleState) -> (names: [String], selected: String?) {
        let lines = state.frame(120, 40).textLines()
        guard let header = lines.firstIndex(where: { $0.contains("STATE") }) else { return ([], nil) }
        var names: [String] = []
        var selected: String?
        for line in lines.dropFirst(header + 1) {
            guard line.count > 3 else { break }
            let cell = String(line.dropFirst(2).prefix(14))
            guard cell.contains(where: { $0.isLetter }) else { break }
            let name = cell.trimmingCharacters(in: .whitespaces)
            names.append(name)
            if line.dropFirst(1).hasPrefix("›") { selected = name }
        }
        return (names, selected)
    }

    static func opened() -> ConsoleState {
        var state = ConsoleState(snapshot: snapshot(), now: start.addingTimeInterval(60), themeName: "default")
        state.press(.character("5"), .character("z"), .enter)
        return state
    }

    @Test func eachParallelOrMapStateFoldsOnItsOwn() {
        var state = Self.opened()
        #expect(Self.rows(state).names == ["▾ Fan", "Left", "Right", "▾ Each", "#0 Item", "#1 Item"])
        state.press(.character("j"))  // Left, inside Fan: f folds Fan
        state.press(.character("f"))
        #expect(Self.rows(state).names == ["▸ Fan", "▾ Each", "#0 Item", "#1 Item"])
        #expect(Self.rows(state).selected == "▸ Fan", "the cursor follows the state folded")
        state.press(.character("j"), .character("j"), .character("f"))  // on #0 Item: folds Each
        #expect(Self.rows(state).names == ["▸ Fan", "▸ Each"])
        #expect(Self.rows(state).selected == "▸ Each")
        state.press(.character("k"), .character("f"))  // on Fan: unfolds it
        #expect(Self.rows(state).names == ["▾ Fan", "Left", "Right", "▸ Each"])
        state.press(.character("a"))  // one still open: fold all
        #expect(Self.rows(state).names == ["▸ Fan", "▸ Each"])
        state.press(.character("a"))  // all folded: unfold all
        #expect(Self.rows(state).names.count == 6)
        #expect(Self.rows(state).selected == "▾ Fan", "the cursor stays on the state it was on")
    }

    @Test func gGoesToTheLastRowAndTheCursorStaysWithinTheRows() {
        var state = Self.opened()
        state.press(.character("G"))
        #expect(Self.rows(state).selected == "#1 Item")
        for _ in 0..<10 { state.press(.character("j")) }
        state.press(.character("k"))
        #expect(Self.rows(state).selected == "#0 Item", "j past the end stays on the last row, so one k moves up")
        state.press(.home)
        #expect(Self.rows(state).selected == "▾ Fan")
    }
}
