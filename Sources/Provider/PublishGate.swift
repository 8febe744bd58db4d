import Timekeeping

/// Coalesces changes into snapshots: at most one every `minimumGap` (four a second), however
/// fast changes come. Four is the pace a person reads a changing screen at (htop and k9s redraw
/// every one to two seconds); each snapshot costs the console a full redraw of every pane on
/// screen, so a faster pace spent CPU on frames nobody could read. A change after a quiet spell publishes at once; changes within the gap of
/// the last snapshot share one at the gap's end. A value: the owner asks it and keeps the timer.
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

    init(minimumGap: Duration = .milliseconds(250)) {
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
