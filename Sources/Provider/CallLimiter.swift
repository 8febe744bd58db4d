import Synchronization
import Timekeeping

/// Keeps one provider's calls within half of AWS's quotas (`AWSQuota.table(region:)`): each call takes
/// a token from its API's bucket first, waiting for one when the bucket is empty. Shared by the
/// provider's concurrent calls; the buckets are values behind one lock, the waiting is the
/// caller's, on the injected clock.
final class CallLimiter: Sendable {
    private let clock: any TimeSource
    private let buckets: Mutex<[String: TokenBucket]>

    init(clock: any TimeSource, quotas: [String: AWSQuota]) {
        self.clock = clock
        self.buckets = Mutex(quotas.mapValues(\.bucket))
    }

    /// Waits until `api` may be called (at once while its bucket has tokens). An API with no
    /// entry is not limited. Cancellation ends the wait: the call then fails on its own.
    func admit(_ api: String) async {
        let now = clock.now
        let wait = buckets.withLock { buckets -> Duration in
            guard var bucket = buckets[api] else { return .zero }
            defer { buckets[api] = bucket }
            return bucket.reserve(at: now)
        }
        if wait > .zero { try? await clock.sleep(for: wait) }
    }
}
