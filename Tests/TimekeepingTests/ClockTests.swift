import Testing
import Timekeeping

@Suite struct ClockTests {
    @Test func systemClockIsMonotonicAndSleepsPastItsDeadline() async throws {
        let clock = SystemClock()
        var previous = clock.now
        for _ in 0..<1000 {
            let next = clock.now
            #expect(next >= previous)
            previous = next
        }
        let deadline = clock.now + .milliseconds(2)
        try await clock.sleep(until: deadline)
        #expect(clock.now >= deadline)
        #expect(clock.wallClockNow.seconds > 1_600_000_000)  // after 2020: since 1970, not since boot
        // Two system clocks share an origin, so their instants compare.
        #expect(SystemClock().now >= deadline)
    }

    @Test func systemClockSleepIsCancellable() async throws {
        let clock = SystemClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test func manualClockWakesSleepersInDeadlineOrderAndOnCancel() async throws {
        let clock = ManualClock(wallClock: UnixTime(milliseconds: 100_000))
        let early = Task { try await clock.sleep(until: clock.now + .seconds(1)) }
        let late = Task { try await clock.sleep(for: .seconds(10)) }
        while clock.suspendedSleepers < 2 { await Task.yield() }
        clock.advance(by: .seconds(1))
        try await early.value
        #expect(clock.suspendedSleepers == 1)
        #expect(clock.wallClockNow == UnixTime(milliseconds: 101_000))
        late.cancel()
        await #expect(throws: CancellationError.self) { try await late.value }
        #expect(clock.suspendedSleepers == 0)
        // A deadline already passed does not suspend.
        try await clock.sleep(until: clock.now)
    }

    /// `Task.sleep(for:clock:)` takes any `TimeSource`, so code written against Swift's `Clock`
    /// is driven by the manual clock too.
    @Test func manualClockDrivesTaskSleepThroughTheClockProtocol() async throws {
        let clock = ManualClock()
        let time: any TimeSource = clock
        let sleeper = Task { try await Task.sleep(for: .milliseconds(250), clock: time) }
        while clock.suspendedSleepers < 1 { await Task.yield() }
        clock.advance(by: .milliseconds(249))
        #expect(clock.suspendedSleepers == 1)
        clock.advance(by: .milliseconds(1))
        try await sleeper.value
    }

    @Test func manualClockMovesEveryWallClockFormTogetherExactly() {
        let clock = ManualClock(wallClock: UnixTime(milliseconds: 1_700_000_000_000))
        clock.advance(by: .milliseconds(123))
        #expect(clock.wallClockNow.milliseconds == 1_700_000_000_123)
        #expect(clock.wallClockNow.wholeSeconds == 1_700_000_000)
        #expect(clock.wallClockNow.seconds == 1_700_000_000.123)
        #expect(clock.wallClockNow.date.timeIntervalSince1970 == 1_700_000_000.123)
        clock.advance(by: .seconds(-5))  // ignored: the clock is monotonic
        #expect(clock.wallClockNow.milliseconds == 1_700_000_000_123)
    }

    @Test func instantArithmeticSaturates() {
        let start = MonotonicInstant(nanosecondsSinceOrigin: .max - 5)
        #expect((start + .seconds(1)).nanosecondsSinceOrigin == .max)
        #expect(MonotonicInstant(nanosecondsSinceOrigin: 5) - MonotonicInstant(nanosecondsSinceOrigin: 2) == .nanoseconds(3))
        #expect(MonotonicInstant(nanosecondsSinceOrigin: 2) - MonotonicInstant(nanosecondsSinceOrigin: 5) == .nanoseconds(-3))
        #expect(MonotonicInstant(nanosecondsSinceOrigin: -1_500_000_000).secondsSinceOrigin == -2)
        #expect((UnixTime(nanosecondsSince1970: .min + 1) + .seconds(-1)).nanosecondsSince1970 == .min)
        #expect(UnixTime(milliseconds: -1).wholeSeconds == -1)
        #expect(UnixTime(nanosecondsSince1970: -1).milliseconds == -1)
    }
}
