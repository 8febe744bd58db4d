import Foundation
import JSON
@testable import Provider
import Testing
import Timekeeping

/// What one poll reads on a large account: queues on screen, moving ones and a few in turn;
/// rule targets on a listing change or by the sweep; each part spaced by its budget share.
@Suite("Polling within a budget")
struct PollingCostTests {
    static func queue(_ index: Int, visible: Int = 0) -> Queue {
        Queue(name: "q\(index)", url: "http://sqs/q\(index)", arn: "arn:aws:sqs:us-east-1:0:q\(index)", visibleMessages: visible)
    }

    let start = MonotonicInstant(nanosecondsSinceOrigin: 0)

    @Test("the first poll lists and reads every queue; later ones read the queues on screen and a few others, oldest first")
    func queuesOnScreenFirst() {
        var freshness = QueueFreshness()
        let first = freshness.request(queues: [], onScreen: [], at: start)
        #expect(first.list && first.read.isEmpty && first.known.isEmpty)
        let held = (0..<300).map { Self.queue($0) }
        #expect(freshness.record(QueueReads(listed: held.map(\.url), queues: held, gone: []), held: [], at: start) == 300)

        let later = start + .seconds(5)
        let request = freshness.request(queues: held, onScreen: [held[42].arn, held[7].arn], at: later)
        #expect(!request.list, "listed 5 s ago")
        // The two on screen, then three of the others (one per hundred queues), oldest read first.
        #expect(request.read.count == 5)
        #expect(Array(request.read.prefix(2)) == [held[42].url, held[7].url])
        #expect(!request.read.dropFirst(2).contains(held[42].url))

        // Rotation: what was read last goes to the back of the line.
        let rotated = Array(request.read.dropFirst(2))
        let reads = held.filter { request.read.contains($0.url) }
        #expect(freshness.record(QueueReads(listed: nil, queues: reads, gone: []), held: held, at: later) == 0)
        let next = freshness.request(queues: held, onScreen: [], at: later + .seconds(5))
        #expect(Set(next.read).isDisjoint(with: rotated))
        #expect(next.read.count == 3)
        #expect(freshness.request(queues: held, onScreen: [], at: start + QueueFreshness.listingInterval).list)
    }

    @Test("a queue whose counts moved is read at every poll until they stop; a gone queue is dropped")
    func movingQueues() {
        var freshness = QueueFreshness()
        let held = (0..<3).map { Self.queue($0) }
        _ = freshness.record(QueueReads(listed: held.map(\.url), queues: held, gone: []), held: [], at: start)
        var busy = held[1]
        busy.visibleMessages = 12
        _ = freshness.record(QueueReads(listed: nil, queues: [busy], gone: []), held: held, at: start + .seconds(1))
        #expect(freshness.moving == [busy.url])
        let now = [held[0], busy, held[2]]
        #expect(freshness.request(queues: now, onScreen: [], at: start + .seconds(2)).read.first == busy.url)
        _ = freshness.record(QueueReads(listed: nil, queues: [busy], gone: []), held: now, at: start + .seconds(2))
        #expect(freshness.moving.isEmpty, "read again with the same counts: it stopped moving")

        let merged = QueueFreshness.merge(QueueReads(listed: [held[0].url, busy.url], queues: [], gone: []), into: now)
        #expect(merged.map(\.name) == ["q0", "q1"])
        #expect(merged[1].visibleMessages == 12, "a queue not read keeps its last reading")
    }

    @Test("targets are read for a new rule or a changed listing, and a rule read over a minute ago is swept")
    func ruleTargets() {
        var freshness = RuleTargetsFreshness()
        let rules = (0..<100).map { Rule(name: "r\($0)", arn: "arn:r\($0)", targets: [RuleTarget(id: "t", arn: "arn:q\($0)")]) }
        let listings = Dictionary(uniqueKeysWithValues: rules.map { ($0.arn, JSONValue.object(["Name": .string($0.name), "State": "ENABLED"])) })
        let firstReads = freshness.record(EventBridgeListing(buses: [], rules: rules, listings: listings, targetsRead: Set(listings.keys)),
                                          at: start)
        #expect(firstReads == 100)
        let soon = freshness.request(at: start + .seconds(10))
        #expect(soon.held.count == 100 && soon.due.isEmpty, "nothing to sweep within the minute")
        #expect(soon.held["arn:r3"]?.listing == listings["arn:r3"])
        let late = freshness.request(at: start + .seconds(61))
        #expect(late.due.count == 2, "one rule per fifty rules a poll")
    }

    @Test("a part is spaced by what its last poll cost against its share of the budget; refresh stays a floor")
    func budgetSpacing() {
        var schedule = PollSchedule(refresh: .seconds(1), unwatchedFactor: 10)
        schedule.space(.queues, [(9, 4.5 * PollPart.queues.budgetShare)])
        #expect(schedule.spacing(of: .queues) == .seconds(5))
        #expect(schedule.interval(of: .queues) == .seconds(5))
        schedule.space(.queues, [(1, 4.5 * PollPart.queues.budgetShare)])
        #expect(schedule.interval(of: .queues) == .seconds(1), "a cheap poll: the refresh interval")
        schedule.space(.executions, [(3, 1.35), (10, 2.5)])
        #expect(schedule.spacing(of: .executions) == .seconds(4), "the strictest limit wins")
        #expect(abs(PollPart.allCases.map(\.budgetShare).reduce(0, +) - PollPart.stateMachines.budgetShare - 1) < 1e-9)
    }

    @Test("over ten minutes of polling, each part's calls stay within its share of the budget, histories included")
    func coreKeepsTheBudget() throws {
        var driver = CoreDriver()
        driver.partCalls = [.queues: 9, .eventBridge: 3, .stateMachines: 1, .executions: 3, .registry: 1, .breakers: 1]
        driver.executions = (0..<30).map { index in
            Execution(name: "o-\(index)", arn: "arn:aws:states:us-east-1:0:execution:order-saga:o-\(index)",
                      stateMachineName: "order-saga", status: .running, startDate: Date(timeIntervalSince1970: 1))
        }
        driver.start()
        let end = driver.now.instant + .seconds(600)
        var calls: [PollPart: Int] = [:]
        var stepFunctions = 0
        while driver.now.instant < end {
            let poll = try driver.takePoll()
            for part in poll.parts { calls[part, default: 0] += driver.partCalls[part] ?? 0 }
            if poll.parts.contains(.executions) || poll.parts.contains(.stateMachines) {
                stepFunctions += poll.parts.contains(.executions) ? 3 : 1
            }
            let fetchesBefore = driver.historyFetches.count
            driver.answer(poll, .everything)
            if driver.historyFetches.count > fetchesBefore, let plan = driver.historyFetches.last {
                stepFunctions += plan.count
                driver.send(.historiesFetched(.success([]), statuses: [:]))
            }
            driver.advanceToNextPoll()
        }
        let budget = StackProviderOptions().pollingBudget
        for part in [PollPart.queues, .eventBridge, .registry, .breakers] {
            let allowed = budget * part.budgetShare * 600 + Double(driver.partCalls[part] ?? 0)
            #expect(Double(calls[part] ?? 0) <= allowed, "\(part): \(calls[part] ?? 0) calls in 10 min, \(allowed) allowed")
        }
        let allowed = budget * PollPart.executions.budgetShare * 600 + 13
        #expect(Double(stepFunctions) <= allowed, "Step Functions: \(stepFunctions) calls with the histories, \(allowed) allowed")
        #expect(stepFunctions > 400, "the budget is used, not starved: \(stepFunctions)")
    }
}
