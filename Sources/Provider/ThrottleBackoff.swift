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

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Evenly in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
