import Timekeeping

/// What polling costs the watched account right now, for the status bar.
public struct PollingStatus: Sendable, Hashable {
    /// Requests the provider sent over the last minute, whatever sent them: polls, re-reads the
    /// live stream asked for, actions, a tap (updated every few seconds).
    public var callsPerMinute: Int
    /// APIs AWS throttled that the provider is backing off from (`Service Operation`).
    public var throttled: [String]
    /// Listings that stopped at the page bound (`StackProviderOptions.listPagesAtMost`) with
    /// more pages left: what they show is the start of the list, not all of it.
    public var cutLists: [CutList]

    /// A listing cut short: `Service Operation` and how many items it showed.
    public struct CutList: Sendable, Hashable {
        public var api: String
        public var shown: Int

        public init(api: String, shown: Int) {
            self.api = api
            self.shown = shown
        }
    }

    public init(callsPerMinute: Int, throttled: [String] = [], cutLists: [CutList] = []) {
        self.callsPerMinute = callsPerMinute
        self.throttled = throttled
        self.cutLists = cutLists
    }
}

/// Calls counted a second at a time over the last minute. A value: the caller passes the time.
struct CallWindow: Sendable, Hashable {
    private var perSecond: [Int64: Int] = [:]

    mutating func record(_ calls: Int, at now: MonotonicInstant) {
        guard calls > 0 else { return }
        let second = now.nanosecondsSinceOrigin / 1_000_000_000
        perSecond[second, default: 0] += calls
        perSecond = perSecond.filter { second - $0.key < 60 }
    }

    /// Calls in the 60 seconds up to `now`.
    func lastMinute(at now: MonotonicInstant) -> Int {
        let second = now.nanosecondsSinceOrigin / 1_000_000_000
        return perSecond.filter { second - $0.key < 60 }.values.reduce(0, +)
    }
}
