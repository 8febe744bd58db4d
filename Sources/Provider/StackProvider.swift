import Foundation
import JSON
import StackClient
import StackProtocol
import Synchronization
import Timekeeping

/// The console's view of a live system: the local stack, moto, LocalStack, or any endpoint
/// speaking the AWS JSON protocols.
///
/// It polls the APIs the panes need at the refresh interval (those of panes not on screen less
/// often) and, when the endpoint is the Signalbox stack, also follows its live stream (events
/// with their matched rules and delivery outcomes, queue counts between polls, execution and
/// breaker changes). Each change is published as a complete `SystemSnapshot`, coalesced to one a
/// second under sustained change (`PublishGate`). The connection state is honest: "not connected" with the reason until
/// the endpoint answers, "degraded" naming the API or stream that fails, "disconnected" with the
/// time of the last data when it stops answering. Against endpoints without Signalbox's
/// extensions it polls only, and says nothing about the missing extension.
///
/// Every decision is made by `ProviderCore`, a value; this actor only runs its effects. All
/// its work runs in one task (started by the first subscriber) whose children are the polls,
/// timers and the stream: ending that task — the last subscriber leaving, or `shutdown()` —
/// cancels all of them.
public actor StackProvider: SystemProvider {
    public nonisolated let endpoint: EndpointDescription
    public nonisolated let stackEndpoint: StackEndpoint
    public nonisolated let options: StackProviderOptions

    private let poller: StackPoller
    /// For the tap's calls: the shared client, not the polls' pool, since a tap's long poll
    /// holds its connection for 20 s.
    private let tapClient: AWSClient
    /// The tap feeding the tail (`openTap`), and the one being made.
    private var tap: EventTap?
    private var tapOpening: Task<EventTap, any Error>?
    /// Set by `shutdown`: a tap finished after it is removed at once.
    private var closing = false
    private let actions: StackActions
    /// Every request this provider's clients send (polls, re-reads, actions, the tap): the
    /// status bar's calls a minute.
    private let requests = RequestTally()
    private let clock: any TimeSource
    private var core: ProviderCore

    /// Starts a child of the running task; nil while not running.
    private var spawner: AsyncStream<Job>.Continuation?
    private typealias Job = @Sendable () async -> Void

    /// Subscribers and the running task, kept outside the actor so that subscribing and
    /// `watch` are synchronous.
    private nonisolated let hub = Mutex(Hub())
    private nonisolated let watched = Mutex(Set(DataSection.allCases))
    private nonisolated let executionsOnScreen = Mutex<[String]>([])
    private nonisolated let queuesOnScreen = Mutex<[String]>([])
    private nonisolated let eventPattern = Mutex<String?>(nil)
    /// Ends the stream followed now (its follow returns without reporting an end), and the
    /// number of that stream: frames of an earlier one are not applied.
    private var streamStop: AsyncStream<Void>.Continuation?
    private var streamGeneration = 0

    private struct Hub {
        var subscribers: [UUID: AsyncStream<SystemSnapshot>.Continuation] = [:]
        var latest: SystemSnapshot?
        var running: Task<Void, Never>?
        /// The run cancelled last; the next one waits for it to end before taking over.
        var stopping: Task<Void, Never>?
    }

    public init(endpoint: EndpointDescription, stack: StackEndpoint, options: StackProviderOptions = StackProviderOptions()) {
        self.init(endpoint: endpoint, stack: stack, options: options, clock: SystemClock())
    }

    init(endpoint: EndpointDescription, stack: StackEndpoint, options: StackProviderOptions, clock: any TimeSource) {
        self.endpoint = endpoint
        self.stackEndpoint = stack
        self.options = options
        self.clock = clock
        let aws = AWSClient(endpoint: stack, timeout: options.requestTimeout, httpClient: PollingHTTPClient.shared, tally: requests)
        let extensions = ExtensionClient(endpoint: stack, timeout: options.requestTimeout, httpClient: PollingHTTPClient.shared,
                                         tally: requests)
        self.poller = StackPoller(aws: aws, extensions: extensions, executionsPerMachine: options.executionsPerMachine,
                                  limiter: CallLimiter(clock: clock, quotas: AWSQuota.table(region: stack.region)),
                                  maxPages: options.listPagesAtMost)
        self.actions = StackActions(aws: aws, extensions: extensions, actor: options.actor)
        self.tapClient = AWSClient(endpoint: stack, timeout: options.requestTimeout, tally: requests)
        self.core = ProviderCore(endpoint: endpoint, endpointName: stack.url?.absoluteString ?? "AWS (\(stack.region))",
                                 extensionsPossible: stack.extensionBaseURL != nil, boardElsewhere: stack.boardURL != nil,
                                 options: options, at: Moment(clock))
    }

    /// A provider for an endpoint URL as a user types it (`http://127.0.0.1:4599`).
    public init(url: String, name: String? = nil, region: String = "us-east-1",
                options: StackProviderOptions = StackProviderOptions()) throws {
        let stack = try StackEndpoint(parsing: url, region: region)
        self.init(endpoint: EndpointDescription(name: name ?? stack.url?.host ?? url, url: url, region: region),
                  stack: stack, options: options)
    }

    // MARK: SystemProvider

    /// The first subscriber starts polling (and the stream); the provider stops when the last
    /// one goes. Each subscriber sees only the newest snapshot if it falls behind.
    public nonisolated func snapshots() -> AsyncStream<SystemSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(of: SystemSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        hub.withLock { hub in
            hub.subscribers[id] = continuation
            if let latest = hub.latest { continuation.yield(latest) }
            if hub.running == nil {
                let previous = hub.stopping
                hub.running = Task {
                    await previous?.value
                    await self.run()
                }
            }
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    public nonisolated func watch(_ sections: Set<DataSection>) {
        watched.withLock { $0 = sections }
    }

    public nonisolated func watch(executions: [String]) {
        executionsOnScreen.withLock { $0 = executions }
    }

    public nonisolated func watch(queues: [String]) {
        queuesOnScreen.withLock { $0 = queues }
    }

    /// Taken at the provider's next input (a poll tick at most a refresh interval away).
    public nonisolated func filterEvents(pattern: String?) {
        eventPattern.withLock { $0 = pattern }
    }

    public func perform(_ action: OperatorAction) async throws -> String {
        switch action {
        case .forceBreaker, .releaseBreaker:
            if core.hasExtensions == false, stackEndpoint.boardURL == nil { throw ProviderError.rejected(Self.noBoard) }
        case .openTap(let pattern):
            return try await openTap(pattern: pattern)
        case .removeTaps(let taps):
            return try await removeTaps(taps)
        default:
            break
        }
        let outcome = try await actions.perform(action)
        if spawner != nil {
            receive(.actionAnswered(breakerEntry: outcome.breakerEntry, changed: outcome.changed))
        }
        return outcome.message
    }

    private static let noBoard = "this endpoint has no Signalbox breaker board (breakers are a Signalbox extension)"

    /// Stops polling and streaming, ends every subscriber's stream, and returns once every task
    /// the provider started has ended.
    public func shutdown() async {
        // Finishing a stream calls its termination handler, which takes the lock: finish outside it.
        let (subscribers, running) = hub.withLock { hub in
            defer {
                hub.subscribers = [:]
                hub.running = nil
            }
            return (Array(hub.subscribers.values), hub.running ?? hub.stopping)
        }
        for continuation in subscribers { continuation.finish() }
        running?.cancel()
        await running?.value
        _ = await closeTap()
    }

    // MARK: the tap

    /// Removes the tap, if one runs or is being made: its targets, rules and queue. Returns what
    /// was done (nil: there was no tap), so the console can say so once the terminal is back.
    /// Also called by `shutdown`; a second call finds nothing.
    public func closeTap() async -> TapSweep.Removal? {
        closing = true
        var found = tap
        tap = nil
        if found == nil, let opening = tapOpening { found = try? await opening.value }
        tapOpening = nil
        guard let found else { return nil }
        return await found.close()
    }

    private func openTap(pattern: String?) async throws -> String {
        guard tap == nil, tapOpening == nil else { throw ProviderError.rejected("a tap is already open") }
        guard !closing else { throw ProviderError.rejected("the console is closing") }
        if core.connection.stream == .up { throw ProviderError.rejected("the live stream is up: the tail needs no tap") }
        let plan = TapPlan(user: options.actor, pattern: pattern, lifetime: options.tapLifetime)
        let client = tapClient, clock = self.clock
        let opening = Task { () throws -> EventTap in
            do throws(TapError) {
                return try await EventTap.open(aws: client, plan: plan, clock: clock)
            } catch {
                throw ProviderError.rejected("tap not opened: \(error)")
            }
        }
        tapOpening = opening
        let opened = try await opening.value
        tapOpening = nil
        guard !closing, spawner != nil else {
            _ = await opened.close()
            throw ProviderError.rejected("the console is closing: the tap was removed again")
        }
        tap = opened
        receive(.tap(await opened.status))
        spawn { await self.read(opened) }
        let buses = opened.rules.map(\.bus)
        return "tap \(plan.id) open: queue \(plan.queueName), rule \(plan.ruleName) on \(buses.count) bus\(buses.count == 1 ? "" : "es") (\(buses.joined(separator: ", ")))"
    }

    /// Reads the tap until the run ends: each batch goes in as the stream's frames would; a
    /// failed read is shown on the tap's line and retried with backoff.
    private nonisolated func read(_ tap: EventTap) async {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
        while !Task.isCancelled, await !tap.isClosed {
            var problem: String?
            do throws(TapError) {
                // What was read is taken before the renewal, which may fail: it is deleted already.
                await receive(tapFrames: try await tap.receive())
                try await tap.renewIfDue()
                backoff.reset()
            } catch {
                problem = error.description
            }
            if Task.isCancelled { return }
            var status = await tap.status
            status.problem = problem
            await receive(.tap(status))
            if problem != nil {
                do { try await clock.sleep(for: backoff.next()) } catch { return }
            }
        }
    }

    private func receive(tapFrames frames: [StreamFrame]) {
        receive(.frames(frames))
    }

    private func removeTaps(_ taps: [FoundTap]) async throws -> String {
        var removed: [String] = [], failures: [String] = []
        for found in taps {
            let removal = await TapSweep.remove(found, aws: tapClient)
            removed += removal.removed
            failures += removal.failures.map(\.description)
        }
        guard failures.isEmpty else {
            throw ProviderError.rejected("removed \(removed.count) tap resources; failed: " + failures.joined(separator: "; "))
        }
        return "removed " + (removed.isEmpty ? "nothing" : removed.joined(separator: ", "))
    }

    /// Whether the live stream is subscribed right now (tests wait for it before publishing).
    var streamIsLive: Bool { core.connection.stream == .up }

    private nonisolated func unsubscribe(_ id: UUID) {
        hub.withLock { hub in
            guard hub.subscribers.removeValue(forKey: id) != nil, hub.subscribers.isEmpty else { return }
            hub.running?.cancel()
            hub.stopping = hub.running
            hub.running = nil
        }
    }

    private nonisolated func publish(_ snapshot: SystemSnapshot) {
        hub.withLock { hub in
            hub.latest = snapshot
            for continuation in hub.subscribers.values { continuation.yield(snapshot) }
        }
    }

    // MARK: running the core

    /// The provider's one task: its children do the I/O the core asks for, and end with it.
    private func run() async {
        if Task.isCancelled { return }
        let (jobs, spawner) = AsyncStream.makeStream(of: Job.self)
        self.spawner = spawner
        core.watch(watched.withLock { $0 })
        core.watch(executions: executionsOnScreen.withLock { $0 })
        core.watch(queues: queuesOnScreen.withLock { $0 })
        _ = core.filterEvents(pattern: eventPattern.withLock { $0 }, at: Moment(clock))
        execute(core.start(at: Moment(clock)))
        await withDiscardingTaskGroup { group in
            for await job in jobs { group.addTask(operation: job) }
        }
        self.spawner = nil
        streamStop = nil
    }

    /// One input to the core, its effects run. Inputs from a cancelled run are dropped.
    private func receive(_ input: ProviderCore.Input) {
        guard spawner != nil, !Task.isCancelled else { return }
        core.watch(watched.withLock { $0 })
        core.watch(executions: executionsOnScreen.withLock { $0 })
        core.watch(queues: queuesOnScreen.withLock { $0 })
        execute(core.filterEvents(pattern: eventPattern.withLock { $0 }, at: Moment(clock)))
        core.requestsSent(requests.total, at: Moment(clock))
        execute(core.handle(input, at: Moment(clock)))
    }

    private func execute(_ effects: [ProviderCore.Effect]) {
        for effect in effects {
            switch effect {
            case .publish(let snapshot):
                publish(snapshot)
            case .startTimer(let timer, let delay):
                let clock = self.clock
                spawn {
                    do { try await clock.sleep(for: delay) } catch { return }
                    await self.receive(.timer(timer))
                }
            case .poll(let request):
                let poller = self.poller
                spawn { await self.receive(.polled(await poller.poll(request))) }
            case .fetchHistories(let plan):
                let statuses = Dictionary(core.state.executions.map { ($0.arn, $0.status) }, uniquingKeysWith: { first, _ in first })
                let poller = self.poller
                let limit = options.timelineLimit
                spawn {
                    let result = await Self.fetchHistories(plan, poller: poller, limit: limit)
                    await self.receive(.historiesFetched(result, statuses: statuses))
                }
            case .refreshExecutions(let items):
                let poller = self.poller
                let limit = options.timelineLimit
                spawn {
                    let refreshed = try? await poller.each(items) { (item: ProviderCore.ExecutionRefresh) async throws(APIFailure)
                        -> (Execution, [JSONValue])? in
                        guard let execution = try await poller.describe(execution: item.arn, machineName: item.machine) else { return nil }
                        return (execution, try await poller.history(of: item.arn, after: item.after, limit: limit))
                    }
                    await self.receive(.executionsRefreshed(refreshed ?? []))
                }
            case .fetchMapRuns(let plan):
                let poller = self.poller
                spawn {
                    let read = (try? await poller.each(plan) { (item: (execution: String, mapRuns: [String])) async throws(APIFailure)
                        -> (execution: String, mapRuns: [MapRun])? in
                        var runs: [MapRun] = []
                        for arn in item.mapRuns {
                            runs.append(try await poller.mapRun(arn) ?? .unavailable(arn))
                        }
                        return (item.execution, runs)
                    }) ?? []
                    await self.receive(.mapRunsFetched(read))
                }
            case .refreshBoard:
                let poller = self.poller
                spawn {
                    let result: Result<BreakerBoardListing?, APIFailure>
                    do throws(APIFailure) { result = .success(try await poller.breakerBoard()) } catch { result = .failure(error) }
                    await self.receive(.boardRefreshed(result))
                }
            case .openStream:
                streamStop?.finish()
                let (stop, stopper) = AsyncStream.makeStream(of: Void.self)
                streamStop = stopper
                streamGeneration += 1
                let (generation, plan, endpoint) = (streamGeneration, core.streamSubscriptions, stackEndpoint)
                spawn { await self.follow(plan, endpoint: endpoint, generation: generation, stop: stop) }
            }
        }
    }

    private func spawn(_ job: @escaping Job) {
        spawner?.yield(job)
    }

    private static func fetchHistories(_ plan: [(arn: String, after: Int?)], poller: StackPoller,
                                       limit: Int) async -> Result<[(String, [JSONValue])], APIFailure> {
        do throws(APIFailure) {
            return .success(try await poller.each(plan) { (item: (arn: String, after: Int?)) async throws(APIFailure) -> (String, [JSONValue])? in
                do throws(APIFailure) {
                    return (item.arn, try await poller.history(of: item.arn, after: item.after, limit: limit))
                } catch where isServiceError(error, "ExecutionDoesNotExist") {
                    return nil
                }
            })
        } catch {
            return .failure(error)
        }
    }

    /// How often the frames received meanwhile are taken from the live stream: at most this
    /// often the actor is woken for them (one hop per batch, not per frame), well inside the
    /// snapshots' own pace of four a second.
    static let streamPace: Duration = .milliseconds(50)

    /// Follows the live stream — one connection per subscription of `plan` — until one of them
    /// ends (then the others are closed and the end reported), `stop` finishes (a new plan
    /// replaced this one: nothing is reported), or the task is cancelled.
    private nonisolated func follow(_ plan: [(topics: [StreamTopic], pattern: String?)], endpoint: StackEndpoint,
                                    generation: Int, stop: AsyncStream<Void>) async {
        let ended: ProviderCore.Input? = await withTaskGroup(of: ProviderCore.Input?.self) { group in
            for subscription in plan {
                group.addTask { await self.follow(StreamClient(endpoint: endpoint), subscription, generation: generation) }
            }
            group.addTask {
                for await _ in stop {}
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let ended, !Task.isCancelled else { return }
        await receive(ended, generation: generation)
    }

    /// One connection of the stream. Each batch waits for the actor, so a slow console leaves
    /// frames in the client's bounded inbox, which then drops and counts (as the stack does for
    /// its viewers) instead of memory growing here. Returns how it ended.
    private nonisolated func follow(_ client: StreamClient, _ subscription: (topics: [StreamTopic], pattern: String?),
                                    generation: Int) async -> ProviderCore.Input {
        do {
            let pattern = try subscription.pattern.map { try JSONValue(parsing: $0) }
            // Deliveries carry the messages they wrote (one frame per event, not one more per
            // queue reached): `LiveState` reads them as the `sent` frames they replace.
            for try await batch in try client.frameBatches(topics: subscription.topics, pattern: pattern, sentWithEvents: true,
                                                           buffer: 4096) {
                await receive(frames: batch, generation: generation)
                try await clock.sleep(for: Self.streamPace)
            }
            return .streamEnded(reason: "the stack closed it")
        } catch StackClientError.noExtension(let absence) {
            return .streamAbsent(reason: absence.reason)
        } catch {
            return .streamEnded(reason: Self.streamReason(error))
        }
    }

    private func receive(frames: [StreamFrame], generation: Int) {
        guard generation == streamGeneration else { return }
        receive(.frames(frames))
    }

    private func receive(_ input: ProviderCore.Input, generation: Int) {
        guard generation == streamGeneration else { return }
        receive(input)
    }

    private static func streamReason(_ error: any Error) -> String {
        if let error = error as? StackClientError, case .transport(let why) = error {
            return why.hasPrefix("live stream: ") ? String(why.dropFirst("live stream: ".count)) : why
        }
        return "\(error)"
    }

    /// The cause of a failed connection in the operator's words (NIO's errors are verbose).
    static func transportReason(_ error: StackClientError) -> String {
        guard case .transport(let why) = error else { return error.description }
        let lowered = why.lowercased()
        if lowered.contains("connection refused") { return "connection refused" }
        if lowered.contains("getaddrinfo") || lowered.contains("dns") || lowered.contains("no such host") { return "host not found" }
        if lowered.contains("connection reset") { return "connection reset" }
        if lowered.contains("network is unreachable") { return "network unreachable" }
        return why.count <= 120 ? why : String(why.prefix(119)) + "…"
    }
}
