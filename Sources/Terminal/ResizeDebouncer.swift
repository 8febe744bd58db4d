import Timekeeping

/// Coalesces a burst of resize events into one re-layout.
///
/// While a window is dragged the terminal reports many sizes in quick succession; drawing each
/// one would be a redraw storm. The debouncer is pure (times are passed in) so its behaviour
/// is tested without sleeping.
public struct ResizeDebouncer: Sendable {
    /// How long the size must stay still before it is applied.
    public let quietPeriod: Duration
    private var pendingSince: MonotonicInstant?

    public init(quietPeriod: Duration = .milliseconds(60)) {
        self.quietPeriod = quietPeriod
    }

    /// A resize was reported at `now`.
    public mutating func noteResize(at now: MonotonicInstant) {
        pendingSince = now
    }

    public var isPending: Bool { pendingSince != nil }

    /// True once (and clears) when the last reported resize is older than the quiet period.
    public mutating func shouldApply(at now: MonotonicInstant) -> Bool {
        guard let since = pendingSince, now - since >= quietPeriod else { return false }
        pendingSince = nil
        return true
    }

    /// How long the caller may wait before asking again; nil when nothing is pending.
    public func timeUntilDue(at now: MonotonicInstant) -> Duration? {
        guard let since = pendingSince else { return nil }
        let left = quietPeriod - (now - since)
        return left > .zero ? left : .zero
    }
}
