import Foundation
import JSON
@testable import Provider
import StackClient
import StackProtocol
import Testing
import Timekeeping

/// The provider's decisions as values, driven through injected time: no stack, no sleeping.
/// `CoreDriver` plays the actor's part — it keeps the timers the core asks for and fires them
/// as the test moves a `ManualClock` — and the test plays the network by answering poll requests.
@Suite("ProviderCore with an injected clock")
struct ProviderCoreTests {
    /// A change is published within it: at once after a quiet spell, else at the next
    /// publishing point, at most a second away (`PublishGate`).
    static let publishGap: Duration = .seconds(1)
    /// Long enough for a change to be published, however recent the last snapshot.
    static let settle = publishGap + .milliseconds(50)
    /// Long enough without a snapshot that the next change is published at once.
    static let quietSpell = PublishGate().quietSpell * 2

    @Test("connecting, not connected with the reason, connected, degraded naming the API, disconnected keeping the data")
    func connectionStates() throws {
        var driver = CoreDriver()
        driver.start()
        #expect(driver.published.last?.connection == .connecting)
        let first = try driver.takePoll()
        #expect(first.parts == Set(PollPart.allCases))
        #expect(first.probe)

        // Nothing answers: not connected, naming the endpoint and the transport's reason.
        driver.answer(first, .unreachable)
        driver.advance(by: .seconds(1))
        guard case .notConnected(let reason) = driver.latest.connection else {
            Issue.record("expected not connected, got \(driver.latest.connection)")
            return
        }
        #expect(reason == "no answer from http://127.0.0.1:4599 (connection refused); retrying")

        // Everything answers: connected since that moment.
        let second = try driver.takePoll()
        let answeredAt = driver.now.date
        driver.answer(second, .everything)
        driver.advance(by: Self.publishGap)
        #expect(driver.latest.connection == .connected(since: answeredAt))
        #expect(driver.latest.queues.map(\.name) == ["orders"])

        // One API answers with an error: degraded, naming it; the rest carries on.
        driver.advance(by: .seconds(1))
        let third = try driver.takePoll()
        driver.answer(third, .everything(except: .queues))
        driver.advance(by: Self.publishGap)
        guard case .degraded(let why, _) = driver.latest.connection else {
            Issue.record("expected degraded, got \(driver.latest.connection)")
            return
        }
        #expect(why == "SQS ListQueues: unexpected answer: not JSON")
        #expect(driver.latest.queues.map(\.name) == ["orders"], "the last queues seen stay")

        // The live stream goes down: degraded names it while polling carries on (published at
        // once after a quiet spell: a later snapshot would find the stream reopening).
        driver.advance(by: .seconds(1))
        let fourth = try driver.takePoll()
        driver.answer(fourth, .everything)
        driver.advance(by: Self.quietSpell)
        driver.send(.streamEnded(reason: "connection reset"))
        #expect(driver.latest.connection.detail == "live stream down (connection reset); polling every 1s")

        // The endpoint stops answering: disconnected, with the last answer's time; data kept.
        driver.advance(by: .seconds(1))
        let lastAnswer = driver.lastAnswer
        let fifth = try driver.takePoll()
        driver.answer(fifth, .unreachable)
        driver.advance(by: Self.publishGap)
        #expect(driver.latest.connection == .disconnected(
            reason: "http://127.0.0.1:4599 stopped answering (connection refused); retrying", lastSeen: lastAnswer))
        #expect(driver.latest.queues.map(\.name) == ["orders"])
        #expect(driver.latest.rules.map(\.name) == ["to-orders"])
    }

    @Test("with nothing answering, polls back off from the refresh interval to every 5 s, and return to it on an answer")
    func pollBackoff() throws {
        var driver = CoreDriver()
        driver.start()
        var gaps: [Duration] = []
        var previous = driver.now.instant
        for round in 0..<7 {
            let poll = try driver.takePoll()
            if round > 0 {
                gaps.append(driver.now.instant - previous)
                #expect(poll.parts == Set(PollPart.allCases), "every part, since any answer counts")
            }
            previous = driver.now.instant
            driver.answer(poll, .unreachable)
            driver.advanceToNextPoll()
        }
        #expect(gaps == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5), .seconds(5)])
        let poll = try driver.takePoll()
        driver.answer(poll, .everything)
        let before = driver.now.instant
        driver.advanceToNextPoll()
        #expect(driver.now.instant - before == .seconds(1))
    }

    @Test("the live stream is reopened with backoff from 0.5 s to 15 s, reset once it subscribes")
    func streamBackoff() throws {
        var driver = CoreDriver()
        driver.start()
        let poll = try driver.takePoll()
        driver.answer(poll, .everything)
        #expect(driver.streamOpenings == 1)
        var delays: [Duration] = []
        for _ in 0..<7 {
            let delay = driver.endStream("refused")
            delays.append(try #require(delay))
        }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(15), .seconds(15)])
        #expect(driver.streamOpenings == 8)
        driver.send(.frame(try StreamFrameCodec.decode(["v": 1, "type": "subscribed", "topics": ["events"], "filtered": false, "buffer": 4096] as JSONValue)))
        #expect(driver.core.connection.stream == .up)
        let delay = driver.endStream("closed")
        #expect(delay == .milliseconds(500))
    }

    @Test("a burst of stream frames reaches subscribers as one snapshot a second, just before the wall clock's second turns, the last one complete")
    func coalescing() throws {
        var driver = CoreDriver()
        driver.start()
        let poll = try driver.takePoll()
        driver.answer(poll, .everything)
        driver.advance(by: Self.quietSpell)
        let before = driver.published.count
        let burstStart = driver.now.instant
        // 2,000 events over two seconds, one a millisecond.
        for index in 0..<2000 {
            driver.send(.frame(try CoreDriver.eventFrame(id: "e\(index)")))
            driver.advance(by: .milliseconds(1))
        }
        driver.advance(by: Self.settle)
        let times = driver.publishedAt[before...].map { $0 - burstStart }
        // The first at once (a quiet spell before it), then one a second until the last event
        // is out: three or four for 2 s of events, as the burst falls against the seconds.
        #expect(times.count >= 3 && times.count <= 4, "\(times.count) snapshots for 2 s of events")
        #expect(times.first == .zero, "the burst's first event is published at once")
        // Each one after the first at the publishing point: `lead` before a whole second of
        // the wall clock (the driver's clock starts on a whole second).
        let point = Int(((.seconds(1) - PublishGate().lead) / .milliseconds(1)).rounded())
        for time in times.dropFirst() {
            let sinceStart = burstStart + time - MonotonicInstant(nanosecondsSinceOrigin: 0)
            let intoSecond = Int((sinceStart / .milliseconds(1)).rounded()) % 1000
            #expect(intoSecond == point, "published \(intoSecond) ms into a second")
        }
        for (earlier, later) in zip(times.dropFirst(), times.dropFirst(2)) {
            #expect(later - earlier == .seconds(1), "snapshots \(earlier) and \(later) not a second apart")
        }
        #expect(driver.latest.recentEvents.last?.id == "e1999", "nothing is left unpublished")
    }

    @Test("a quiet provider publishes a change at once")
    func firstChangePublishesImmediately() throws {
        var driver = CoreDriver()
        driver.start()
        let poll = try driver.takePoll()
        driver.answer(poll, .everything)
        driver.advance(by: .seconds(2))
        let count = driver.published.count
        driver.send(.frame(try CoreDriver.eventFrame(id: "only")))
        #expect(driver.published.count == count + 1)
        #expect(driver.latest.recentEvents.last?.id == "only")
    }

    @Test("a batch of stream frames is applied whole and published as one snapshot holding all of it")
    func batchOfFrames() throws {
        var driver = CoreDriver()
        driver.start()
        let poll = try driver.takePoll()
        driver.answer(poll, .everything)
        driver.advance(by: .seconds(2))
        let count = driver.published.count
        driver.send(.frames(try (0..<500).map { try CoreDriver.eventFrame(id: "b\($0)") }))
        #expect(driver.published.count == count + 1)
        #expect(driver.latest.recentEvents.map(\.id) == (0..<500).map { "b\($0)" })
        // The next batch within the gap waits for the gate, then is published whole.
        driver.send(.frames(try (500..<600).map { try CoreDriver.eventFrame(id: "b\($0)") }))
        #expect(driver.published.count == count + 1)
        driver.advance(by: Self.settle)
        #expect(driver.published.count == count + 2)
        #expect(driver.latest.recentEvents.count == 600)
    }

    @Test("a poll that learns nothing new publishes nothing; one that does publishes at once")
    func unchangedPollsAreNotPublished() throws {
        var driver = CoreDriver()
        driver.start()
        driver.answer(try driver.takePoll(), .everything)
        driver.advance(by: Self.settle)
        let count = driver.published.count
        for _ in 0..<5 {
            driver.advanceToNextPoll()
            driver.answer(try driver.takePoll(), .everything)
        }
        driver.advance(by: Self.settle)
        #expect(driver.published.count == count, "five polls with the same answers redraw nothing")
        driver.advanceToNextPoll()
        driver.answer(try driver.takePoll(), .everything(except: .queues))
        driver.advance(by: Self.settle)
        #expect(driver.published.count == count + 1)
        #expect(driver.latest.connection.label == "degraded")
    }

    @Test("the first listing is whole once every API has answered and every state machine's definition is held")
    func discovery() throws {
        var driver = CoreDriver()
        driver.machines = [StateMachine(name: "orders", arn: "m:orders")]
        driver.start()
        #expect(driver.latest.discovered == false, "nothing has answered yet")
        driver.answer(try driver.takePoll(), .everything)
        driver.advance(by: Self.publishGap)
        #expect(driver.latest.queues.count == 1 && driver.latest.stateMachines.count == 1)
        #expect(driver.latest.discovered == false, "the machine's definition is still to come")
        driver.machines = [StateMachine(name: "orders", arn: "m:orders", definition: #"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#)]
        driver.advanceToNextPoll()
        driver.answer(try driver.takePoll(), .everything)
        driver.advance(by: Self.publishGap)
        #expect(driver.latest.discovered)
    }

    @Test("a queue read again with the same counts is no news, unless the counts held were stale and shown with their age")
    func queueReadTimes() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func snapshot(readSecondsAgo: TimeInterval) -> SystemSnapshot {
            SystemSnapshot(queues: [Queue(name: "orders", url: "u", arn: "a", countsReadAt: now.addingTimeInterval(-readSecondsAgo))])
        }
        func shown(_ secondsAgo: TimeInterval) -> SystemSnapshot { ProviderCore.readTimesShown(snapshot(readSecondsAgo: secondsAgo), at: now) }
        #expect(shown(1) == shown(9))
        #expect(shown(1) != shown(20))
        #expect(snapshot(readSecondsAgo: 20).queues[0].staleCountsAge(at: now) == 20)
        #expect(snapshot(readSecondsAgo: 9).queues[0].staleCountsAge(at: now) == nil)
    }

    @Test("while the live stream is up, running executions' histories come from frames, not from polls")
    func historiesFromTheStream() throws {
        var driver = CoreDriver()
        driver.start()
        let execution = Execution(name: "o-1", arn: "arn:aws:states:us-east-1:0:execution:order-saga:o-1",
                                  stateMachineName: "order-saga", status: .running, startDate: Date(timeIntervalSince1970: 1))
        driver.executions = [execution]
        driver.answer(try driver.takePoll(), .everything)
        #expect(driver.historyFetches.last?.map(\.arn) == [execution.arn], "never fetched: fetched once")
        driver.send(.historiesFetched(.success([(execution.arn, [["id": 1, "type": "ExecutionStarted", "timestamp": 1]])]),
                                      statuses: [execution.arn: .running]))
        driver.send(.frame(.subscribed(StreamSubscribed(topics: StreamTopic.all, filtered: false, buffer: 16))))
        let fetches = driver.historyFetches.count
        for _ in 0..<3 {
            driver.advanceToNextPoll()
            driver.answer(try driver.takePoll(), .everything)
        }
        #expect(driver.historyFetches.count == fetches, "running, held and the stream up: no history polling")
        let frame = StreamFrame.published(.history(ExecutionHistoryEvent(
            execution: ExecutionIdentity(executionArn: execution.arn, stateMachineArn: "arn:aws:states:us-east-1:0:stateMachine:order-saga",
                                         name: "o-1"),
            status: "RUNNING", event: ["id": 2, "type": "TaskStateEntered", "timestamp": 2,
                                       "stateEnteredEventDetails": ["name": "ReserveInventory"]])), sequence: 1)
        driver.send(.frame(frame))
        driver.advance(by: Self.settle)
        #expect(driver.latest.executions.first?.currentState == "ReserveInventory")
        #expect(driver.refreshes == 0, "the frame followed the history held: nothing re-read")
    }

    @Test("listing every running execution is spaced by what it costs, within half of AWS's ListExecutions quota; histories are still read each round")
    func listingSpacedByItsCost() throws {
        // The polling budget left out (PollingCostTests covers it): only the listing's quota spaces.
        var driver = CoreDriver(options: StackProviderOptions(refreshInterval: .seconds(1), pollingBudget: 1_000))
        driver.core.watch([.sagas])
        driver.listExecutionsCalls = 11  // 10,000 running: ten pages of 1,000, and the recent ones
        driver.executions = (0..<30).map { index in
            Execution(name: "o-\(index)", arn: "arn:aws:states:us-east-1:0:execution:order-saga:o-\(index)",
                      stateMachineName: "order-saga", status: .running, startDate: Date(timeIntervalSince1970: 1))
        }
        driver.start()
        driver.answer(try driver.takePoll(), .everything)
        var listedAt: [Duration] = []
        let start = driver.now.instant
        var rounds = 0
        for _ in 0..<12 {
            driver.send(.historiesFetched(.success([]), statuses: [:]))  // the round ends with its histories
            driver.advanceToNextPoll()
            let poll = try driver.takePoll()
            if poll.parts.contains(.executions) { listedAt.append(driver.now.instant - start) }
            #expect(poll.parts.contains(.stateMachines), "the machines (and the histories after them) every round")
            driver.answer(poll, .everything)
            rounds += 1
        }
        // 11 calls at 2.5 a second: at most one listing every 4.4 s, so at most 150 a minute.
        #expect(!listedAt.isEmpty)
        for (a, b) in zip([.zero] + listedAt, listedAt) { #expect(b - a >= .milliseconds(4400), "\(listedAt)") }
        #expect(driver.historyFetches.count >= rounds, "histories planned every round, listed or not")
    }

    @Test("parts no pane on screen shows are polled ten times less often; a newly shown one at the next tick")
    func perSectionPolling() throws {
        var driver = CoreDriver()
        driver.core.watch([.queues])
        driver.start()
        let poll = try driver.takePoll()
        driver.answer(poll, .everything)
        var polled: [Set<PollPart>] = []
        for _ in 0..<10 {
            driver.advanceToNextPoll()
            let poll = try driver.takePoll()
            polled.append(poll.parts)
            driver.answer(poll, .everything)
        }
        #expect(polled.prefix(9).allSatisfy { $0 == [.queues] }, "\(polled)")
        #expect(polled[9] == Set(PollPart.allCases), "the unwatched parts come round after ten intervals")

        driver.core.watch([.sagas, .breakers])
        driver.advanceToNextPoll()
        let next = try driver.takePoll()
        #expect(next.parts == [.stateMachines, .executions, .breakers])
    }

    @Test("while the live stream is up, what it carries (queues, executions, breakers) is polled every 5 s; a queue it counts that is not listed is listed at once")
    func streamedPartsPolledLess() throws {
        var driver = CoreDriver()
        driver.start()
        driver.answer(try driver.takePoll(), .everything)
        driver.send(.frame(.subscribed(StreamSubscribed(topics: StreamTopic.all, filtered: false, buffer: 16))))
        let start = driver.now.instant
        var rounds: [(at: Duration, parts: Set<PollPart>)] = []
        for _ in 0..<12 {
            driver.advanceToNextPoll()
            let poll = try driver.takePoll()
            rounds.append((driver.now.instant - start, poll.parts))
            driver.answer(poll, .everything)
        }
        #expect(rounds.allSatisfy { $0.parts.contains(.eventBridge) && $0.parts.contains(.registry) }, "not carried: every round")
        let queuePolls = rounds.filter { $0.parts.contains(.queues) }.map(\.at)
        #expect(queuePolls.count >= 2)
        for (a, b) in zip(queuePolls, queuePolls.dropFirst()) { #expect(b - a >= PollSchedule.streamedCheck, "\(queuePolls)") }

        // The stream counts a queue created since the last poll: listed at once.
        driver.send(.frame(try StreamFrameCodec.decode(["v": 1, "type": "queue-stats", "topic": "queues", "seq": 1, "data": ["queues": [
            ["name": "orders", "visible": 3, "inFlight": 0, "delayed": 0],
            ["name": "new-queue", "visible": 0, "inFlight": 0, "delayed": 0],
        ]]] as JSONValue)))
        let listing = try driver.takePoll()
        #expect(listing.parts == [.queues])
        driver.advance(by: Self.publishGap)
        #expect(driver.latest.queues.first?.visibleMessages == 3, "the listed queue's counts are applied meanwhile")

        // The stream ends: back to every interval.
        driver.answer(listing, .everything)
        driver.send(.streamEnded(reason: "closed"))
        driver.advanceToNextPoll()
        #expect(try driver.takePoll().parts.contains(.queues))
    }

    @Test("a breaker override's answer updates the breaker without polling; a purge polls SQS only")
    func actionAnswers() throws {
        // Polls far apart: the action's answer comes between two snapshots' gaps, not at a poll.
        var driver = CoreDriver(options: StackProviderOptions(refreshInterval: .seconds(5)))
        driver.start()
        let poll = try driver.takePoll()
        driver.answer(poll, .everything)
        // The listing's snapshot, and the one its follow-ups wait a gap for, both behind it.
        driver.advance(by: Self.publishGap * 2)
        let entry: JSONValue = ["breaker": StackProviderTests.breakerSnapshot(state: "forced-open", rate: 55, override: true),
                                "reportedAt": 1800000012.5, "stale": false,
                                "override": ["mode": "force-open", "reason": "incident 9", "actor": "alice", "at": 1800000000]]
        driver.send(.actionAnswered(breakerEntry: try BreakerBoardEntry(json: entry), changed: []))
        #expect(driver.pollRequests.isEmpty)
        #expect(driver.latest.breakers.first?.state == .forcedOpen)
        #expect(driver.latest.breakers.first?.override?.actor == "alice")

        driver.send(.actionAnswered(breakerEntry: nil, changed: [.queues]))
        let purgePoll = try driver.takePoll()
        #expect(purgePoll.parts == [.queues])
    }

    @Test("an action during a poll round is polled right after it, not alongside")
    func actionDuringRound() throws {
        var driver = CoreDriver()
        driver.start()
        let round = try driver.takePoll()
        driver.send(.actionAnswered(breakerEntry: nil, changed: [.executions]))
        #expect(driver.pollRequests.isEmpty)
        driver.answer(round, .everything)
        let after = try driver.takePoll()
        #expect(after.parts == [.executions])
    }
}

/// Plays the actor around a `ProviderCore`: keeps the timers it asks for and fires them as the
/// test advances the injected clock; records what it publishes and the I/O it asks for.
struct CoreDriver {
    enum Answer {
        case unreachable
        case everything(except: PollPart?)
        static let everything = Answer.everything(except: nil)
    }

    var core: ProviderCore
    let clock = ManualClock()
    var timers: [(due: MonotonicInstant, timer: ProviderCore.Timer)] = []
    var published: [SystemSnapshot] = []
    var publishedAt: [MonotonicInstant] = []
    var pollRequests: [PollRequest] = []
    var streamOpenings = 0
    var lastAnswer: Date?
    /// Executions and state machines the Step Functions answer lists.
    var executions: [Execution] = []
    var machines: [StateMachine] = []
    /// What a listing of `executions` cost in ListExecutions calls.
    var listExecutionsCalls = 1
    var historyFetches: [[(arn: String, after: Int?)]] = []
    var refreshes = 0

    /// Calls each part's answer says it made (none by default: no budget spacing).
    var partCalls: [PollPart: Int] = [:]

    init(options: StackProviderOptions = StackProviderOptions(refreshInterval: .seconds(1))) {
        let endpoint = EndpointDescription(name: "local", url: "http://127.0.0.1:4599")
        core = ProviderCore(endpoint: endpoint, endpointName: "http://127.0.0.1:4599", extensionsPossible: true,
                            options: options, at: Moment(clock))
    }

    var now: Moment { Moment(clock) }

    var latest: SystemSnapshot { published.last ?? SystemSnapshot() }

    mutating func start() { run(core.start(at: now)) }

    mutating func send(_ input: ProviderCore.Input) { run(core.handle(input, at: now)) }

    struct NoPollRequested: Error {}

    /// The oldest poll request not yet answered; throws when there is none.
    mutating func takePoll() throws -> PollRequest {
        guard !pollRequests.isEmpty else { throw NoPollRequested() }
        return pollRequests.removeFirst()
    }

    /// Moves the clock forward, firing every timer that falls due on the way, in order.
    mutating func advance(by duration: Duration) {
        let end = clock.now + duration
        while let next = timers.enumerated().filter({ $0.element.due <= end }).min(by: { $0.element.due < $1.element.due }) {
            timers.remove(at: next.offset)
            clock.advance(by: next.element.due - clock.now)
            send(.timer(next.element.timer))
        }
        clock.advance(by: end - clock.now)
    }

    /// Moves the clock to the next poll request.
    mutating func advanceToNextPoll() {
        while pollRequests.isEmpty, let due = timers.map(\.due).min() {
            advance(by: due - clock.now)
        }
    }

    /// Ends the live stream; returns the delay before it is reopened (then reopens it).
    mutating func endStream(_ reason: String) -> Duration? {
        send(.streamEnded(reason: reason))
        guard let retry = timers.first(where: { $0.timer == .streamRetry }) else { return nil }
        let delay = retry.due - clock.now
        advance(by: delay)
        return delay
    }

    mutating func answer(_ request: PollRequest, _ answer: Answer) {
        var results = PollResults(request: request)
        switch answer {
        case .unreachable:
            let down = APIFailure(api: "EventBridge ListEventBuses", error: .transport("connect: Connection refused (errno 111)"))
            if request.probe { results.probed = nil }
            results.eventBridge = request.parts.contains(.eventBridge) ? .failure(down) : nil
            results.queues = request.parts.contains(.queues) ? .failure(down) : nil
            results.registry = request.parts.contains(.registry) ? .failure(down) : nil
        case .everything(let failing):
            if request.probe { results.probed = true }
            lastAnswer = now.date
            func result<T>(_ part: PollPart, _ value: T, api: String) -> Result<T, APIFailure>? {
                guard request.parts.contains(part) else { return nil }
                return part == failing ? .failure(APIFailure(api: api, error: .badResponse("not JSON"))) : .success(value)
            }
            results.eventBridge = result(.eventBridge, EventBridgeListing(buses: [EventBus(name: "default", arn: "bus:default")],
                                                                          rules: [Rule(name: "to-orders", arn: "r", eventBusName: "default")],
                                                                          listings: ["r": ["Name": "to-orders"]], targetsRead: ["r"]),
                                         api: "EventBridge ListEventBuses")
            results.queues = result(.queues, QueueReads(listed: ["u"], queues: [Queue(name: "orders", url: "u", arn: "arn:aws:sqs:us-east-1:0:orders")],
                                                        gone: []),
                                    api: "SQS ListQueues")
            if request.parts.contains(.stateMachines) || request.parts.contains(.executions) {
                results.stepFunctions = .success((machines: machines, executions: request.parts.contains(.executions) ? executions : nil))
            }
            results.registry = result(.registry, [], api: "Cloud Map ListServices")
            if request.parts.contains(.breakers), (results.probed ?? request.knownExtensions) == true {
                results.breakers = result(.breakers, BreakerBoardListing(breakers: []), api: "breaker board")
            }
        }
        if request.parts.contains(.executions) { results.listExecutionsCalls = listExecutionsCalls }
        results.calls = partCalls.filter { request.parts.contains($0.key) }
        send(.polled(results))
    }

    private mutating func run(_ effects: [ProviderCore.Effect]) {
        for effect in effects {
            switch effect {
            case .publish(let snapshot):
                published.append(snapshot)
                publishedAt.append(clock.now)
            case .startTimer(let timer, let delay):
                timers.append((clock.now + delay, timer))
            case .poll(let request):
                pollRequests.append(request)
            case .openStream:
                streamOpenings += 1
            case .fetchHistories(let plan):
                historyFetches.append(plan)
            case .refreshExecutions:
                refreshes += 1
            case .refreshBoard:
                break
            case .fetchMapRuns:
                break  // no distributed Map in these scenarios
            }
        }
    }

    static func eventFrame(id: String) throws -> StreamFrame {
        try StreamFrameCodec.decode(["v": 1, "type": "event", "topic": "events", "seq": 1, "data": [
            "bus": "default",
            "event": ["id": .string(id), "time": "2026-11-23T05:00:00Z", "source": "s", "detail-type": "T", "detail": [:]],
            "matched": [], "deliveries": [],
        ]] as JSONValue)
    }
}
