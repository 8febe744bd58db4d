import CircuitBreaker
import Testing
import Timekeeping

@Suite struct LatencyTests {
    @Test func percentilesFollowTheWindow() throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 100), minimumNumberOfCalls: 100,
                                            slowCallDurationThreshold: .seconds(10)), clock: clock)
        #expect(breaker.snapshot().latency == BreakerLatency(samples: 0, p50: nil, p95: nil, p99: nil))
        try breaker.succeed(90, taking: .milliseconds(10))
        try breaker.succeed(8, taking: .milliseconds(200))
        try breaker.succeed(2, taking: .seconds(3))
        var latency = breaker.snapshot().latency
        #expect(latency.samples == 100)
        func within(_ value: Duration?, _ target: Duration) -> Bool {
            guard let value else { return false }
            return value >= target * 0.84 && value <= target * 1.19
        }
        #expect(within(latency.p50, .milliseconds(10)))
        #expect(within(latency.p95, .milliseconds(200)))
        #expect(within(latency.p99, .seconds(3)))
        // A hundred fast calls push the slow ones out of the count window.
        try breaker.succeed(100, taking: .microseconds(50))
        latency = breaker.snapshot().latency
        let p99 = try #require(latency.p99)
        #expect(p99 <= .microseconds(100))
    }

    @Test func extremesStayInTheEdgeBuckets() throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 10), minimumNumberOfCalls: 10,
                                            slowCallRateThreshold: 100, slowCallDurationThreshold: .seconds(3600)),
                                      clock: clock)
        try breaker.succeed(1, taking: .zero)
        try breaker.succeed(1, taking: .seconds(-1))  // a caller's clock went backwards: treated as 0
        try breaker.succeed(2, taking: .seconds(86_400))
        let latency = breaker.snapshot().latency
        #expect(try #require(latency.p50) <= .microseconds(100))
        // The top bucket is open-ended: reported as its lower bound, about 7 minutes.
        let p99 = try #require(latency.p99)
        #expect(p99 > .seconds(400) && p99 < .seconds(440))
    }
}
