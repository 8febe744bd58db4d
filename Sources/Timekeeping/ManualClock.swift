import Synchronization

/// A clock that moves only when told to. Tests and simulations use it to drive waits, windows,
/// timeouts, backoffs and timestamps exactly, with no real sleeping.
///
/// `advance(by:)` moves the monotonic and the wall-clock time together and wakes every
/// `sleep(until:)` whose deadline it reached.
public final class ManualClock: TimeSource {
    private enum Sleeper {
        case starting
        case cancelledBeforeWaiting
        case waiting(MonotonicInstant, CheckedContinuation<Void, any Error>)
    }

    private struct State {
        var now: MonotonicInstant
        var wall: UnixTime
        var nextSleeperID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
    }

    private let state: Mutex<State>

    /// - Parameters:
    ///   - start: the first monotonic instant.
    ///   - wallClock: the wall-clock time at `start` (default 2027-01-15T08:00:00Z).
    public init(start: MonotonicInstant = MonotonicInstant(nanosecondsSinceOrigin: 0),
                wallClock: UnixTime = UnixTime(milliseconds: 1_800_000_000_000)) {
        state = Mutex(State(now: start, wall: wallClock))
    }

    public var now: MonotonicInstant { state.withLock { $0.now } }

    public var wallClockNow: UnixTime { state.withLock { $0.wall } }

    /// How many `sleep(until:)` calls are suspended right now. Tests wait for a sleeper to be
    /// in place before advancing the clock past its deadline.
    public var suspendedSleepers: Int {
        state.withLock { state in
            state.sleepers.values.count { if case .waiting = $0 { true } else { false } }
        }
    }

    /// Moves time forward (a negative duration is ignored: the clock is monotonic).
    public func advance(by duration: Duration) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            guard duration > .zero else { return [] }
            state.now = state.now + duration
            state.wall = state.wall + duration
            var due: [CheckedContinuation<Void, any Error>] = []
            for (id, sleeper) in state.sleepers {
                if case .waiting(let deadline, let continuation) = sleeper, deadline <= state.now {
                    due.append(continuation)
                    state.sleepers[id] = nil
                }
            }
            return due
        }
        for continuation in due { continuation.resume() }
    }

    public func sleep(until deadline: MonotonicInstant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        let id: UInt64 = state.withLock { state in
            let id = state.nextSleeperID
            state.nextSleeperID += 1
            state.sleepers[id] = .starting
            return id
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Start { case wait, ready, cancelled }
                let start: Start = state.withLock { state in
                    if case .cancelledBeforeWaiting = state.sleepers[id] {
                        state.sleepers[id] = nil
                        return .cancelled
                    }
                    if deadline <= state.now {
                        state.sleepers[id] = nil
                        return .ready
                    }
                    state.sleepers[id] = .waiting(deadline, continuation)
                    return .wait
                }
                switch start {
                case .wait: break
                case .ready: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiting: CheckedContinuation<Void, any Error>? = state.withLock { state in
                switch state.sleepers[id] {
                case .starting:
                    state.sleepers[id] = .cancelledBeforeWaiting
                    return nil
                case .waiting(_, let continuation):
                    state.sleepers[id] = nil
                    return continuation
                case .cancelledBeforeWaiting, nil:
                    return nil
                }
            }
            waiting?.resume(throwing: CancellationError())
        }
    }
}
