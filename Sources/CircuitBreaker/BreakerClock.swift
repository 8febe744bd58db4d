#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a breaker gets its time. Injected so that tests (and simulations) drive time exactly:
/// a breaker never reads a clock of its own.
///
/// - `now()` is monotonic and drives every decision (windows, waits, latencies).
/// - `wallClockNow()` only stamps reports for people (transition times, `retryAt`).
/// - `sleep(until:)` is what `CircuitBreaker.run` uses to enforce call timeouts, so a manual
///   clock can fire a timeout deterministically.
public protocol BreakerClock: Sendable {
    /// The current instant on this clock's monotonic timeline.
    func now() -> MonotonicInstant
    /// Seconds since 1970-01-01T00:00:00Z, as the AWS JSON protocols carry timestamps.
    func wallClockNow() -> Double
    /// Suspends until `now()` reaches `deadline`; throws `CancellationError` when cancelled first.
    func sleep(until deadline: MonotonicInstant) async throws
}

/// The real clock: the system's monotonic clock that keeps counting while the machine sleeps
/// (Linux `CLOCK_BOOTTIME`, Darwin `CLOCK_MONOTONIC`, the clocks behind `ContinuousClock`), so
/// a breaker left open overnight is due a trial in the morning; and the real-time clock for
/// report stamps. Read with `clock_gettime` directly: it is read twice per call through a
/// breaker, and costs about half of what `ContinuousClock.now` does here.
public struct SystemBreakerClock: BreakerClock {
    private let origin: Int64

    public init() {
        origin = Self.monotonicNanoseconds()
    }

    public func now() -> MonotonicInstant {
        MonotonicInstant(nanosecondsSinceOrigin: Self.monotonicNanoseconds() &- origin)
    }

    public func wallClockNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public func sleep(until deadline: MonotonicInstant) async throws {
        let remaining = deadline - now()
        if remaining > .zero {
            try await Task.sleep(for: remaining, clock: .continuous)
        } else {
            try Task.checkCancellation()
        }
    }

    private static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        #if os(Linux) || os(Android)
        clock_gettime(CLOCK_BOOTTIME, &spec)
        #else
        clock_gettime(CLOCK_MONOTONIC, &spec)
        #endif
        return Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec)
    }
}
