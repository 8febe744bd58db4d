/// Exponential backoff for reconnecting: doubles from `initial` up to `maximum`. A value: the
/// owner asks it for the next delay and resets it when an answer comes.
struct Backoff: Sendable, Hashable {
    let initial: Duration
    let maximum: Duration
    private var current: Duration?

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    mutating func next() -> Duration {
        let delay = current.map { min($0 * 2, maximum) } ?? initial
        current = delay
        return delay
    }

    mutating func reset() { current = nil }
}
