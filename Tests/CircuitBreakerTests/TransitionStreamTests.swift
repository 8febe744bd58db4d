import CircuitBreaker
import Testing
import Timekeeping

@Suite struct TransitionStreamTests {
    @Test func streamsEveryTransitionInOrderToEverySubscriber() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 2), minimumNumberOfCalls: 2,
                                            waitDurationInOpen: .seconds(10), permittedCallsInHalfOpen: 1),
                                      clock: clock)
        let first = breaker.transitions()
        let second = breaker.transitions()
        try breaker.fail(2)                 // closed → open
        clock.advance(by: .seconds(10))
        try breaker.fail(1)                 // open → half-open → open
        clock.advance(by: .seconds(10))
        try breaker.succeed(1)              // open → half-open → closed
        breaker.apply(.forceOpen(by: "alice", reason: "incident 7"))
        breaker.apply(.automatic(by: "alice", reason: "done"))
        let expected: [(BreakerState, BreakerState)] = [
            (.closed, .open), (.open, .halfOpen), (.halfOpen, .open), (.open, .halfOpen),
            (.halfOpen, .closed), (.closed, .forcedOpen), (.forcedOpen, .closed),
        ]
        for stream in [first, second] {
            var seen: [BreakerTransition] = []
            for await transition in stream {
                seen.append(transition)
                if seen.count == expected.count { break }
            }
            #expect(seen.map(\.from) == expected.map(\.0))
            #expect(seen.map(\.to) == expected.map(\.1))
            #expect(seen.map(\.at) == seen.map(\.at).sorted())
            #expect(seen.last?.reason == "returned to automatic by alice: done")
        }
    }

    @Test func streamEndsWhenTheBreakerGoesAway() async throws {
        var breaker: CircuitBreaker? = try makeBreaker(.init(), clock: ManualClock())
        let stream = try #require(breaker).transitions()
        breaker?.apply(.forceOpen(by: "a", reason: ""))
        breaker = nil
        var count = 0
        for await _ in stream { count += 1 }
        #expect(count == 1)
    }

    @Test func slowSubscriberKeepsTheNewest() async throws {
        let breaker = try makeBreaker(.init(), clock: ManualClock())
        let stream = breaker.transitions(bufferLimit: 2)
        for index in 0..<5 {
            breaker.apply(index.isMultiple(of: 2) ? .forceOpen(by: "op\(index)", reason: "")
                                                  : .forceClosed(by: "op\(index)", reason: ""))
        }
        var reasons: [String] = []
        for await transition in stream {
            reasons.append(transition.reason)
            if reasons.count == 2 { break }
        }
        #expect(reasons == ["forced closed by op3", "forced open by op4"])
    }
}
