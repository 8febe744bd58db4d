import Timekeeping

/// One recorded call outcome, as small as possible: a count window holds up to 100 000.
struct CallRecord: Sendable, Hashable {
    enum Result: UInt8, Sendable { case success, failure, timeout }

    var result: Result
    var isSlow: Bool
    var latencyBucket: UInt8
}

/// The aggregate of the calls in a window, kept up to date call by call.
struct WindowTally: Sendable, Hashable {
    var calls = 0
    /// Failed calls, timeouts included.
    var failures = 0
    var timeouts = 0
    var slowCalls = 0
    var latency = LatencyHistogram()

    var successes: Int { calls - failures }

    /// Failure rate in percent; nil with no calls.
    var failureRate: Double? { calls == 0 ? nil : Double(failures) * 100 / Double(calls) }
    /// Slow-call rate in percent; nil with no calls.
    var slowCallRate: Double? { calls == 0 ? nil : Double(slowCalls) * 100 / Double(calls) }

    mutating func add(_ record: CallRecord) {
        calls += 1
        if record.result != .success { failures += 1 }
        if record.result == .timeout { timeouts += 1 }
        if record.isSlow { slowCalls += 1 }
        latency.add(bucket: Int(record.latencyBucket))
    }

    mutating func remove(_ record: CallRecord) {
        calls -= 1
        if record.result != .success { failures -= 1 }
        if record.result == .timeout { timeouts -= 1 }
        if record.isSlow { slowCalls -= 1 }
        latency.remove(bucket: Int(record.latencyBucket))
    }

    mutating func subtract(_ other: WindowTally) {
        calls -= other.calls
        failures -= other.failures
        timeouts -= other.timeouts
        slowCalls -= other.slowCalls
        latency.subtract(other.latency)
    }
}

/// The sliding window the rates are computed over: the last N calls (a ring buffer) or the
/// last N seconds (one bucket per second). Recording is O(1); moving a time window forward
/// touches at most N buckets however far the clock jumped.
struct RollingWindow: Sendable {
    private enum Storage: Sendable {
        case count(ring: [CallRecord], next: Int, capacity: Int)
        case time(buckets: [WindowTally], latestSecond: Int64)
    }

    let kind: SlidingWindow
    private(set) var tally = WindowTally()
    private var storage: Storage

    init(_ kind: SlidingWindow, now: MonotonicInstant) {
        self.kind = kind
        switch kind {
        case .count(let size):
            storage = .count(ring: [], next: 0, capacity: size)
        case .time(let seconds):
            storage = .time(buckets: Array(repeating: WindowTally(), count: seconds),
                            latestSecond: now.secondsSinceOrigin)
        }
    }

    mutating func record(_ record: CallRecord, at now: MonotonicInstant) {
        switch storage {
        case .count(var ring, var next, let capacity):
            storage = .count(ring: [], next: 0, capacity: capacity)  // keep `ring` uniquely referenced
            if ring.count < capacity {
                ring.append(record)
            } else {
                tally.remove(ring[next])
                ring[next] = record
            }
            next = (next + 1) % capacity
            tally.add(record)
            storage = .count(ring: ring, next: next, capacity: capacity)
        case .time:
            advance(to: now)
            guard case .time(var buckets, let latestSecond) = storage else { return }
            storage = .time(buckets: [], latestSecond: latestSecond)
            let index = Self.bucketIndex(latestSecond, buckets.count)
            buckets[index].add(record)
            tally.add(record)
            storage = .time(buckets: buckets, latestSecond: latestSecond)
        }
    }

    /// Drops the calls of seconds that have left a time window (a count window never ages).
    mutating func advance(to now: MonotonicInstant) {
        guard case .time(var buckets, let latestSecond) = storage else { return }
        let second = now.secondsSinceOrigin
        guard second > latestSecond else { return }
        storage = .time(buckets: [], latestSecond: latestSecond)
        let size = buckets.count
        if second - latestSecond >= Int64(size) {
            for index in buckets.indices { buckets[index] = WindowTally() }
            tally = WindowTally()
        } else {
            var expiring = latestSecond + 1
            while expiring <= second {
                let index = Self.bucketIndex(expiring, size)
                tally.subtract(buckets[index])
                buckets[index] = WindowTally()
                expiring += 1
            }
        }
        storage = .time(buckets: buckets, latestSecond: second)
    }

    private static func bucketIndex(_ second: Int64, _ size: Int) -> Int {
        let remainder = Int(second % Int64(size))
        return remainder < 0 ? remainder + size : remainder
    }
}
