import CircuitBreaker
import Testing
import Timekeeping

@Suite struct ConcurrencyTests {
    @Test func concurrentCallsAreAllCounted() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 100_000), minimumNumberOfCalls: 100_000),
                                      clock: clock)
        let tasks = 8, callsPerTask = 2_000
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for call in 0..<callsPerTask {
                        guard let permit = try? breaker.acquirePermission() else { continue }
                        if (task + call) % 4 == 0 {
                            breaker.onError(permit, duration: .milliseconds(3), error: GatewayError())
                        } else {
                            breaker.onSuccess(permit, duration: .milliseconds(3))
                        }
                    }
                }
            }
        }
        let snapshot = breaker.snapshot()
        #expect(snapshot.totals.calls == tasks * callsPerTask)
        #expect(snapshot.totals.failures == tasks * callsPerTask / 4)
        #expect(snapshot.window.calls == tasks * callsPerTask)
        #expect(snapshot.latency.samples == tasks * callsPerTask)
    }

    @Test func halfOpenGrantsExactlyThePermittedTrialsUnderContention() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 2), minimumNumberOfCalls: 2,
                                            waitDurationInOpen: .seconds(1), permittedCallsInHalfOpen: 5),
                                      clock: clock)
        try breaker.fail(2)
        clock.advance(by: .seconds(1))
        let granted = Shared<[BreakerPermit]>([])
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    if let permit = try? breaker.acquirePermission() { granted.update { $0.append(permit) } }
                }
            }
        }
        let permits = granted.value
        #expect(permits.count == 5)
        #expect(breaker.snapshot().totals.shortCircuited == 59)
        await withTaskGroup(of: Void.self) { group in
            for permit in permits {
                group.addTask { breaker.onSuccess(permit, duration: .milliseconds(1)) }
            }
        }
        #expect(breaker.state == .closed)
    }

    @Test func tripsExactlyOnceUnderConcurrentFailures() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .count(size: 50), minimumNumberOfCalls: 50,
                                            waitDurationInOpen: .seconds(60)), clock: clock)
        let stream = breaker.transitions()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<100 {
                        guard let permit = try? breaker.acquirePermission() else { continue }
                        breaker.onError(permit, duration: .milliseconds(1), error: GatewayError())
                    }
                }
            }
        }
        breaker.apply(.forceOpen(by: "test", reason: "end of stream marker"))
        var seen: [BreakerTransition] = []
        for await transition in stream {
            seen.append(transition)
            if transition.to == .forcedOpen { break }
        }
        #expect(seen.map(\.to) == [.open, .forcedOpen])
        let totals = breaker.snapshot().totals
        #expect(totals.calls + totals.shortCircuited == 800)
        #expect(totals.calls >= 50)
    }
}
