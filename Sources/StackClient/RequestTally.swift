import Synchronization

/// Counts the requests sent by the clients that share it: what watching an endpoint costs the
/// account, whichever part of the process made the call (a poll, a re-read the live stream
/// asked for, an operator's action, a tap's long poll). Only requests that reached the point of
/// being sent count; a call refused before it (no credentials) costs the account nothing.
public final class RequestTally: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    func add() { count.add(1, ordering: .relaxed) }

    /// Requests sent so far.
    public var total: Int { count.load(ordering: .relaxed) }
}
