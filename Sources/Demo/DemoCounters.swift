import Synchronization

/// What the demo did, counted as it happens; the once-a-second log line and the tests read it.
public final class DemoCounters: Sendable {
    /// The counters, by what they count.
    public enum Key: String, Sendable, CaseIterable {
        case ordersPlaced = "orders"
        case ordersRejected = "orders-rejected"
        case reserved, released
        case charged, chargeFailed = "charge-failed", shortCircuited = "short-circuited", refunded
        case shipped, shipFailed = "ship-failed"
        case notified, analyzed, poisoned, consumerFailed = "consumer-failed"
        case heartbeats
        case callErrors = "call-errors"
    }

    private let counts = Mutex([Key: Int]())
    private let lastError = Mutex<String?>(nil)

    public init() {}

    public func add(_ key: Key, _ amount: Int = 1) {
        counts.withLock { $0[key, default: 0] += amount }
    }

    /// A failed call to the endpoint: counted, and the latest kept for the log line.
    public func callFailed(_ what: String) {
        add(.callErrors)
        lastError.withLock { $0 = what }
    }

    public subscript(key: Key) -> Int { counts.withLock { $0[key] ?? 0 } }

    public func snapshot() -> [Key: Int] { counts.withLock { $0 } }

    /// The latest call failure, cleared by reading it.
    public func takeLastError() -> String? { lastError.withLock { error in defer { error = nil }; return error } }
}
