import CircuitBreaker
import Testing
import Timekeeping

@Suite struct ClosedStateTests {
    let clock = ManualClock()

    @Test func opensWhenFailureRateReachesThresholdExactly() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 10), minimumNumberOfCalls: 10,
                                            failureRateThreshold: 50), clock: clock)
        try breaker.succeed(5)
        try breaker.fail(4)
        #expect(breaker.state == .closed)  // 9 calls: below the minimum
        try breaker.fail(1)                // 5 of 10 = 50% ≥ 50%
        #expect(breaker.state == .open)
        let transition = try #require(breaker.snapshot().lastTransition)
        #expect(transition.from == .closed && transition.to == .open)
        #expect(transition.reason == "failure rate 50% ≥ 50% over 10 calls")
    }

    @Test func staysClosedJustBelowThreshold() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 10), minimumNumberOfCalls: 10,
                                            failureRateThreshold: 50), clock: clock)
        try breaker.succeed(6)
        try breaker.fail(4)  // 40% < 50%
        #expect(breaker.state == .closed)
        try breaker.succeed(1)  // evicts a success: still 4 failures of 10
        try breaker.fail(1)     // evicts a success: 5 of 10
        #expect(breaker.state == .open)
    }

    @Test func minimumNumberOfCallsHoldsBackEvenTotalFailure() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 100), minimumNumberOfCalls: 20,
                                            failureRateThreshold: 50), clock: clock)
        try breaker.fail(19)
        #expect(breaker.state == .closed)
        let snapshot = breaker.snapshot()
        #expect(snapshot.window.belowMinimumCalls)
        #expect(snapshot.window.failureRate == 100)
        try breaker.fail(1)
        #expect(breaker.state == .open)
        #expect(breaker.snapshot().lastTransition?.reason == "failure rate 100% ≥ 50% over 20 calls")
    }

    @Test func minimumIsCappedByCountWindowSize() throws {
        // resilience4j: a count window of 5 cannot hold 100 calls; it decides after 5.
        let configuration = BreakerConfiguration(slidingWindow: .count(size: 5), minimumNumberOfCalls: 100)
        #expect(configuration.effectiveMinimumNumberOfCalls == 5)
        let breaker = try makeBreaker(configuration, clock: clock)
        try breaker.fail(4)
        #expect(breaker.state == .closed)
        try breaker.fail(1)
        #expect(breaker.state == .open)
    }

    @Test func slowCallRateOpensTheBreaker() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 10), minimumNumberOfCalls: 10,
                                            failureRateThreshold: 50, slowCallRateThreshold: 30,
                                            slowCallDurationThreshold: .seconds(2)), clock: clock)
        try breaker.succeed(7, taking: .milliseconds(100))
        try breaker.succeed(2, taking: .seconds(3))
        #expect(breaker.state == .closed)
        // Exactly the threshold is not slow (strictly longer is).
        try breaker.succeed(1, taking: .seconds(2))
        #expect(breaker.state == .closed)
        #expect(breaker.snapshot().window.slowCalls == 2)
        try breaker.succeed(1, taking: .milliseconds(2001))  // 3 slow of 10 = 30%
        #expect(breaker.state == .open)
        #expect(breaker.snapshot().lastTransition?.reason
            == "slow-call rate 30% ≥ 30% over 10 calls (slower than 2 s)")
    }

    @Test func slowFailuresCountTowardBothRates() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 4), minimumNumberOfCalls: 4,
                                            failureRateThreshold: 100, slowCallRateThreshold: 50,
                                            slowCallDurationThreshold: .seconds(1)), clock: clock)
        try breaker.succeed(2)
        try breaker.fail(1, taking: .seconds(5))
        let window = breaker.snapshot().window
        #expect(window.failures == 1 && window.slowCalls == 1)
        try breaker.fail(1, taking: .seconds(5))
        #expect(breaker.state == .open)
        #expect(breaker.snapshot().lastTransition?.reason.hasPrefix("slow-call rate 50% ≥ 50%") == true)
    }

    @Test func fractionalRatesAreReportedToOneDecimal() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 3), minimumNumberOfCalls: 3,
                                            failureRateThreshold: 66), clock: clock)
        try breaker.succeed(1)
        try breaker.fail(2)
        #expect(breaker.snapshot().lastTransition?.reason == "failure rate 66.7% ≥ 66% over 3 calls")
    }
}
