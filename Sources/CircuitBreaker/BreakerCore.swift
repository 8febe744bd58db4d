import Timekeeping

/// The breaker's state machine as a plain value: every input carries the moment it happened,
/// and nothing here takes a lock. `CircuitBreaker` owns one behind a mutex.
///
/// Transitions (resilience4j's, with pybreaker's as a configuration of them):
/// - closed → open: the window holds at least the minimum calls and the failure rate or the
///   slow-call rate reached its threshold;
/// - open → half-open: the wait in open has passed (seen at the next call or snapshot);
/// - half-open → closed / open: once the permitted trial calls have reported, by the same
///   thresholds over the trial; half-open → open also when `maxWaitDurationInHalfOpen` passes;
/// - any → forced-open / forced-closed by an operator's override, and back to closed when
///   the operator returns the breaker to automatic.
struct BreakerCore: Sendable {
    /// When an input happened: the monotonic instant, read once, and the wall clock, read only
    /// if a transition or a report needs it (most calls need neither).
    struct Moment {
        let now: MonotonicInstant
        let clock: any TimeSource

        var wall: Double { clock.wallClockNow.seconds }
    }

    let id: BreakerID
    let configuration: BreakerConfiguration

    private(set) var state: BreakerState = .closed
    private(set) var window: RollingWindow
    private(set) var totals = BreakerTotals()
    private(set) var lastTransition: BreakerTransition?
    private(set) var override: BreakerOverride?
    /// Transitions not yet handed to subscribers; the owner drains them.
    var pendingTransitions: [BreakerTransition] = []

    /// Bumped whenever the window starts afresh, so late outcomes of older permits are kept out.
    private var windowGeneration: UInt64 = 0
    private var stateEnteredAt: MonotonicInstant
    private var halfOpenPermitsLeft = 0
    private var windowShortCircuited = 0

    init(id: BreakerID, configuration: BreakerConfiguration, now: MonotonicInstant) {
        self.id = id
        self.configuration = configuration
        self.window = RollingWindow(configuration.slidingWindow, now: now)
        self.stateEnteredAt = now
    }

    // MARK: Calls

    /// Lets a call through or rejects it (counting the rejection).
    mutating func acquirePermission(at moment: Moment) -> Result<BreakerPermit, CircuitBreakerError> {
        advance(at: moment)
        switch state {
        case .closed, .forcedClosed:
            return .success(BreakerPermit(windowGeneration: windowGeneration, isTrial: false))
        case .halfOpen:
            guard halfOpenPermitsLeft > 0 else {
                return reject(.halfOpenSaturated(permittedCalls: configuration.permittedCallsInHalfOpen))
            }
            halfOpenPermitsLeft -= 1
            return .success(BreakerPermit(windowGeneration: windowGeneration, isTrial: true))
        case .open:
            return reject(.open(retryAfter: max(.zero, stateEnteredAt + configuration.waitDurationInOpen - moment.now)))
        case .forcedOpen:
            return reject(.forcedOpen(actor: override?.actor ?? "", reason: override?.reason ?? ""))
        }
    }

    private mutating func reject(_ kind: CircuitBreakerError.Kind) -> Result<BreakerPermit, CircuitBreakerError> {
        totals.shortCircuited += 1
        windowShortCircuited += 1
        return .failure(CircuitBreakerError(breaker: id, kind: kind))
    }

    /// Records a call's outcome and applies the thresholds.
    mutating func record(_ result: CallRecord.Result, duration: Duration, permit: BreakerPermit,
                         at moment: Moment) {
        advance(at: moment)
        let isSlow = duration > configuration.slowCallDurationThreshold
        totals.calls += 1
        if result == .success { totals.successes += 1 } else { totals.failures += 1 }
        if result == .timeout { totals.timeouts += 1 }
        if isSlow { totals.slowCalls += 1 }
        guard permit.windowGeneration == windowGeneration else { return }
        let bucket = LatencyHistogram.bucket(forNanoseconds: max(0, duration.clampedNanoseconds))
        window.record(CallRecord(result: result, isSlow: isSlow, latencyBucket: UInt8(bucket)), at: moment.now)
        switch state {
        case .closed:
            if let breach = thresholdBreach(minimumCalls: configuration.effectiveMinimumNumberOfCalls) {
                transition(to: .open, reason: breach, at: moment)
            }
        case .halfOpen:
            decideTrialIfComplete(at: moment)
        case .open, .forcedOpen, .forcedClosed:
            break  // recorded for the board; only an automatic, deciding state moves on outcomes
        }
    }

    /// Records an error the classifier ignores, or a permit whose call was never made: not a
    /// call, but a trial permit goes back to the pool.
    mutating func release(_ permit: BreakerPermit, ignoredError: Bool, at moment: Moment) {
        advance(at: moment)
        if ignoredError { totals.ignored += 1 }
        if permit.isTrial, permit.windowGeneration == windowGeneration, state == .halfOpen {
            halfOpenPermitsLeft = min(halfOpenPermitsLeft + 1, configuration.permittedCallsInHalfOpen)
        }
    }

    // MARK: Overrides

    /// Applies an operator's override. Applying the override already in force changes
    /// nothing (the board repeats overrides until the service reports them), so it returns false.
    @discardableResult
    mutating func apply(_ newOverride: BreakerOverride, at moment: Moment) -> Bool {
        advance(at: moment)
        switch newOverride.mode {
        case .forceOpen, .forceClosed:
            guard state != newOverride.targetState else { return false }
            override = newOverride
        case .automatic:
            guard state.isForced else { return false }
            override = nil
        }
        transition(to: newOverride.targetState, reason: newOverride.transitionReason, at: moment)
        return true
    }

    // MARK: Time

    /// Makes the transitions that time alone causes: open → half-open when the wait is over,
    /// half-open → open when the trial took too long; and ages a time window.
    mutating func advance(at moment: Moment) {
        if state == .open, moment.now >= stateEnteredAt + configuration.waitDurationInOpen {
            let permitted = configuration.permittedCallsInHalfOpen
            transition(to: .halfOpen,
                       reason: "waited \(Text.duration(configuration.waitDurationInOpen)) in open; allowing \(Text.calls(permitted)) to try",
                       at: moment)
        }
        if state == .halfOpen, let maxWait = configuration.maxWaitDurationInHalfOpen,
           moment.now >= stateEnteredAt + maxWait
        {
            transition(to: .open,
                       reason: "half-open for \(Text.duration(maxWait)) without a decision (\(window.tally.calls) of \(Text.calls(configuration.permittedCallsInHalfOpen)) reported)",
                       at: moment)
        }
        window.advance(to: moment.now)
    }

    // MARK: Decisions

    /// The reason the window's rates trip the breaker, or nil when they do not (or when the
    /// window holds fewer than `minimumCalls`).
    private func thresholdBreach(minimumCalls: Int) -> String? {
        let tally = window.tally
        guard tally.calls >= minimumCalls, let failureRate = tally.failureRate,
              let slowCallRate = tally.slowCallRate else { return nil }
        if failureRate >= configuration.failureRateThreshold {
            return "failure rate \(Text.percent(failureRate)) ≥ \(Text.percent(configuration.failureRateThreshold)) over \(Text.calls(tally.calls))"
        }
        if slowCallRate >= configuration.slowCallRateThreshold {
            return "slow-call rate \(Text.percent(slowCallRate)) ≥ \(Text.percent(configuration.slowCallRateThreshold)) over \(Text.calls(tally.calls)) (slower than \(Text.duration(configuration.slowCallDurationThreshold)))"
        }
        return nil
    }

    private mutating func decideTrialIfComplete(at moment: Moment) {
        let permitted = configuration.permittedCallsInHalfOpen
        let tally = window.tally
        guard tally.calls >= permitted else { return }
        if let breach = thresholdBreach(minimumCalls: permitted) {
            transition(to: .open, reason: "trial failed: \(breach)", at: moment)
        } else {
            let failure = Text.percent(tally.failureRate ?? 0)
            let slow = Text.percent(tally.slowCallRate ?? 0)
            transition(
                to: .closed,
                reason: "trial passed: failure rate \(failure) < \(Text.percent(configuration.failureRateThreshold)), slow-call rate \(slow) < \(Text.percent(configuration.slowCallRateThreshold)) over \(Text.calls(tally.calls))",
                at: moment)
        }
    }

    private mutating func transition(to newState: BreakerState, reason: String, at moment: Moment) {
        let change = BreakerTransition(from: state, to: newState, at: moment.wall, reason: reason)
        state = newState
        stateEnteredAt = moment.now
        lastTransition = change
        pendingTransitions.append(change)
        // Open keeps the window that tripped it, for the board; every other state starts afresh.
        if newState != .open {
            let kind: SlidingWindow = newState == .halfOpen
                ? .count(size: configuration.permittedCallsInHalfOpen) : configuration.slidingWindow
            window = RollingWindow(kind, now: moment.now)
            windowGeneration &+= 1
            windowShortCircuited = 0
        }
        halfOpenPermitsLeft = newState == .halfOpen ? configuration.permittedCallsInHalfOpen : 0
    }

    // MARK: Reporting

    mutating func snapshot(at moment: Moment) -> BreakerSnapshot {
        advance(at: moment)
        let wall = moment.wall
        let tally = window.tally
        let minimumCalls = state == .halfOpen
            ? configuration.permittedCallsInHalfOpen : configuration.effectiveMinimumNumberOfCalls
        func percentile(_ quantile: Double) -> Duration? {
            tally.latency.percentile(quantile).map { .nanoseconds(Int64($0.rounded())) }
        }
        var retryAt: Double?
        if state == .open {
            let remaining = stateEnteredAt + configuration.waitDurationInOpen - moment.now
            retryAt = wall + Double(max(.zero, remaining).clampedNanoseconds) / 1e9
        }
        var trial: HalfOpenTrial?
        if state == .halfOpen {
            let permitted = configuration.permittedCallsInHalfOpen
            trial = HalfOpenTrial(permittedCalls: permitted, completedCalls: tally.calls,
                                  inFlightCalls: max(0, permitted - halfOpenPermitsLeft - tally.calls))
        }
        return BreakerSnapshot(
            service: id.service, dependency: id.dependency, state: state, configuration: configuration,
            window: BreakerWindowCounts(
                window: window.kind, minimumCalls: minimumCalls, calls: tally.calls,
                successes: tally.successes, failures: tally.failures, timeouts: tally.timeouts,
                slowCalls: tally.slowCalls, failureRate: tally.failureRate, slowCallRate: tally.slowCallRate,
                shortCircuited: windowShortCircuited),
            latency: BreakerLatency(samples: tally.latency.total, p50: percentile(0.50),
                                    p95: percentile(0.95), p99: percentile(0.99)),
            totals: totals, halfOpen: trial, retryAt: retryAt, lastTransition: lastTransition,
            override: override, takenAt: wall)
    }
}
