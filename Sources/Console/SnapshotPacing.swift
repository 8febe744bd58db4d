import Timekeeping

/// When the terminal thread takes a snapshot waiting in its mailbox. The clock redraws the
/// screen at each second's start, and under sustained change the provider sends one snapshot
/// a second, just before the second turns (`PublishGate`): drawn as it came, that made two
/// frames a second, each building every pane on screen again. While snapshots come steadily
/// (the last one taken less than `steadyGap` before), one waits for the second's end instead
/// (a few milliseconds) and shares the clock's frame: one frame a second under sustained
/// change, showing the newest snapshot, as a person reads a moving screen anyway (htop
/// redraws every 1.5 s, k9s every 2 s; issue #15). A
/// snapshot after a quiet spell is taken at once (an event on an idle bus shows within the
/// stream's batch), as is any snapshot waiting when something else redraws (a key, a toast, a
/// resize): that frame carries the newest data. A value: the loop keeps the snapshot that waits.
struct SnapshotPacing: Sendable, Hashable {
    /// Snapshots taken closer together than this are "coming steadily".
    let steadyGap: Duration
    private var lastTaken: MonotonicInstant?

    init(steadyGap: Duration = .seconds(1)) {
        self.steadyGap = steadyGap
    }

    /// Whether a snapshot waiting at `now` is taken now; `redrawing` says a frame is drawn now
    /// anyway (the clock's second turned, a key, a toast). False: it waits for the clock's
    /// next frame, when the loop asks again.
    mutating func takesNow(at now: MonotonicInstant, redrawing: Bool) -> Bool {
        let steady = lastTaken.map { now - $0 < steadyGap } ?? false
        guard redrawing || !steady else { return false }
        lastTaken = now
        return true
    }
}
