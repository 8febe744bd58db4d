/// A breaker's state. The raw values are the breaker board's wire names.
///
/// - `closed`: calls flow; outcomes are recorded; thresholds are checked.
/// - `open`: calls are rejected (short-circuited) until the wait in open has passed.
/// - `halfOpen`: a limited number of trial calls decide between closed and open.
/// - `forcedOpen` / `forcedClosed`: an operator's override; every call is rejected / allowed,
///   outcomes are still recorded, and no threshold moves the breaker until the operator
///   returns it to automatic.
public enum BreakerState: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case closed
    case open
    case halfOpen = "half-open"
    case forcedOpen = "forced-open"
    case forcedClosed = "forced-closed"

    /// Whether the state was set by an operator rather than by the breaker itself.
    public var isForced: Bool { self == .forcedOpen || self == .forcedClosed }

    public var description: String { rawValue }
}
