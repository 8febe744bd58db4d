/// A small, fast, seedable 64-bit generator (Steele, Lea and Flood's SplitMix64): the one the
/// project's values draw randomness from when they must be reproducible — the interpreter's
/// task tokens, jitter and `States.MathRandom` (seeded by the host, so a replay is exact), the
/// provider's backoff jitter, the layout benchmark's synthetic systems. Injected like the clock.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Hashable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Evenly in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
