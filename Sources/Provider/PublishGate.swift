import Foundation
import Timekeeping

/// Coalesces changes into snapshots: under sustained change one a second, published `lead`
/// before the wall clock's second turns, however fast changes come. A change after a quiet
/// spell (nothing published for `quietSpell`) publishes at once (an event put on an idle bus
/// shows within the stream's batch); later changes share the snapshot at the next publishing
/// point. Keys and the clock do not wait for it: the console redraws on them itself.
///
/// Why once a second, and why just before the second turns: the console draws one frame a
/// second under sustained change, when its clock's second turns (`SnapshotPacing`), as a
/// person reads a moving screen anyway (htop redraws every 1.5 s, k9s every 2 s); each
/// snapshot costs the console every pane on screen built again (issue #15). Published just
/// before that frame, the snapshot drawn is the one most recently published, so the console
/// holds only two generations of the tail's ring: the provider's own and the one on screen,
/// shared with the last published. Published twice a second at any point in the second, one
/// more waited for the frame while the one on screen was still held: at 20,000 events/s, when
/// the ring spans half a second, up to three whole rings (issue #15, "memory bounded by the
/// ring"). A value: the owner asks it and keeps the timer.
struct PublishGate: Sendable, Hashable {
    enum Decision: Sendable, Hashable {
        /// Publish now.
        case now
        /// Publish when a timer of this length fires (`fired(at:)`).
        case after(Duration)
        /// A publish is already scheduled; it will carry this change.
        case pending
    }

    /// No publish for this long is a quiet spell: the next change publishes at once.
    let quietSpell: Duration
    /// How long before the wall clock's second turns a snapshot is published under sustained
    /// change: the time it takes to reach the terminal's mailbox, with room for a busy provider.
    let lead: Duration
    private var lastPublish: MonotonicInstant?
    private var scheduled = false

    init(quietSpell: Duration = .seconds(1), lead: Duration = .milliseconds(60)) {
        self.quietSpell = quietSpell
        self.lead = lead
    }

    /// Something changed at `now`, when the wall clock reads `wallClock`.
    mutating func changed(at now: MonotonicInstant, wallClock: Date) -> Decision {
        if scheduled { return .pending }
        guard let lastPublish, now - lastPublish < quietSpell else {
            self.lastPublish = now
            return .now
        }
        scheduled = true
        return .after(Self.untilNextPoint(wallClock: wallClock, lead: lead))
    }

    /// The scheduled publish is due: it happens now.
    mutating func fired(at now: MonotonicInstant) {
        scheduled = false
        lastPublish = now
    }

    /// From `wallClock` to the next publishing point (`lead` before a whole second), more than
    /// zero and at most a second; to the millisecond (a `Date` this far from 1970 is exact to
    /// about a quarter of a microsecond, and a frame needs no better).
    static func untilNextPoint(wallClock: Date, lead: Duration) -> Duration {
        let seconds = wallClock.timeIntervalSince1970
        let intoSecond = Duration.milliseconds(Int64(((seconds - seconds.rounded(.down)) * 1000).rounded()))
        var wait = .seconds(1) - lead - intoSecond
        while wait <= .zero { wait += .seconds(1) }
        while wait > .seconds(1) { wait -= .seconds(1) }
        return wait
    }
}
