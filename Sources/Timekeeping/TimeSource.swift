/// Where a component gets its time: the one way time is injected across the stack, the
/// provider, the breakers, the console and the demo. Nothing that takes a `TimeSource` reads a
/// clock of its own, so tests drive time exactly with a `ManualClock` and never sleep.
///
/// It is a Swift `Clock` on the monotonic timeline (`now`, `sleep(until:)`, and so
/// `sleep(for:)` and `Task.sleep(for:clock:)`), which drives every wait, window, timeout and
/// backoff; and it tells the wall-clock time (`wallClockNow`), which only stamps what people
/// and the wire read (event times, message timestamps, reports).
///
/// Hand-written rather than swift-clocks' `TestClock`: that moves a monotonic instant only,
/// and the stack's and the breakers' tests need the wall clock to move with it.
public protocol TimeSource: Clock where Instant == MonotonicInstant {
    /// The wall-clock time now.
    var wallClockNow: UnixTime { get }
}

extension TimeSource {
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Suspends for `duration` on this clock; throws `CancellationError` if cancelled first.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration, tolerance: nil)
    }

    /// Suspends until `deadline` on this clock; throws `CancellationError` if cancelled first.
    public func sleep(until deadline: MonotonicInstant) async throws {
        try await sleep(until: deadline, tolerance: nil)
    }
}

extension TimeSource where Self == SystemClock {
    /// The machine's clocks.
    public static var system: SystemClock { SystemClock() }
}
