import CircuitBreaker
import Testing

@Suite struct ClockTests {
    @Test func systemClockIsMonotonicAndSleepsPastItsDeadline() async throws {
        let clock = SystemBreakerClock()
        var previous = clock.now()
        for _ in 0..<1000 {
            let next = clock.now()
            #expect(next >= previous)
            previous = next
        }
        let deadline = clock.now() + .milliseconds(2)
        try await clock.sleep(until: deadline)
        #expect(clock.now() >= deadline)
        #expect(clock.wallClockNow() > 1_600_000_000)  // after 2020: seconds since 1970, not since boot
    }

    @Test func systemClockSleepIsCancellable() async throws {
        let clock = SystemBreakerClock()
        let sleeper = Task { try await clock.sleep(until: clock.now() + .seconds(3600)) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test func manualClockWakesSleepersInDeadlineOrderAndOnCancel() async throws {
        let clock = ManualBreakerClock(wallClock: 100)
        let early = Task { try await clock.sleep(until: clock.now() + .seconds(1)) }
        let late = Task { try await clock.sleep(until: clock.now() + .seconds(10)) }
        while clock.suspendedSleepers < 2 { await Task.yield() }
        clock.advance(by: .seconds(1))
        try await early.value
        #expect(clock.suspendedSleepers == 1)
        #expect(clock.wallClockNow() == 101)
        late.cancel()
        await #expect(throws: CancellationError.self) { try await late.value }
        #expect(clock.suspendedSleepers == 0)
        // A deadline already passed does not suspend.
        try await clock.sleep(until: clock.now())
    }

    @Test func instantArithmeticSaturates() {
        let start = MonotonicInstant(nanosecondsSinceOrigin: .max - 5)
        #expect((start + .seconds(1)).nanosecondsSinceOrigin == .max)
        #expect(MonotonicInstant(nanosecondsSinceOrigin: 5) - MonotonicInstant(nanosecondsSinceOrigin: 2) == .nanoseconds(3))
        #expect(MonotonicInstant(nanosecondsSinceOrigin: 2) - MonotonicInstant(nanosecondsSinceOrigin: 5) == .nanoseconds(-3))
    }
}
