import CircuitBreaker
import Testing
import Timekeeping

@Suite struct RunTests {
    let clock = ManualClock()
    let configuration = BreakerConfiguration(
        slidingWindow: .count(size: 4), minimumNumberOfCalls: 4, failureRateThreshold: 50,
        slowCallRateThreshold: 50, slowCallDurationThreshold: .seconds(1), waitDurationInOpen: .seconds(30))

    @Test func runRecordsSuccessWithItsDurationOnTheBreakersClock() async throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        let clock = self.clock
        let value = try await breaker.run {
            clock.advance(by: .seconds(2))  // the call takes 2 s on the breaker's clock
            return 42
        }
        #expect(value == 42)
        let snapshot = breaker.snapshot()
        #expect(snapshot.totals.successes == 1 && snapshot.totals.slowCalls == 1)
        let p50 = try #require(snapshot.latency.p50)
        #expect(p50 > .milliseconds(1600) && p50 <= .milliseconds(2400))
    }

    @Test func runRethrowsAndRecordsFailures() async throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        for _ in 0..<4 {
            await #expect(throws: GatewayError.self) {
                try await breaker.run { () async throws -> Int in throw GatewayError() }
            }
        }
        #expect(breaker.state == .open)
        // Rejected calls are not run.
        let ran = Shared(false)
        let error = await #expect(throws: CircuitBreakerError.self) {
            try await breaker.run { ran.update { $0 = true } }
        }
        #expect(error?.isShortCircuit == true)
        #expect(!ran.value)
        #expect(breaker.snapshot().totals.shortCircuited == 1)
    }

    @Test func runIgnoresCancellationOfTheCaller() async throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        await #expect(throws: CancellationError.self) {
            try await breaker.run { () async throws -> Int in throw CancellationError() }
        }
        let totals = breaker.snapshot().totals
        #expect(totals.calls == 0 && totals.ignored == 1)
    }

    @Test func runTimesOutOnTheInjectedClock() async throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        let clock = self.clock
        let cancelled = Shared(false)
        let call = Task {
            try await breaker.run(timeout: .seconds(5)) { () async throws -> Int in
                do {
                    try await clock.sleep(until: clock.now + .seconds(3600))  // a call that hangs
                } catch {
                    cancelled.update { $0 = true }
                    throw error
                }
                return 1
            }
        }
        // Both the hanging call and the timeout are waiting on the clock.
        while clock.suspendedSleepers < 2 { await Task.yield() }
        clock.advance(by: .seconds(5))
        let error = await #expect(throws: CircuitBreakerError.self) { try await call.value }
        #expect(error?.kind == .timedOut(after: .seconds(5)))
        #expect(error?.isShortCircuit == false)
        #expect(error?.description == "call through circuit breaker payment → payment-gateway timed out after 5 s")
        #expect(cancelled.value)  // the hanging call was cancelled, not left behind
        let snapshot = breaker.snapshot()
        #expect(snapshot.totals.timeouts == 1 && snapshot.totals.failures == 1 && snapshot.totals.slowCalls == 1)
        #expect(snapshot.window.timeouts == 1)
    }

    @Test func callFinishingBeforeTheTimeoutIsASuccess() async throws {
        var configuration = self.configuration
        configuration.callTimeout = .seconds(5)
        let breaker = try makeBreaker(configuration, clock: clock)
        let value = try await breaker.run { "done" }
        #expect(value == "done")
        #expect(breaker.snapshot().totals.successes == 1)
        #expect(clock.suspendedSleepers == 0)  // the timeout's sleep was cancelled
    }

    @Test func timeoutsTripTheBreakerAsFailures() async throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        for _ in 0..<2 { breaker.onTimeout(try breaker.acquirePermission(), duration: .milliseconds(500)) }
        try breaker.succeed(1)
        #expect(breaker.state == .closed)
        try breaker.succeed(1)  // 2 timeouts of 4 = 50%
        #expect(breaker.state == .open)
        #expect(breaker.snapshot().window.timeouts == 2)
    }

    @Test func classifierDecidesWhatCounts() throws {
        let classifier = ErrorClassifier { error in
            switch error {
            case is BadRequest: .ignored
            case is GatewayError: .timeout
            default: .failure
            }
        }
        let breaker = try makeBreaker(configuration, clock: clock, classifier: classifier)
        breaker.onError(try breaker.acquirePermission(), duration: .milliseconds(1), error: BadRequest())
        breaker.onError(try breaker.acquirePermission(), duration: .milliseconds(1), error: GatewayError())
        struct Other: Error {}
        breaker.onError(try breaker.acquirePermission(), duration: .milliseconds(1), error: Other())
        #expect(breaker.snapshot().totals == BreakerTotals(calls: 2, failures: 2, timeouts: 1, ignored: 1))
    }

    @Test func errorsNotRecordedCountAsSuccesses() throws {
        struct NotFound: Error {}
        let breaker = try makeBreaker(configuration, clock: clock,
                                      classifier: .recording { !($0 is NotFound) })
        for _ in 0..<4 {
            breaker.onError(try breaker.acquirePermission(), duration: .milliseconds(1), error: NotFound())
        }
        breaker.onError(try breaker.acquirePermission(), duration: .milliseconds(1), error: CancellationError())
        #expect(breaker.state == .closed)
        #expect(breaker.snapshot().totals == BreakerTotals(calls: 4, successes: 4, ignored: 1))
        try breaker.fail(2)
        #expect(breaker.state == .open)  // GatewayError is still a failure: 2 of 4
    }
}
