#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The real clocks: the system's monotonic clock that keeps counting while the machine sleeps
/// (Linux `CLOCK_BOOTTIME`, Darwin `CLOCK_MONOTONIC`, the clocks behind `ContinuousClock`), so
/// a breaker left open overnight is due a trial in the morning; and the real-time clock.
///
/// Read with `clock_gettime` directly: a breaker reads it twice per call, and this costs about
/// half of what `ContinuousClock.now` does. Every `SystemClock` shares one origin (boot), so
/// instants from two of them compare.
public struct SystemClock: TimeSource {
    public init() {}

    public var now: MonotonicInstant {
        var spec = timespec()
        #if os(Linux) || os(Android)
        clock_gettime(CLOCK_BOOTTIME, &spec)
        #else
        clock_gettime(CLOCK_MONOTONIC, &spec)
        #endif
        return MonotonicInstant(nanosecondsSinceOrigin: Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec))
    }

    public var wallClockNow: UnixTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UnixTime(nanosecondsSince1970: Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec))
    }

    public func sleep(until deadline: MonotonicInstant, tolerance: Duration?) async throws {
        let remaining = deadline - now
        if remaining > .zero {
            try await Task.sleep(for: remaining, tolerance: tolerance, clock: .continuous)
        } else {
            try Task.checkCancellation()
        }
    }
}
