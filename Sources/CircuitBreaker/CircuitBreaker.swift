import Synchronization
import Timekeeping

/// A circuit breaker guarding one service's calls to one dependency.
///
/// Safe to share between any number of tasks: the state machine sits behind a mutex and
/// every method is synchronous and short (recording a call is O(1)), so the hot path costs
/// no actor hop. Two ways to use it:
///
/// ```swift
/// let breaker = try CircuitBreaker(id: BreakerID(service: "payment", dependency: "payment-gateway"),
///                                  configuration: .init(slidingWindow: .count(size: 20), minimumNumberOfCalls: 10))
/// let receipt = try await breaker.run(timeout: .seconds(2)) { try await gateway.charge(order) }
///
/// // or, for callers that time calls themselves:
/// let permit = try breaker.acquirePermission()     // throws CircuitBreakerError when rejected
/// do { let r = try await call(); breaker.onSuccess(permit, duration: elapsed) }
/// catch { breaker.onError(permit, duration: elapsed, error: error) }
/// ```
///
/// Time-driven transitions (open → half-open after the wait) happen when the breaker is next
/// used or observed (a call, `state`, `snapshot()`), as with resilience4j's default; a service
/// that reports its snapshot to the board every second therefore shows them within a second.
public final class CircuitBreaker: Sendable {
    public let id: BreakerID
    public let configuration: BreakerConfiguration
    public let classifier: ErrorClassifier
    private let clock: any TimeSource

    private struct Locked: Sendable {
        var core: BreakerCore
        var subscribers: [UInt64: AsyncStream<BreakerTransition>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
    }

    private let locked: Mutex<Locked>

    /// - Throws: `BreakerConfigurationError` naming the first setting (or name) that cannot work.
    public init(id: BreakerID, configuration: BreakerConfiguration = BreakerConfiguration(),
                classifier: ErrorClassifier = .standard,
                clock: any TimeSource = SystemClock()) throws(BreakerConfigurationError) {
        try id.validate()
        try configuration.validate()
        self.id = id
        self.configuration = configuration
        self.classifier = classifier
        self.clock = clock
        locked = Mutex(Locked(core: BreakerCore(id: id, configuration: configuration, now: clock.now)))
    }

    deinit {
        locked.withLock { locked in
            for continuation in locked.subscribers.values { continuation.finish() }
        }
    }

    // MARK: State and reports

    /// The current state (making any transition that time alone is due).
    public var state: BreakerState {
        withCore { core, moment in
            core.advance(at: moment)
            return core.state
        }
    }

    /// Everything the breaker board shows about this breaker, as of now.
    public func snapshot() -> BreakerSnapshot {
        withCore { core, moment in core.snapshot(at: moment) }
    }

    /// Transitions from now on, in order, until the breaker is deinitialised or the consumer
    /// stops. Each call returns an independent stream; a consumer that falls more than
    /// `bufferLimit` transitions behind loses the oldest ones.
    public func transitions(bufferLimit: Int = 256) -> AsyncStream<BreakerTransition> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: BreakerTransition.self, bufferingPolicy: .bufferingNewest(max(1, bufferLimit)))
        let key = locked.withLock { locked in
            let key = locked.nextSubscriber
            locked.nextSubscriber += 1
            locked.subscribers[key] = continuation
            return key
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.locked.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    // MARK: Overrides

    /// Applies an operator's override from the breaker board: force open, force closed, or
    /// back to automatic (closed, with a fresh window). Applying the override already in force
    /// is a no-op, so the transport may deliver it repeatedly.
    /// - Returns: whether the breaker changed state.
    @discardableResult
    public func apply(_ override: BreakerOverride) -> Bool {
        withCore { core, moment in core.apply(override, at: moment) }
    }

    // MARK: Low-level call protocol

    /// Asks to make one call. Every permit must be handed back with exactly one of
    /// `onSuccess`, `onError`, `onTimeout` or `releasePermission`.
    /// - Throws: `CircuitBreakerError` when the breaker rejects the call (counted as short-circuited).
    public func acquirePermission() throws(CircuitBreakerError) -> BreakerPermit {
        try withCore { core, moment in core.acquirePermission(at: moment) }.get()
    }

    /// The permitted call succeeded after `duration`.
    public func onSuccess(_ permit: BreakerPermit, duration: Duration) {
        withCore { core, moment in core.record(.success, duration: duration, permit: permit, at: moment) }
    }

    /// The permitted call threw `error` after `duration`; the classifier decides whether it
    /// counts as a failure, a timeout, a success, or not at all.
    public func onError(_ permit: BreakerPermit, duration: Duration, error: any Error) {
        switch classifier.disposition(of: error) {
        case .failure:
            withCore { core, moment in core.record(.failure, duration: duration, permit: permit, at: moment) }
        case .success:
            onSuccess(permit, duration: duration)
        case .timeout:
            onTimeout(permit, duration: duration)
        case .ignored:
            withCore { core, moment in core.release(permit, ignoredError: true, at: moment) }
        }
    }

    /// The permitted call timed out after `duration`: a failure, also counted as a timeout.
    public func onTimeout(_ permit: BreakerPermit, duration: Duration) {
        withCore { core, moment in core.record(.timeout, duration: duration, permit: permit, at: moment) }
    }

    /// The permitted call was never made; a half-open trial permit goes back to the pool.
    public func releasePermission(_ permit: BreakerPermit) {
        withCore { core, moment in core.release(permit, ignoredError: false, at: moment) }
    }

    // MARK: Running calls

    /// Runs `operation` through the breaker: rejects it without running it when the breaker
    /// says so, times it on the breaker's clock, cuts it off after `timeout` (default:
    /// `configuration.callTimeout`), and records the outcome.
    ///
    /// On timeout the operation's task is cancelled and `run` throws
    /// `CircuitBreakerError` of kind `.timedOut` once the operation has returned: structured
    /// concurrency leaves no call running behind the caller's back, so the operation must
    /// honour cancellation for the timeout to be prompt.
    /// - Throws: `CircuitBreakerError` (rejected or timed out) or the operation's own error.
    public func run<T: Sendable>(timeout: Duration? = nil,
                                 _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let permit = try acquirePermission()
        let start = clock.now
        guard let limit = timeout ?? configuration.callTimeout else {
            do {
                let value = try await operation()
                onSuccess(permit, duration: clock.now - start)
                return value
            } catch {
                onError(permit, duration: clock.now - start, error: error)
                throw error
            }
        }
        let outcome = await Self.race(operation, deadline: start + limit, clock: clock)
        switch outcome {
        case .value(let value):
            onSuccess(permit, duration: clock.now - start)
            return value
        case .error(let error):
            onError(permit, duration: clock.now - start, error: error)
            throw error
        case .timedOut:
            onTimeout(permit, duration: limit)
            throw CircuitBreakerError(breaker: id, kind: .timedOut(after: limit))
        }
    }

    private enum RaceOutcome<T: Sendable>: Sendable {
        case value(T)
        case error(any Error)
        case timedOut
    }

    private static func race<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T,
                                          deadline: MonotonicInstant,
                                          clock: any TimeSource) async -> RaceOutcome<T> {
        await withTaskGroup(of: RaceOutcome<T>?.self) { group in
            group.addTask {
                do { return .value(try await operation()) } catch { return .error(error) }
            }
            group.addTask {
                do {
                    try await clock.sleep(until: deadline)
                    return .timedOut
                } catch {
                    return nil  // cancelled: the operation finished first
                }
            }
            var outcome: RaceOutcome<T>?
            while outcome == nil, let next = await group.next() {
                outcome = next
            }
            group.cancelAll()
            // Both children always produce a result, and the operation's is never nil.
            return outcome ?? .error(CancellationError())
        }
    }

    // MARK: Locking

    /// Runs `body` on the state machine under the lock, with the clock read inside it so
    /// that inputs reach the state machine in time order, then hands out its transitions.
    private func withCore<R>(_ body: (inout BreakerCore, BreakerCore.Moment) -> R) -> R {
        locked.withLock { locked in
            let result = body(&locked.core, BreakerCore.Moment(now: clock.now, clock: clock))
            if !locked.core.pendingTransitions.isEmpty {
                for transition in locked.core.pendingTransitions {
                    for continuation in locked.subscribers.values { continuation.yield(transition) }
                }
                locked.core.pendingTransitions.removeAll(keepingCapacity: true)
            }
            return result
        }
    }
}
