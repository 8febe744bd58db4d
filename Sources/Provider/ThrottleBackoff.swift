import Timekeeping

/// How long to leave an API alone after AWS throttled it: exponential backoff with full jitter
/// (a delay drawn evenly from zero to `base · 2^n`, capped), so that consoles throttled together
/// do not come back together; at least `floor`. A value with its own seeded generator, so a
/// test sees the same delays every run.
struct ThrottleBackoff: Sendable, Hashable {
    let base: Duration
    let cap: Duration
    let floor: Duration
    /// Throttles in a row, per API group; reset by an answer.
    private var attempts: [PollPart: Int] = [:]
    private var random: SplitMix64

    init(base: Duration = .seconds(1), cap: Duration = .seconds(60), floor: Duration = .seconds(1), seed: UInt64 = 0x5EED) {
        self.base = base
        self.cap = cap
        self.floor = floor
        self.random = SplitMix64(seed: seed)
    }

    /// `part` was throttled again: the delay before it is polled next.
    mutating func throttled(_ part: PollPart) -> Duration {
        let attempt = attempts[part, default: 0]
        attempts[part] = attempt + 1
        let ceiling = min(cap, base * (1 << min(attempt, 16)))
        let drawn = ceiling * random.unit()
        return max(floor, drawn)
    }

    mutating func answered(_ part: PollPart) { attempts[part] = nil }

    func isBackingOff(_ part: PollPart) -> Bool { attempts[part] != nil }
}
