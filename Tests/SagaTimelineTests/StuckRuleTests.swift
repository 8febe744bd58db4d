import Foundation
import JSON
import Provider
import Testing
@testable import SagaTimeline
import StatesLanguage

/// The stuck rules, each with the clock injected: the same saga is fine at one moment and stuck
/// at a later one, for a stated reason.
@Suite struct StuckRuleTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)
    static let machine = "arn:aws:states:us-east-1:000000000000:stateMachine:m"

    static let definition = """
    {"StartAt": "Charge", "States": {
      "Charge": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:charge",
                 "TimeoutSeconds": 600, "HeartbeatSeconds": 60,
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}], "Next": "Ship"},
      "Ship": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:ship", "End": true},
      "Refund": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:refund", "End": true}
    }}
    """

    static func event(_ id: Int, _ type: String, at seconds: Double, _ details: JSONValue? = nil, previous: Int? = nil) -> TimelineEntry {
        var name: String?
        if type.hasSuffix("StateEntered") || type.hasSuffix("StateExited") { name = details?["name"]?.stringValue }
        return TimelineEntry(id: id, type: type, timestamp: t0.addingTimeInterval(seconds), stateName: name,
                             previousEventId: previous ?? id - 1, details: details)
    }

    /// An execution started at t0 that entered Charge at +1 s and whose worker started at +2 s.
    static func inCharge(name: String = "e1", input: String = #"{"orderId":"ord-1"}"#) -> Provider.Execution {
        Provider.Execution(name: name, arn: "arn:aws:states:us-east-1:000000000000:execution:m:" + name, stateMachineName: "m",
                  status: .running, startDate: t0, timeline: [
                      event(1, "ExecutionStarted", at: 0, ["input": .string(input)], previous: 0),
                      event(2, "TaskStateEntered", at: 1, ["name": "Charge", "input": .string(input)]),
                      event(3, "ActivityScheduled", at: 1, ["resource": "arn:aws:states:us-east-1:000000000000:activity:charge",
                                                            "input": .string(input), "heartbeatInSeconds": 60]),
                      event(4, "ActivityStarted", at: 2, ["workerName": "w"]),
                  ])
    }

    /// Ended executions whose Charge state took `seconds` each.
    static func history(_ durations: [Double]) -> [Provider.Execution] {
        durations.enumerated().map { index, seconds in
            Provider.Execution(name: "done-\(index)", arn: "arn:aws:states:us-east-1:000000000000:execution:m:done-\(index)", stateMachineName: "m",
                      status: .succeeded, startDate: t0.addingTimeInterval(-1000 - Double(index)), timeline: [
                          TimelineEntry(id: 2, type: "TaskStateEntered", timestamp: t0.addingTimeInterval(-1000), stateName: "Charge"),
                          TimelineEntry(id: 6, type: "TaskStateExited", timestamp: t0.addingTimeInterval(-1000 + seconds), stateName: "Charge"),
                      ])
        }
    }

    static func board(_ executions: [Provider.Execution], at seconds: Double, settings: SagaSettings = SagaSettings()) -> SagaBoard {
        let snapshot = SystemSnapshot(stateMachines: [StateMachine(name: "m", arn: machine, definition: definition)], executions: executions)
        return SagaBoard(snapshot: snapshot, settings: settings, now: t0.addingTimeInterval(seconds))
    }

    @Test func aFreshSagaIsRunningAndNotStuck() throws {
        let saga = try #require(Self.board([Self.inCharge()], at: 10).sagas.first)
        #expect(saga.status == .running)
        #expect(saga.stuck.isEmpty)
        #expect(saga.businessKey == "ord-1")
        #expect(saga.currentState == "Charge")
        #expect(saga.waitingFor == "activity charge")
    }

    @Test func ruleAHeartbeatMissed() throws {
        let saga = try #require(Self.board([Self.inCharge()], at: 70).sagas.first)
        #expect(saga.status == .stuck)
        #expect(saga.stuck.map(\.rule) == [.heartbeat])
        #expect(saga.stuckExplanation(now: Self.t0.addingTimeInterval(70)) == "in Charge 1m09s; heartbeat 60s missed (last sign 1m08s ago)")
    }

    @Test func ruleATimeoutExceeded() throws {
        let saga = try #require(Self.board([Self.inCharge()], at: 700, settings: SagaSettings(silence: 3600)).sagas.first)
        #expect(saga.stuck.map(\.rule) == [.timeout, .heartbeat])
        #expect(saga.stuck.first?.text(now: Self.t0.addingTimeInterval(700)) == "TimeoutSeconds 600 exceeded")
    }

    @Test func ruleBSlowerThanTheStatesRecentP99() throws {
        // 200 runs of Charge took 0.1 s … 1.2 s; k = 3 → stuck past 3.6 s, before the heartbeat.
        let durations = (0..<200).map { 0.1 + Double($0) * 1.1 / 199 }
        let executions = [Self.inCharge()] + Self.history(durations)
        let fine = try #require(Self.board(executions, at: 4.5).sagas.first)
        #expect(fine.status == .running)  // 3.5 s in Charge: under 3 × 1.2 s
        let slow = try #require(Self.board(executions, at: 5).sagas.first)
        #expect(slow.stuck.map(\.rule) == [.slowerThanUsual])
        #expect(slow.stuckExplanation(now: Self.t0.addingTimeInterval(5)) == "in Charge 4.00s; p99 of the last 200 is 1.18s; 3× that is 3.56s")
    }

    @Test func ruleBNeedsEnoughSamples() throws {
        let executions = [Self.inCharge()] + Self.history([0.1, 0.1, 0.1])
        #expect(try #require(Self.board(executions, at: 30).sagas.first).status == .running)
    }

    @Test func ruleCNoHistoryEvent() throws {
        // Ship has no TimeoutSeconds or HeartbeatSeconds: only the silence rule applies.
        var execution = Self.inCharge()
        execution.timeline = [execution.timeline[0], Self.event(2, "TaskStateEntered", at: 1, ["name": "Ship"])]
        let settings = SagaSettings(silence: 300)
        #expect(try #require(Self.board([execution], at: 300, settings: settings).sagas.first).status == .running)
        let saga = try #require(Self.board([execution], at: 302, settings: settings).sagas.first)
        #expect(saga.stuck.map(\.rule) == [.silent])
        #expect(saga.stuckExplanation(now: Self.t0.addingTimeInterval(302)) == "in Ship 5m01s; no history event for 5m01s (threshold 5m00s)")
    }

    @Test func aBoardJudgedAgainLaterSaysWhatANewBoardSays() throws {
        // A new second re-judges only the sagas whose verdict may have changed (a deadline
        // passed): the result must be the board built from scratch at that second.
        let durations = (0..<200).map { 0.1 + Double($0) * 1.1 / 199 }
        var ship = Self.inCharge(name: "e-ship")
        ship.timeline = [ship.timeline[0], Self.event(2, "TaskStateEntered", at: 1, ["name": "Ship"])]
        let executions = [Self.inCharge(name: "e-charge"), ship] + Self.history(durations)
        let settings = SagaSettings(silence: 300)
        var judged = Self.board(executions, at: 1.5, settings: settings)
        for seconds in [2.0, 4.5, 5, 69, 70, 301, 302, 700, 5000] {
            let now = Self.t0.addingTimeInterval(seconds)
            judged = SagaBoard(rejudging: judged, settings: settings, now: now)
            let fresh = Self.board(executions, at: seconds, settings: settings)
            #expect(judged.sagas.map(\.status) == fresh.sagas.map(\.status), "at +\(seconds) s")
            #expect(judged.sagas.map { $0.stuckExplanation(now: now) } == fresh.sagas.map { $0.stuckExplanation(now: now) }, "at +\(seconds) s")
            #expect(judged.stuckCount == fresh.stuckCount && judged.runningCount == fresh.runningCount)
        }
        #expect(judged.sagas[0].stuck.map(\.rule) == [.timeout, .heartbeat, .slowerThanUsual, .silent])
    }

    @Test func aBoardTakingUnchangedSagasFromTheLastSnapshotSaysWhatANewBoardSays() throws {
        // A new snapshot takes the analyses of unchanged executions from the last board: one
        // execution moved on (Ship ended, Pack entered), one is new, one finished Charge and so
        // changed the statistics the others are judged by.
        let durations = (0..<200).map { 0.1 + Double($0) * 1.1 / 199 }
        var ship = Self.inCharge(name: "e-reuse-ship")
        ship.timeline = [ship.timeline[0], Self.event(2, "TaskStateEntered", at: 1, ["name": "Ship"])]
        let first = [Self.inCharge(name: "e-reuse-charge"), ship] + Self.history(durations)
        var moved = ship
        moved.timeline += [Self.event(3, "TaskStateExited", at: 250, ["name": "Ship"]), Self.event(4, "TaskStateEntered", at: 250, ["name": "Refund"])]
        let second = [Self.inCharge(name: "e-reuse-new"), Self.inCharge(name: "e-reuse-charge"), moved] + Self.history(durations + [9])
        let settings = SagaSettings(silence: 300)
        let machines = [StateMachine(name: "m", arn: Self.machine, definition: Self.definition)]
        for (before, after) in [(1.5, 5.0), (4.0, 320.0), (700.0, 700.0), (320.0, 4.0)] {
            let earlier = SagaBoard(snapshot: SystemSnapshot(stateMachines: machines, executions: first), settings: settings,
                                    now: Self.t0.addingTimeInterval(before))
            let now = Self.t0.addingTimeInterval(after)
            let snapshot = SystemSnapshot(stateMachines: machines, executions: second)
            let reused = SagaBoard(snapshot: snapshot, settings: settings, now: now, previous: earlier)
            let fresh = SagaBoard(snapshot: snapshot, settings: settings, now: now)
            #expect(reused.sagas.map(\.status) == fresh.sagas.map(\.status), "from +\(before) s to +\(after) s")
            #expect(reused.sagas.map { $0.stuckExplanation(now: now) } == fresh.sagas.map { $0.stuckExplanation(now: now) })
            #expect(reused.sagas.map(\.currentState) == fresh.sagas.map(\.currentState))
        }
    }

    @Test func aBoardFindsTheLastSnapshotsSagasWhereverTheOrderMovedThem() throws {
        // New executions pushed the held ones down (a few: found near their old place; more
        // than the board looks past: found by ARN), one ended in between and one changed.
        let machines = [StateMachine(name: "m", arn: Self.machine, definition: Self.definition)]
        let settings = SagaSettings(silence: 300)
        let held = (0..<150).map { Self.inCharge(name: "held-\($0)") } + Self.history((0..<40).map { 0.1 + Double($0) / 40 })
        let earlier = SagaBoard(snapshot: SystemSnapshot(stateMachines: machines, executions: held), settings: settings,
                                now: Self.t0.addingTimeInterval(5))
        for newCount in [3, 100] {
            var moved = held
            moved.remove(at: 70)
            moved[20].timeline.append(Self.event(5, "ActivityFailed", at: 4))
            let executions = (0..<newCount).map { Self.inCharge(name: "new-\($0)") } + moved
            let snapshot = SystemSnapshot(stateMachines: machines, executions: executions)
            let now = Self.t0.addingTimeInterval(400)
            let reused = SagaBoard(snapshot: snapshot, settings: settings, now: now, previous: earlier)
            let fresh = SagaBoard(snapshot: snapshot, settings: settings, now: now)
            #expect(reused.sagas.map(\.execution) == executions, "\(newCount) new")
            #expect(reused.sagas.map(\.status) == fresh.sagas.map(\.status), "\(newCount) new")
            #expect(reused.sagas.map { $0.stuckExplanation(now: now) } == fresh.sagas.map { $0.stuckExplanation(now: now) })
            #expect(reused.sagas.map(\.currentState) == fresh.sagas.map(\.currentState))
        }
    }

    @Test func theSilenceRuleJudgesOnlyWhatWasRead() throws {
        // Ship has no limits of its own: only rule (c) applies. Its last event is at +1 s.
        var execution = Self.inCharge(name: "e-read")
        execution.timeline = [execution.timeline[0], Self.event(2, "TaskStateEntered", at: 1, ["name": "Ship"])]
        let settings = SagaSettings(silence: 300)
        func saga(readAt: Double?, live: Bool = false, at seconds: Double) throws -> SagaAnalysis {
            var polled = execution
            polled.historyReadAt = readAt.map { Self.t0.addingTimeInterval($0) }
            let snapshot = SystemSnapshot(stateMachines: [StateMachine(name: "m", arn: Self.machine, definition: Self.definition)],
                                          executions: [polled], liveStream: live)
            return try #require(SagaBoard(snapshot: snapshot, settings: settings, now: Self.t0.addingTimeInterval(seconds)).sagas.first)
        }
        // Read at +200 s: 6 min later nothing proves a silence past 5 min — not stuck, and said so.
        let stale = try saga(readAt: 200, at: 400)
        #expect(stale.status == .running)
        #expect(stale.historyNote(now: Self.t0.addingTimeInterval(400))
                == "history not read for 3m20s: no event in the 3m19s before that read; not judged silent until it is read again")
        // Read again at +390 s, still quiet: proven, stuck.
        let proven = try saga(readAt: 390, at: 400)
        #expect(proven.stuck.map(\.rule) == [.silent])
        #expect(proven.stuckExplanation(now: Self.t0.addingTimeInterval(400))
                == "in Ship 6m39s; no history event for 6m29s up to its last read 10.00s ago (threshold 5m00s)")
        #expect(proven.historyNote(now: Self.t0.addingTimeInterval(400)) == nil)
        // Followed live by the stream: current up to now.
        #expect(try saga(readAt: 200, live: true, at: 400).stuck.map(\.rule) == [.silent])
        // Never read: nothing judged, and said so.
        var unread = execution
        unread.timeline = []
        let snapshot = SystemSnapshot(stateMachines: [StateMachine(name: "m", arn: Self.machine, definition: Self.definition)], executions: [unread])
        let never = try #require(SagaBoard(snapshot: snapshot, settings: settings, now: Self.t0.addingTimeInterval(4000)).sagas.first)
        #expect(never.status == .running)
        #expect(never.historyNote(now: Self.t0.addingTimeInterval(4000))?.hasPrefix("history not read yet") == true)
    }

    @Test func aVerdictHoldsUntilTheNextDeadline() {
        let entered = Self.t0
        let inputs = StuckRules.Inputs(entered: entered, stateLastEvent: entered, waitingForWorker: false, lastEvent: entered,
                                       timeoutSeconds: 600, heartbeatSeconds: 60, recent: nil)
        let early = StuckRules.judge(inputs, settings: SagaSettings(silence: 300), now: entered.addingTimeInterval(10))
        #expect(early.reasons.isEmpty)
        #expect(early.until == entered.addingTimeInterval(60))  // the heartbeat is the first to fire
        let late = StuckRules.judge(inputs, settings: SagaSettings(silence: 300), now: entered.addingTimeInterval(61))
        #expect(late.reasons.map(\.rule) == [.heartbeat])
        #expect(late.until == entered.addingTimeInterval(300))  // then the silence
        #expect(StuckRules.judge(inputs, settings: SagaSettings(silence: 300), now: entered.addingTimeInterval(601)).until == .distantFuture)
    }

    @Test func compensatingComesFromTheDefinition() throws {
        var execution = Self.inCharge()
        execution.timeline += [
            Self.event(5, "ActivityFailed", at: 3, ["error": "Declined", "cause": "card"]),
            Self.event(6, "TaskStateExited", at: 3, ["name": "Charge"]),
            Self.event(7, "TaskStateEntered", at: 3, ["name": "Refund"]),
        ]
        let saga = try #require(Self.board([execution], at: 4).sagas.first)
        #expect(saga.status == .compensating)
        #expect(saga.spans.spans.map(\.outcome) == [.failed, .running])
        #expect(saga.spans.spans.first?.error == "Declined")
    }

    @Test func businessKeysFromConfiguredPaths() throws {
        let settings = SagaSettings()
        #expect(SagaAnalysis.key(#"{"detail":{"orderId":"d-7"}}"#, clipped: nil, paths: settings).0 == "d-7")
        #expect(SagaAnalysis.key(#"{"order":{"orderId":42}}"#, clipped: nil, paths: settings).0 == "42")
        #expect(SagaAnalysis.key("not json", clipped: nil, paths: settings).1 == "input is not JSON")
        #expect(SagaAnalysis.key(#"{"id":1}"#, clipped: nil, paths: settings).1 == "no key at $.orderId, $.detail.orderId, $.order.orderId")
        #expect(SagaAnalysis.key("{", clipped: 262_144, paths: settings).1 == "input is 256 KB; only the first 32 KB is held")
        let custom = SagaSettings(keyPaths: try SagaSettings.keyPaths(["$.customer.id"]))
        #expect(SagaAnalysis.key(#"{"customer":{"id":"c-1"}}"#, clipped: nil, paths: custom).0 == "c-1")
        #expect(throws: JSONPathError.self) { try SagaSettings.keyPaths(["orderId"]) }
    }

    @Test func retriesAreAttemptsAfterTheFirst() throws {
        var execution = Self.inCharge()
        execution.timeline += [
            Self.event(5, "ActivityFailed", at: 3, ["error": "Busy"]),
            Self.event(6, "ActivityScheduled", at: 4, ["resource": "arn:aws:states:us-east-1:000000000000:activity:charge"]),
            Self.event(7, "ActivityStarted", at: 4.5),
        ]
        let span = try #require(SagaSpans(timeline: execution.timeline).current)
        #expect(span.retries == [Self.t0.addingTimeInterval(4)])
        #expect(span.outcome == .running)
        #expect(span.error == nil)
    }
}

/// A history that cannot be the execution's (moto's canned one) is not drawn or judged.
@Suite struct HistoryContradictionTests {
    @Test func aHistoryDatedBeforeTheExecutionIsNotShownNorJudged() throws {
        let t0 = StuckRuleTests.t0
        let canned = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01, as moto writes it
        let execution = Provider.Execution(name: "m1", arn: "arn:aws:states:us-east-1:123456789012:execution:m:m1", stateMachineName: "m",
                                           status: .running, startDate: t0, timeline: [
                                               TimelineEntry(id: 1, type: "ExecutionStarted", timestamp: canned, details: ["input": "{}"]),
                                               TimelineEntry(id: 2, type: "PassStateEntered", timestamp: canned.addingTimeInterval(10), stateName: "A State"),
                                           ])
        let saga = try #require(StuckRuleTests.board([execution], at: 3600).sagas.first)
        #expect(saga.historyProblem?.hasPrefix("the endpoint's history is dated 2020-01-01 00:00:00 UTC, before the execution started") == true)
        #expect(saga.status == .running)  // as ListExecutions says; not STUCK by a history that is not its own
        #expect(saga.stuck.isEmpty)
        #expect(saga.spans.spans.isEmpty)
        #expect(saga.currentState == nil)
    }

    @Test func statesTheDefinitionDoesNotHaveAreAContradiction() throws {
        // Its own name: the views keep judgements per execution and history (Step Functions
        // never rewrites an event), so a test must not reuse an ARN with a different history.
        var execution = StuckRuleTests.inCharge(name: "contradicting")
        execution.timeline[1].stateName = "A State"
        let saga = try #require(StuckRuleTests.board([execution], at: 5).sagas.first)
        #expect(saga.historyProblem == "the endpoint's history enters state \"A State\", which the definition does not have: it is not shown")
    }
}
