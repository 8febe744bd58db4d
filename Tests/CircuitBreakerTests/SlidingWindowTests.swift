import CircuitBreaker
import Testing
import Timekeeping

@Suite struct SlidingWindowTests {
    let clock = ManualClock()

    @Test func countWindowKeepsOnlyTheLastCalls() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 5), minimumNumberOfCalls: 5,
                                            failureRateThreshold: 100), clock: clock)
        try breaker.fail(4)
        try breaker.succeed(1)
        try breaker.fail(4)  // window: S F F F F
        var window = breaker.snapshot().window
        #expect(window.calls == 5 && window.failures == 4 && window.successes == 1)
        try breaker.fail(1)  // the success leaves: F F F F F
        window = breaker.snapshot().window
        #expect(window.failures == 5)
        #expect(breaker.state == .open)
        #expect(breaker.snapshot().totals == BreakerTotals(calls: 10, successes: 1, failures: 9))
    }

    @Test func countWindowDoesNotAgeWithTime() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 5), minimumNumberOfCalls: 5), clock: clock)
        try breaker.fail(2)
        clock.advance(by: .seconds(86_400))
        #expect(breaker.snapshot().window.calls == 2)
    }

    @Test func timeWindowForgetsCallsOlderThanItsSeconds() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .time(seconds: 10), minimumNumberOfCalls: 6,
                                            failureRateThreshold: 50), clock: clock)
        clock.advance(by: .milliseconds(500))  // second 0
        try breaker.fail(3)
        clock.advance(by: .seconds(5))         // second 5
        try breaker.succeed(2)
        clock.advance(by: .milliseconds(4400)) // 9.9 s: second 9, everything still in
        #expect(breaker.snapshot().window.calls == 5)
        clock.advance(by: .milliseconds(100))  // 10.0 s: second 10, second 0 has left
        let window = breaker.snapshot().window
        #expect(window.calls == 2 && window.failures == 0)
        #expect(window.kind == "time" && window.size == 10)
        // The three early failures no longer count: 3 more failures + 2 successes = 60% of 5 < minimum 6.
        try breaker.fail(3)
        #expect(breaker.state == .closed)
        try breaker.fail(1)  // 4 of 6 = 66.7%
        #expect(breaker.state == .open)
        #expect(breaker.snapshot().lastTransition?.reason == "failure rate 66.7% ≥ 50% over 6 calls")
    }

    @Test func timeWindowSurvivesLongSilence() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .time(seconds: 3), minimumNumberOfCalls: 2,
                                            failureRateThreshold: 100), clock: clock)
        try breaker.fail(1)
        clock.advance(by: .seconds(3600))
        #expect(breaker.snapshot().window.calls == 0)
        try breaker.fail(1)
        #expect(breaker.state == .closed)  // one call in the window: below the minimum
        clock.advance(by: .seconds(2))
        try breaker.fail(1)
        #expect(breaker.state == .open)
    }

    @Test func timeWindowAgesBucketByBucket() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .time(seconds: 4), minimumNumberOfCalls: 100), clock: clock)
        for second in 0..<4 {
            try breaker.succeed(second + 1, taking: .milliseconds(1 << second))
            clock.advance(by: .seconds(1))
        }
        // Now at second 4: second 0's single call has left; 2 + 3 + 4 remain.
        var snapshot = breaker.snapshot()
        #expect(snapshot.window.calls == 9)
        #expect(snapshot.latency.samples == 9)
        clock.advance(by: .seconds(2))
        snapshot = breaker.snapshot()
        #expect(snapshot.window.calls == 4)
        #expect(snapshot.latency.samples == 4)
        // The one remaining bucket holds 8 ms calls.
        let p50 = try #require(snapshot.latency.p50)
        #expect(p50 >= .milliseconds(8) && p50 <= .microseconds(9600))
    }

    @Test func halfOpenTrialUsesItsOwnCountWindow() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .time(seconds: 60), minimumNumberOfCalls: 2,
                                            waitDurationInOpen: .seconds(5), permittedCallsInHalfOpen: 4), clock: clock)
        try breaker.fail(2)
        clock.advance(by: .seconds(5))
        try breaker.succeed(1)
        let window = breaker.snapshot().window
        #expect(window.kind == "count" && window.size == 4 && window.minimumCalls == 4 && window.calls == 1)
    }
}
