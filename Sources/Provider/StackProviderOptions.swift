import Foundation

/// How a `StackProvider` polls and what it keeps. The bounds keep one console's cost on the
/// watched system and its own memory flat however busy the system is.
public struct StackProviderOptions: Sendable, Hashable {
    /// How often every API is polled (the console's `--refresh-ms`).
    public var refreshInterval: Duration
    /// Events kept for the tail (the Flows pane), newest last: the console's `tail_buffer`.
    public var recentEventLimit: Int
    /// Most recent executions listed per state machine.
    public var executionsPerMachine: Int
    /// Execution histories fetched (or extended) per poll; the rest wait for the next poll.
    /// 10 at the 1 s refresh is 600 GetExecutionHistory a minute at most: half of AWS's quota
    /// (20 a second), however many executions run.
    public var historyFetchesPerPoll: Int
    /// History entries kept per execution (the newest); 25,000 is the most AWS keeps, so by
    /// default the whole history is held, paged from the oldest.
    public var timelineLimit: Int
    /// Who breaker overrides are recorded as set by: `$USER`, else `operator`.
    public var actor: String
    /// Whether to use the stack's live stream when the endpoint has it.
    public var useLiveStream: Bool
    /// Longest a single poll call may take before it counts as no answer.
    public var requestTimeout: Duration
    /// APIs whose data no section on screen shows are polled this many times less often.
    public var unwatchedPollFactor: Int
    /// ListExecutions calls per second, on average, at most: half of AWS's quota (5 a second
    /// in us-east-1; the quota is per account and region, shared with every other caller).
    /// Listing 10,000 running executions is 10 pages, so it is then polled every 4.4 s.
    public var listExecutionsPerSecond: Double
    /// A running execution whose history held has been quiet this long is read again before
    /// others (a stuck candidate): the console's silence threshold (`saga_stuck_silence_s`).
    public var quietCheck: TimeInterval
    /// A state machine's definition is described again once it is this old (seconds): one
    /// DescribeStateMachine per machine a minute, so an updated definition shows.
    public var definitionRefresh: TimeInterval
    /// At most this many definitions are described per poll round (new machines and those due
    /// again, in listed order; the rest wait their turn): one round a second stays under half
    /// of DescribeStateMachine's AWS quota (20 a second) however many machines an account has.
    public var definitionsPerPoll: Int
    /// Pages followed per list call (ListQueues, ListRules, ListExecutions…): bounds one poll
    /// of a huge account. A listing cut short says so in the status bar (`PollingStatus.cutLists`).
    public var listPagesAtMost: Int = StackPoller.defaultMaxPages
    /// How long a tap lives unless renewed (`signalbox:expires`); renewed while the console runs.
    public var tapLifetime: Duration = TapPlan.defaultLifetime
    /// Calls a second, at most, that polling makes at steady state, all APIs together (new
    /// resources are read at once, outside it): each API's polls are spaced by what the last
    /// one cost and that API's share (`PollPart.budgetShare`), so an idle console costs the same
    /// on an account of 300 queues as on one of 3, and `refreshInterval` is a floor, not a
    /// promise. 4.5 keeps one console under 5 calls a second (about 390,000 requests a day).
    public var pollingBudget: Double

    public init(refreshInterval: Duration = .seconds(1), recentEventLimit: Int = EventRing.defaultCapacity, executionsPerMachine: Int = 50,
                historyFetchesPerPoll: Int = 10, timelineLimit: Int = 25_000,
                actor: String = StackProviderOptions.defaultActor, useLiveStream: Bool = true,
                requestTimeout: Duration = .seconds(10), unwatchedPollFactor: Int = 10,
                listExecutionsPerSecond: Double = 2.5, quietCheck: TimeInterval = 300, definitionRefresh: TimeInterval = 60,
                definitionsPerPoll: Int = 10, pollingBudget: Double = 4.5) {
        self.refreshInterval = refreshInterval
        self.recentEventLimit = recentEventLimit
        self.executionsPerMachine = executionsPerMachine
        self.historyFetchesPerPoll = historyFetchesPerPoll
        self.timelineLimit = timelineLimit
        self.actor = actor
        self.useLiveStream = useLiveStream
        self.requestTimeout = requestTimeout
        self.unwatchedPollFactor = max(1, unwatchedPollFactor)
        self.listExecutionsPerSecond = listExecutionsPerSecond
        self.quietCheck = quietCheck
        self.definitionRefresh = definitionRefresh
        self.definitionsPerPoll = max(1, definitionsPerPoll)
        self.pollingBudget = pollingBudget
    }

    /// `$USER` (or `$LOGNAME`) when set, else `operator`.
    public static var defaultActor: String {
        let environment = ProcessInfo.processInfo.environment
        for key in ["USER", "LOGNAME"] {
            if let name = environment[key]?.trimmingCharacters(in: .whitespaces), !name.isEmpty { return name }
        }
        return "operator"
    }
}
