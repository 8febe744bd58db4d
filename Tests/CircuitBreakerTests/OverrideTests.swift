import CircuitBreaker
import Testing
import Timekeeping

@Suite struct OverrideTests {
    let clock = ManualClock()
    let configuration = BreakerConfiguration(slidingWindow: .count(size: 4), minimumNumberOfCalls: 4,
                                             waitDurationInOpen: .seconds(30), permittedCallsInHalfOpen: 2)

    @Test func forcedOpenRejectsEverythingAndNamesWhoAndWhy() throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        #expect(breaker.apply(.forceOpen(by: "alice", reason: "incident 123")))
        #expect(breaker.state == .forcedOpen)
        let error = #expect(throws: CircuitBreakerError.self) { try breaker.acquirePermission() }
        #expect(error?.kind == .forcedOpen(actor: "alice", reason: "incident 123"))
        #expect(error?.description == "circuit breaker payment → payment-gateway is forced open by alice: incident 123")
        // Time does not move a forced breaker.
        clock.advance(by: .seconds(3600))
        #expect(!breaker.permitsCall)
        let snapshot = breaker.snapshot()
        #expect(snapshot.state == .forcedOpen)
        #expect(snapshot.override == .forceOpen(by: "alice", reason: "incident 123"))
        #expect(snapshot.lastTransition?.reason == "forced open by alice: incident 123")
        #expect(snapshot.lastTransition?.from == .closed)
        #expect(snapshot.totals.shortCircuited == 2)
        #expect(snapshot.retryAt == nil)
    }

    @Test func forcedClosedAllowsEverythingAndNeverTrips() throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        try breaker.fail(4)
        #expect(breaker.state == .open)
        #expect(breaker.apply(.forceClosed(by: "bob", reason: "gateway fine, false alarms")))
        #expect(breaker.state == .forcedClosed)
        try breaker.fail(50)  // recorded, but the operator has the wheel
        let snapshot = breaker.snapshot()
        #expect(snapshot.state == .forcedClosed)
        #expect(snapshot.window.failures == 4 && snapshot.window.failureRate == 100)
        #expect(snapshot.lastTransition == BreakerTransition(
            from: .open, to: .forcedClosed, at: clock.wallClockNow.seconds, reason: "forced closed by bob: gateway fine, false alarms"))
    }

    @Test func automaticReturnsToClosedWithAFreshWindow() throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        breaker.apply(.forceClosed(by: "bob", reason: ""))
        try breaker.fail(4)
        #expect(breaker.apply(.automatic(by: "carol", reason: "recovered")))
        let snapshot = breaker.snapshot()
        #expect(snapshot.state == .closed)
        #expect(snapshot.override == nil)
        #expect(snapshot.window.calls == 0)
        #expect(snapshot.lastTransition?.reason == "returned to automatic by carol: recovered")
        // Automatic again: thresholds apply.
        try breaker.fail(4)
        #expect(breaker.state == .open)
    }

    @Test func repeatingTheOverrideInForceChangesNothing() async throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        let transitions = breaker.transitions()
        #expect(breaker.apply(.forceOpen(by: "alice", reason: "incident 123")))
        #expect(!breaker.apply(.forceOpen(by: "alice", reason: "incident 123")))
        #expect(!breaker.apply(.forceOpen(by: "dave", reason: "me too")))
        #expect(breaker.snapshot().override?.actor == "alice")
        #expect(breaker.apply(.automatic(by: "x", reason: "")))
        #expect(!breaker.apply(.automatic(by: "x", reason: "")))  // already automatic
        breaker.apply(.forceOpen(by: "alice", reason: "again"))
        var seen: [BreakerState] = []
        for await transition in transitions {
            seen.append(transition.to)
            if seen.count == 3 { break }
        }
        #expect(seen == [.forcedOpen, .closed, .forcedOpen])
    }

    @Test func forcingSwitchesBetweenForcedStatesDirectly() throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        breaker.apply(.forceOpen(by: "alice", reason: ""))
        breaker.apply(.forceClosed(by: "bob", reason: ""))
        let snapshot = breaker.snapshot()
        #expect(snapshot.state == .forcedClosed)
        #expect(snapshot.lastTransition?.from == .forcedOpen)
        #expect(snapshot.lastTransition?.reason == "forced closed by bob")
        #expect(snapshot.override?.mode == .forceClosed)
    }

    @Test func overrideDuringHalfOpenDiscardsTheTrial() throws {
        let breaker = try makeBreaker(configuration, clock: clock)
        try breaker.fail(4)
        clock.advance(by: .seconds(30))
        let trial = try breaker.acquirePermission()
        breaker.apply(.forceClosed(by: "bob", reason: ""))
        breaker.onError(trial, duration: .seconds(1), error: GatewayError())
        let snapshot = breaker.snapshot()
        #expect(snapshot.state == .forcedClosed)
        #expect(snapshot.window.calls == 0)  // the trial's late outcome is not the forced window's
        #expect(snapshot.totals.failures == 5)
    }
}
