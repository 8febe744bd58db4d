import Timekeeping

/// When to poll which APIs. A value: it reads no clock and does no I/O.
///
/// One round runs at a time. A round starts on the tick, which comes `refresh` after the last
/// round ended (or the backoff's delay while nothing answers, up to every 5 s). A tick polls the
/// parts a watched section shows once `refresh` has passed since they were last polled, and the
/// others once `unwatched` has; with nothing answering it polls every part, since any answer
/// counts. An action asks for the parts it changed at once, or right after the round in flight.
struct PollSchedule: Sendable {
    let refresh: Duration
    let unwatched: Duration
    /// The sections on screen; all of them until a console says otherwise.
    private(set) var watched: Set<DataSection> = Set(DataSection.allCases)
    private(set) var backoff: Backoff
    /// When each part was last polled.
    private var lastPolled: [PollPart: MonotonicInstant] = [:]
    /// A round is in flight (from its start until its histories are in).
    private(set) var inFlight = false
    /// Parts asked for while a round was in flight.
    private var asked: Set<PollPart> = []
    /// Identifies the one tick timer that counts; older ones are ignored when they fire.
    private(set) var tick = 0

    init(refresh: Duration, unwatchedFactor: Int) {
        self.refresh = max(refresh, .milliseconds(50))
        self.unwatched = self.refresh * max(1, unwatchedFactor)
        self.backoff = Backoff(initial: self.refresh, maximum: max(self.refresh, .seconds(5)))
    }

    /// What a tick or a request does.
    enum Step: Sendable, Hashable {
        /// Poll these parts now.
        case poll(Set<PollPart>)
        /// Start tick timer `tick` to fire after the delay.
        case wait(Duration, tick: Int)
        /// Nothing to do (a round is in flight, or a stale tick fired).
        case none
    }

    mutating func watch(_ sections: Set<DataSection>) { watched = sections }

    /// The live stream is up: it carries queue counts, executions with their histories and
    /// breaker changes as they happen, so those parts are polled only to check what it said.
    var streaming = false
    /// What the stream carries, and how often it is checked against the APIs meanwhile (a
    /// queue created or deleted shows at once anyway: the stream's counts name every queue).
    static let streamed: Set<PollPart> = [.queues, .executions, .breakers]
    static let streamedCheck: Duration = .seconds(5)

    /// The interval of a part: `refresh` while a watched section shows it, `unwatched` while
    /// none does, `streamedCheck` at least while the stream carries it; never less than its
    /// spacing.
    func interval(of part: PollPart) -> Duration {
        var interval = part.shownIn.isDisjoint(with: watched) ? unwatched : refresh
        if streaming && Self.streamed.contains(part) { interval = max(interval, Self.streamedCheck) }
        return max(interval, spacing[part] ?? .zero)
    }

    /// The least time between two polls of a part, from what its last poll cost.
    private var spacing: [PollPart: Duration] = [:]

    /// A poll of `part` made calls to be kept under a rate on average (`limits`: calls and the
    /// calls a second allowed, e.g. the ListExecutions pages against their share of AWS's quota
    /// and all the part's calls against its share of the polling budget): the part is polled
    /// again no sooner than the strictest limit allows.
    mutating func space(_ part: PollPart, _ limits: [(calls: Int, perSecond: Double)]) {
        spacing[part] = limits.filter { $0.perSecond > 0 }
            .map { Duration.milliseconds(Int64((Double($0.calls) / $0.perSecond * 1000).rounded(.up))) }
            .max() ?? .zero
    }

    /// Parts AWS throttled, left alone until then (ticks only: an action's ask still polls).
    private var heldUntil: [PollPart: MonotonicInstant] = [:]

    mutating func hold(_ part: PollPart, until instant: MonotonicInstant) { heldUntil[part] = instant }

    /// The least time between two polls of `part` now (zero: only the interval counts).
    func spacing(of part: PollPart) -> Duration { spacing[part] ?? .zero }

    /// Tick timer `number` fired at `now`.
    mutating func ticked(_ number: Int, at now: MonotonicInstant, unreachable: Bool) -> Step {
        guard number == tick, !inFlight else { return .none }
        let due = unreachable ? Set(PollPart.allCases) : Set(PollPart.allCases.filter { part in
            (lastPolled[part].map { now - $0 >= interval(of: part) } ?? true) && (heldUntil[part].map { now >= $0 } ?? true)
        })
        if due.isEmpty {
            tick += 1
            return .wait(refresh, tick: tick)
        }
        return start(due, at: now)
    }

    /// An action changed what these parts return: poll them now, or after the round in flight.
    mutating func ask(_ parts: Set<PollPart>, at now: MonotonicInstant) -> Step {
        guard !parts.isEmpty else { return .none }
        if inFlight {
            asked.formUnion(parts)
            return .none
        }
        tick += 1  // the pending tick is replaced by the one after this round
        return start(parts, at: now)
    }

    /// The round in flight is over: the parts asked for meanwhile run now, else the next tick
    /// is timed (backoff while nothing answered).
    mutating func roundEnded(at now: MonotonicInstant, answered: Bool) -> Step {
        inFlight = false
        if answered { backoff.reset() }
        if !asked.isEmpty {
            let parts = asked
            asked = []
            return start(parts, at: now)
        }
        tick += 1
        return .wait(answered ? refresh : backoff.next(), tick: tick)
    }

    private mutating func start(_ parts: Set<PollPart>, at now: MonotonicInstant) -> Step {
        inFlight = true
        for part in parts { lastPolled[part] = now }
        return .poll(parts)
    }
}
