/// Permission for one call, from `CircuitBreaker.acquirePermission()`. Hand it back with the
/// call's outcome (`onSuccess`, `onError`, `onTimeout`) or, if the call was never made,
/// `releasePermission`.
///
/// The permit remembers which window it was granted in: an outcome that arrives after the
/// breaker moved on (a slow call started while closed that ends during the half-open trial)
/// counts in the totals but cannot decide the new state's window.
public struct BreakerPermit: Sendable, Hashable {
    let windowGeneration: UInt64
    /// Whether this is one of the half-open state's limited trial permits.
    public let isTrial: Bool
}
