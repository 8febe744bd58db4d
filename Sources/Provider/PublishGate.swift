import Timekeeping

/// Coalesces changes into snapshots: at most one every `minimumGap` (two a second), however
/// fast changes come. A change after a quiet spell publishes at once (an event put on an idle
/// bus shows within the stream's batch); changes within the gap of the last snapshot share one
/// at the gap's end. Two a second under sustained traffic is still faster than a person reads
/// a moving screen (htop redraws every 1.5 s, k9s every 2 s), and each snapshot costs the
/// console every pane on screen built and drawn again: at four a second the console spent
/// twice the CPU on frames nobody could read (issue #15). Keys and the clock do not wait for
/// it: the console redraws on them itself. A value: the owner asks it and keeps the timer.
struct PublishGate: Sendable, Hashable {
    enum Decision: Sendable, Hashable {
        /// Publish now.
        case now
        /// Publish when a timer of this length fires (`fired(at:)`).
        case after(Duration)
        /// A publish is already scheduled; it will carry this change.
        case pending
    }

    let minimumGap: Duration
    private var lastPublish: MonotonicInstant?
    private var scheduled = false

    init(minimumGap: Duration = .milliseconds(500)) {
        self.minimumGap = minimumGap
    }

    /// Something changed at `now`.
    mutating func changed(at now: MonotonicInstant) -> Decision {
        if scheduled { return .pending }
        let wait = lastPublish.map { max(.zero, minimumGap - (now - $0)) } ?? .zero
        if wait <= .zero {
            lastPublish = now
            return .now
        }
        scheduled = true
        return .after(wait)
    }

    /// The scheduled publish is due: it happens now.
    mutating func fired(at now: MonotonicInstant) {
        scheduled = false
        lastPublish = now
    }
}
