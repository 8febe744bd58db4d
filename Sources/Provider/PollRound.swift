import JSON
import Synchronization
import StackProtocol

/// What one poll round asks for.
struct PollRequest: Sendable, Hashable {
    var parts: Set<PollPart>
    /// Ask `GET /_signalbox/health` first (whether the endpoint has Signalbox's extensions).
    var probe: Bool
    /// What the last probe found (nil: not known).
    var knownExtensions: Bool?
    /// The board is elsewhere (`[endpoints.NAME] board = URL`): ask it whatever the probe says.
    var boardElsewhere = false
    /// State machines whose definitions the provider holds (not described again).
    var knownDefinitions: Set<String> = []
    /// At most this many DescribeStateMachine calls in the round; the machines past it keep
    /// what is held (or wait for a later round) — AWS refills that call at 20 a second.
    var describeAtMost = Int.max
    /// Which queues to list and read (`QueueFreshness`).
    var queues = QueueReadRequest(list: true)
    /// The rule targets held, and the rules swept this round (`RuleTargetsFreshness`).
    var targets = RuleTargetsRequest()
    /// Ask ListArchives (and ListReplays) this round: false while a refusal is recent, since
    /// an account whose policy lacks `events:ListArchives` would refuse it every poll.
    var listArchives = true
}

/// What one poll round got: one result per part asked for (nil: not asked).
struct PollResults: Sendable {
    var request: PollRequest
    /// The probe's finding; nil when not probed or the endpoint did not answer it.
    var probed: Bool?
    var eventBridge: Result<EventBridgeListing, APIFailure>?
    var queues: Result<QueueReads, APIFailure>?
    /// `executions` is nil when only the machines were asked for.
    var stepFunctions: Result<(machines: [StateMachine], executions: [Execution]?), APIFailure>?
    var registry: Result<[RegistryService], APIFailure>?
    /// nil inside: the endpoint has no breaker board.
    var breakers: Result<BreakerBoardListing?, APIFailure>?
    /// ListExecutions calls the round made (pages of running ones, recent ones per machine).
    var listExecutionsCalls = 0
    /// Calls each part made (answered or not), for its spacing.
    var calls: [PollPart: Int] = [:]
    /// Each part's listings cut short at the page bound (`ListCuts`), empty for a part with none.
    var cutLists: [PollPart: [String: Int]] = [:]

    init(request: PollRequest, probed: Bool? = nil) {
        self.request = request
        self.probed = probed
    }
}

extension StackPoller {
    /// One round: the probe (when asked), then every part asked for at once. The board is asked
    /// only of an endpoint known to have the extensions, or when it is configured elsewhere.
    func poll(_ request: PollRequest) async -> PollResults {
        let probed = request.probe ? await hasExtensions() : nil
        var results = PollResults(request: request, probed: probed)
        let parts = request.parts
        let askBoard = parts.contains(.breakers) && ((probed ?? request.knownExtensions) == true || request.boardElsewhere)
        let machinesOnly = !parts.contains(.executions)
        let counts = Dictionary(uniqueKeysWithValues: PollPart.allCases.map { ($0, CallCount()) })
        let cuts = Dictionary(uniqueKeysWithValues: PollPart.allCases.map { ($0, ListCuts()) })
        async let bus = parts.contains(.eventBridge) ? Self.capture(counts[.eventBridge], cuts[.eventBridge]) { () async throws(APIFailure) in
            try await eventBridge(targets: request.targets, listArchives: request.listArchives)
        } : nil
        async let sqs = parts.contains(.queues) ? Self.capture(counts[.queues], cuts[.queues]) { () async throws(APIFailure) in
            try await self.sqs(request.queues)
        } : nil
        let listCalls = CallCount()
        let stepFunctionsPart: PollPart = machinesOnly ? .stateMachines : .executions
        async let sfn = parts.contains(.stateMachines) || parts.contains(.executions)
            ? Self.capture(counts[stepFunctionsPart], cuts[stepFunctionsPart]) { () async throws(APIFailure) in
                try await stepFunctions(executions: !machinesOnly, knownDefinitions: request.knownDefinitions,
                                        describeAtMost: request.describeAtMost, listCalls: listCalls)
            } : nil
        async let map = parts.contains(.registry) ? Self.capture(counts[.registry], cuts[.registry]) { () async throws(APIFailure) in try await cloudMap() } : nil
        async let board = askBoard ? Self.capture(counts[.breakers], cuts[.breakers]) { () async throws(APIFailure) in try await breakerBoard() } : nil
        (results.eventBridge, results.queues, results.stepFunctions, results.registry, results.breakers)
            = await (bus, sqs, sfn, map, board)
        results.listExecutionsCalls = listCalls.value
        results.calls = counts.compactMapValues { $0.value > 0 ? $0.value : nil }
        results.cutLists = cuts.mapValues(\.lists)
        return results
    }

    /// Runs `body`, its calls counted in `count` and its listings cut short noted in `cuts`
    /// (its child tasks' too: task-locals).
    private static func capture<T>(_ count: CallCount?, _ cuts: ListCuts?,
                                   _ body: () async throws(APIFailure) -> T) async -> Result<T, APIFailure> {
        await ListCuts.$current.withValue(cuts) {
            await CallCount.$current.withValue(count) {
                do throws(APIFailure) {
                    return .success(try await body())
                } catch {
                    return .failure(error)
                }
            }
        }
    }
}

/// Calls counted by concurrent tasks of one round.
final class CallCount: Sendable {
    /// Where `StackPoller.call` counts the calls of the task running it.
    @TaskLocal static var current: CallCount?

    private let count = Mutex(0)
    func add(_ calls: Int) { count.withLock { $0 += calls } }
    var value: Int { count.withLock { $0 } }
}

/// The listings of one part's round that stopped at `StackPoller.maxPages` with pages left:
/// `Service Operation` → the most items one such listing showed.
final class ListCuts: Sendable {
    /// Where `StackPoller.paged` notes a listing it cut, for the task running it.
    @TaskLocal static var current: ListCuts?

    private let cut = Mutex<[String: Int]>([:])
    func cut(_ api: String, shown: Int) { cut.withLock { $0[api] = max($0[api] ?? 0, shown) } }
    var lists: [String: Int] { cut.withLock { $0 } }
}
