import Foundation
import JSON
import Provider
import SagaTimeline
import Terminal
import Testing
import TopologyLayout
@testable import Console

/// The saga graph (`g` in a saga's timeline): the definition laid out by the topology map's
/// engine, the path taken in heavy lines, Catch edges dashed, Choice, Parallel and Map drawn as
/// transitions, the current state marked; j/k and h/l select states, Enter shows one's detail.
@Suite struct SagaGraphTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    /// A Choice into a Parallel of two branches (with a Catch to a compensation), then a Map.
    static let definition = #"""
    {"StartAt":"CheckOrder","States":{
      "CheckOrder":{"Type":"Choice","Choices":[{"Variable":"$.express","BooleanEquals":true,"Next":"ExpressShip"}],"Default":"Fulfil"},
      "ExpressShip":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:express","Next":"Done"},
      "Fulfil":{"Type":"Parallel","Branches":[
        {"StartAt":"Reserve","States":{"Reserve":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:reserve","Next":"Pack"},
                                       "Pack":{"Type":"Pass","End":true}}},
        {"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:charge","End":true}}}],
        "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Refund"}],"Next":"NotifyEach"},
      "NotifyEach":{"Type":"Map","ItemsPath":"$.lines","Iterator":{"StartAt":"Notify","States":{
        "Notify":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:notify","End":true}}},"Next":"Done"},
      "Refund":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:refund","Next":"OrderFailed"},
      "OrderFailed":{"Type":"Fail","Error":"OrderFailed"},
      "Done":{"Type":"Succeed"}}}
    """#

    /// Events in one chain (each one's previous is the one before), a quarter second apart.
    static func timeline(_ events: [(type: String, state: String?, details: JSONValue?)]) -> [TimelineEntry] {
        var timeline = [TimelineEntry(id: 1, type: "ExecutionStarted", timestamp: t0, previousEventId: 0,
                                      details: ["input": #"{"orderId":"ord-7","express":false,"lines":[1]}"#])]
        for (index, event) in events.enumerated() {
            let id = index + 2
            let details: JSONValue = event.details ?? (event.state.map { ["name": .string($0)] } ?? [:])
            timeline.append(TimelineEntry(id: id, type: event.type, timestamp: t0.addingTimeInterval(Double(index + 1) / 4),
                                          stateName: event.state, previousEventId: id - 1, details: details))
        }
        return timeline
    }

    /// Default from the Choice, both branches done, the Map's first iteration running Notify.
    static func running() -> Execution {
        let events: [(String, String?, JSONValue?)] = [
            ("ChoiceStateEntered", "CheckOrder", nil), ("ChoiceStateExited", "CheckOrder", nil),
            ("ParallelStateEntered", "Fulfil", nil), ("ParallelStateStarted", nil, nil),
            ("TaskStateEntered", "Reserve", nil), ("TaskStateExited", "Reserve", nil),
            ("PassStateEntered", "Pack", nil), ("PassStateExited", "Pack", nil),
            ("TaskStateEntered", "Charge", nil), ("TaskStateExited", "Charge", nil),
            ("ParallelStateSucceeded", nil, nil), ("ParallelStateExited", "Fulfil", nil),
            ("MapStateEntered", "NotifyEach", nil), ("MapStateStarted", nil, nil), ("MapIterationStarted", nil, ["index": 0]),
            ("TaskStateEntered", "Notify", nil),
        ]
        return Execution(name: "ord-7-run", arn: "arn:aws:states:us-east-1:000000000000:execution:fulfilment:ord-7-run",
                         stateMachineName: "fulfilment", status: .running, startDate: t0, currentState: "Notify",
                         timeline: timeline(events))
    }

    static func state(_ execution: Execution, definition: String, machine: String = "fulfilment") -> ConsoleState {
        let snapshot = SystemSnapshot(connection: .connected(since: t0), endpoint: EndpointDescription(name: "local"), takenAt: t0,
                                      stateMachines: [StateMachine(name: machine, arn: "arn:aws:states:us-east-1:000000000000:stateMachine:" + machine,
                                                                   definition: definition)],
                                      executions: [execution])
        var state = ConsoleState(snapshot: snapshot, now: t0.addingTimeInterval(10), themeName: "default")
        state.press(.character("5"), .character("z"), .enter, .character("g"))
        return state
    }

    static func text(_ state: ConsoleState, _ columns: Int = 120, _ rows: Int = 40) -> String {
        state.frame(columns, rows).textLines().joined(separator: "\n")
    }

    @Test(arguments: [(120, 40), (200, 60)]) func aChoiceAParallelAndAMap(columns: Int, rows: Int) {
        Golden.check(Self.state(Self.running(), definition: Self.definition).frame(columns, rows),
                     "saga-graph-choice-parallel-\(columns)x\(rows)")
    }

    @Test func everyTransitionIsAnEdgeAndThePathTakenIsHighlighted() throws {
        let board = SagaBoard.of(Self.state(Self.running(), definition: Self.definition).snapshot, settings: SagaSettings(),
                                 now: Self.t0.addingTimeInterval(10))
        let saga = try #require(board.sagas.first)
        let graph = try #require(SagaGraph(saga, now: Self.t0.addingTimeInterval(10)))
        func edge(_ from: String, _ to: String, _ kind: MapEdgeKind) -> Int? {
            graph.graph.edges.firstIndex { $0.from == from && $0.to == to && $0.kind == kind }
        }
        let s = SagaGraph.stateID, j = SagaGraph.joinID
        let expected: [(String, String, MapEdgeKind, Bool)] = [
            (s("CheckOrder"), s("ExpressShip"), .choice, false), (s("CheckOrder"), s("Fulfil"), .choice, true),
            (s("Fulfil"), s("Reserve"), .branch, true), (s("Fulfil"), s("Charge"), .branch, true),
            (s("Reserve"), s("Pack"), .next, true), (s("Pack"), j("Fulfil"), .join, true), (s("Charge"), j("Fulfil"), .join, true),
            (s("Fulfil"), s("Refund"), .catch, false), (j("Fulfil"), s("NotifyEach"), .next, true),
            (s("NotifyEach"), s("Notify"), .branch, true), (s("Notify"), j("NotifyEach"), .join, false),
            (j("NotifyEach"), s("Done"), .next, false), (s("Refund"), s("OrderFailed"), .next, false),
        ]
        for (from, to, kind, taken) in expected {
            let index = try #require(edge(from, to, kind), "no \(kind) edge \(from) → \(to)")
            #expect(graph.decorations.edges[index].highlighted == taken, "\(from) → \(to) taken: \(taken)")
        }
        // The Fail state has no edge to the join; nothing leaves Done.
        #expect(!graph.graph.edges.contains { $0.from == s("OrderFailed") || $0.from == s("Done") })
        let notify = try #require(graph.graph.index(of: s("Notify")))
        #expect(graph.decorations.nodes[notify].footer == "◀ now")
        let refund = try #require(graph.graph.index(of: s("Refund")))
        #expect(graph.decorations.nodes[refund].footer == "comp")
    }

    @Test func thePaymentFailureTakesTheDashedCatch() {
        var state = SagaGoldenTests.opened(2)
        state.press(.character("g"))
        let text = Self.text(state, 200, 60)
        #expect(text.contains("catch"))
        #expect(text.contains("┅") || text.contains("┇"), "the catch taken is dashed and heavy")
        #expect(text.contains("┄") || text.contains("┆"), "the catches not taken are dashed")
        #expect(text.contains("━"), "the path taken is heavy")
        // Without colour the same marks are there: the mono theme draws the same text.
        var mono = SagaGoldenTests.opened(2)
        mono.press(.character(":"))
        for c in "theme mono" { mono.press(.character(c)) }
        mono.press(.enter, .character("g"))
        #expect(Self.text(mono, 200, 60).contains("━"))
    }

    @Test func keysWalkTheStatesAndEnterShowsAStep() {
        var state = Self.state(Self.running(), definition: Self.definition)
        // The cursor starts on the first state in reading order.
        #expect(Self.text(state).contains("CheckOrder · Choice · entered"))
        state.press(.character("l"))
        let right = Self.text(state)
        #expect(!right.contains("CheckOrder · Choice · entered"))
        state.press(.character("h"))
        #expect(Self.text(state).contains("CheckOrder · Choice · entered"))
        // A state the execution never entered says so; Enter shows the whole step, Enter again the graph.
        for _ in 0..<20 { state.press(.character("j")) }
        state.press(.enter)
        let step = Self.text(state)
        #expect(step.contains("not entered in this execution") || step.contains("entered"))
        #expect(!step.contains("━ path taken"))
        state.press(.enter)
        #expect(Self.text(state).contains("━ path taken"))
    }

    @Test func gKeepsTheSelectedStateAcrossTheViews() {
        var state = Self.state(Self.running(), definition: Self.definition)
        state.press(.character("g"))   // back to the timeline, on CheckOrder
        state.press(.character("j"), .character("j"))   // Fulfil, Reserve
        let timeline = Self.text(state)
        #expect(timeline.contains("›    Reserve") || timeline.contains("›  Reserve"))
        state.press(.character("g"))
        #expect(Self.text(state).contains("Reserve · Task · entered"))
        state.press(.character("g"))
        #expect(Self.text(state).contains("›  Reserve") || Self.text(state).contains("›    Reserve"))
    }

    /// Control characters, Japanese and a name of 80 characters (the most Step Functions
    /// takes): sanitised, measured, cut.
    static func oddNames(last: String) -> (names: [String], definition: String) {
        let names = ["在庫を確保", "Charge\u{1B}[2JPayment", "Ship\u{7}", last]
        let definition = #"{"StartAt":"在庫を確保","States":{"在庫を確保":{"Type":"Pass","Next":"Charge\u001b[2JPayment"},"#
            + #""Charge\u001b[2JPayment":{"Type":"Pass","Next":"Ship\u0007"},"Ship\u0007":{"Type":"Pass","Next":""#
            + last + #""},""# + last + #"":{"Type":"Pass","End":true}}}"#
        return (names, definition)
    }

    static let longName = "Reconcile" + String(repeating: "Ledger", count: 40)

    @Test func badNames() {
        let (names, definition) = Self.oddNames(last: String(Self.longName.prefix(80)))
        let state = Self.state(SagaBadInputTests.execution("odd-1", states: names), definition: definition, machine: "odd")
        let frame = state.frame(120, 40)
        Golden.check(frame, "saga-graph-bad-names-120x40")
        let text = frame.textLines().joined(separator: "\n")
        #expect(text.contains("在庫を確保"))
        #expect(text.contains("…"), "the long name is cut")
        #expect(!text.contains("\u{1B}") && !text.contains("\u{7}"))
        let uneven = frame.textLines().filter { $0.hasPrefix("┃") && DisplayWidth.of($0) != 120 }
        #expect(uneven.isEmpty, "rows not 120 wide: \(uneven)")
    }

    /// A 200-character name: Step Functions rejects the definition, so does the parser, and
    /// the graph says so (the timeline still shows the history).
    @Test func aTwoHundredCharacterNameIsNamedAsTheProblem() {
        let (names, definition) = Self.oddNames(last: String(Self.longName.prefix(200)))
        let state = Self.state(SagaBadInputTests.execution("odd-3", states: names), definition: definition, machine: "odd")
        let text = Self.text(state)
        #expect(text.contains("No graph: the definition does not parse: State names must be at most 80 characters long"))
    }

    @Test func noDefinitionSaysSo() {
        let state = Self.state(SagaBadInputTests.execution("odd-2", states: ["Reserve"]), definition: #"{"StartAt":"Nowhere","States":{}}"#,
                               machine: "odd")
        let text = Self.text(state)
        #expect(text.contains("No graph: "))
        #expect(text.contains("The timeline (g) still shows the history."))
    }
}
