import Foundation
import JSON
import StackClient
import StackProtocol

/// The console's view of a live system: the local stack, moto, LocalStack, or any endpoint
/// speaking the AWS JSON protocols.
///
/// It polls every API the panes need at the refresh interval and, when the endpoint is the
/// Signalbox stack, also follows its live stream (events with their matched rules and delivery
/// outcomes, queue counts between polls, execution and breaker changes). One actor owns the
/// latest state; each change is published as a complete `SystemSnapshot`, coalesced to at most
/// ten a second. The connection state is honest: "not connected" with the reason until the
/// endpoint answers, "degraded" naming the API or stream that fails, "disconnected" with the
/// time of the last data when it stops answering. Against endpoints without Signalbox's
/// extensions it polls only, and says nothing about the missing extension.
public actor StackProvider: SystemProvider {
    public nonisolated let endpoint: EndpointDescription
    public nonisolated let stackEndpoint: StackEndpoint
    public nonisolated let options: StackProviderOptions

    private let poller: StackPoller
    private let actions: StackActions
    private var state: LiveState

    private var subscribers: [UUID: AsyncStream<SystemSnapshot>.Continuation] = [:]
    private var ended: Set<UUID> = []
    private var pollTask: Task<Void, Never>?
    private var streamTask: Task<Void, Never>?

    // Publishing: at most one pending publish, at least `minimumGap` apart.
    private static let minimumGap: Duration = .milliseconds(100)
    private let clock = ContinuousClock()
    private var publishScheduled = false
    private var lastPublish: ContinuousClock.Instant?

    // Waking the poll loop early (after an action).
    private var waiter: CheckedContinuation<Void, Never>?
    private var waiterID = 0
    private var pollRequested = false

    // Connection bookkeeping.
    private var everAnswered = false
    private var lastAnswer: Date?
    /// Why the last poll got no answer at all; nil when it got one.
    private var unreachable: String?
    /// The failing API of each section in the last poll (section → description).
    private var failures: [String: String] = [:]
    /// Whether the endpoint serves `/_signalbox/` (nil: not known yet).
    private var hasExtensions: Bool?
    private var lastExtensionProbe: Date?
    private var hasBoard = true
    private var stream: StreamStatus = .off
    private var connectionLabel = ""
    private var connectionSince = Date()

    // Stream-triggered refreshes.
    private var executionsToRefresh: Set<String> = []
    private var refreshingExecutions = false
    private var boardRefreshPending = false

    enum StreamStatus: Sendable, Equatable {
        case off, connecting, up
        case down(String)
    }

    public init(endpoint: EndpointDescription, stack: StackEndpoint, options: StackProviderOptions = StackProviderOptions()) {
        self.endpoint = endpoint
        self.stackEndpoint = stack
        self.options = options
        let aws = AWSClient(endpoint: stack, timeout: options.requestTimeout, httpClient: PollingHTTPClient.shared)
        let extensions = ExtensionClient(endpoint: stack, timeout: options.requestTimeout, httpClient: PollingHTTPClient.shared)
        self.poller = StackPoller(aws: aws, extensions: extensions, executionsPerMachine: options.executionsPerMachine)
        self.actions = StackActions(aws: aws, extensions: extensions, actor: options.actor)
        self.state = LiveState(eventLimit: options.recentEventLimit, timelineLimit: options.timelineLimit)
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
        continuation.onTermination = { _ in Task { await self.removeSubscriber(id) } }
        Task { await self.addSubscriber(id, continuation) }
        return stream
    }

    public func perform(_ action: OperatorAction) async throws -> String {
        let boardElsewhere = stackEndpoint.boardURL != nil
        if case .forceBreaker = action, hasExtensions == false, !boardElsewhere { throw noBoard }
        if case .releaseBreaker = action, hasExtensions == false, !boardElsewhere { throw noBoard }
        let result = try await actions.perform(action)
        requestPoll()
        return result
    }

    private var noBoard: ProviderError {
        .rejected("this endpoint has no Signalbox breaker board (breakers are a Signalbox extension)")
    }

    /// Stops polling and streaming and ends every subscriber's stream.
    public func shutdown() {
        pollTask?.cancel()
        streamTask?.cancel()
        pollTask = nil
        streamTask = nil
        wakePollLoop()
        for continuation in subscribers.values { continuation.finish() }
        subscribers = [:]
    }

    // MARK: subscribers

    private func addSubscriber(_ id: UUID, _ continuation: AsyncStream<SystemSnapshot>.Continuation) {
        if ended.remove(id) != nil { return }
        subscribers[id] = continuation
        continuation.yield(currentSnapshot())
        if pollTask == nil {
            pollTask = Task { await self.pollLoop() }
        }
    }

    private func removeSubscriber(_ id: UUID) {
        guard subscribers.removeValue(forKey: id) != nil else {
            ended.insert(id)
            return
        }
        if subscribers.isEmpty {
            pollTask?.cancel()
            streamTask?.cancel()
            pollTask = nil
            streamTask = nil
            stream = .off
            wakePollLoop()
        }
    }

    // MARK: publishing

    private func currentSnapshot() -> SystemSnapshot {
        let now = Date()
        return state.snapshot(connection: connection(now: now), endpoint: endpoint, at: now)
    }

    /// Publishes soon: changes within `minimumGap` of the last snapshot share the next one.
    private func changed() {
        guard !publishScheduled else { return }
        publishScheduled = true
        let wait = lastPublish.map { Self.minimumGap - (clock.now - $0) } ?? .zero
        Task {
            if wait > .zero { try? await Task.sleep(for: wait) }
            self.publish()
        }
    }

    private func publish() {
        publishScheduled = false
        lastPublish = clock.now
        let snapshot = currentSnapshot()
        for continuation in subscribers.values { continuation.yield(snapshot) }
    }

    /// The connection as the status bar shows it; `since` only moves when the label does.
    private func connection(now: Date) -> ConnectionState {
        let url = stackEndpoint.url?.absoluteString ?? "AWS (\(stackEndpoint.region))"
        let retry = "retrying"
        let state: ConnectionState
        if let unreachable {
            if everAnswered {
                state = .disconnected(reason: "\(url) stopped answering (\(unreachable)); \(retry)", lastSeen: lastAnswer)
            } else {
                state = .notConnected(reason: "no answer from \(url) (\(unreachable)); \(retry)")
            }
        } else if !everAnswered {
            state = .connecting
        } else {
            var problems = failures.keys.sorted().compactMap { failures[$0] }
            if case .down(let why) = stream {
                problems.append("live stream down (\(why)); polling every \(Self.format(options.refreshInterval))")
            }
            if problems.isEmpty {
                state = .connected(since: since(label: "connected", now: now))
            } else {
                state = .degraded(reason: problems.joined(separator: "; "), since: since(label: "degraded", now: now))
            }
        }
        if case .connected = state {} else if case .degraded = state {} else { _ = since(label: state.label, now: now) }
        return state
    }

    private func since(label: String, now: Date) -> Date {
        if label != connectionLabel {
            connectionLabel = label
            connectionSince = now
        }
        return connectionSince
    }

    static func format(_ duration: Duration) -> String {
        let ms = Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }

    // MARK: polling

    private func pollLoop() async {
        let refresh = max(options.refreshInterval, .milliseconds(50))
        var backoff = Backoff(initial: refresh, maximum: max(refresh, .seconds(5)))
        while !Task.isCancelled {
            await pollOnce()
            if Task.isCancelled { break }
            let delay: Duration
            if unreachable != nil {
                delay = backoff.next()
            } else {
                backoff.reset()
                delay = refresh
            }
            await sleep(for: delay)
        }
    }

    private func requestPoll() {
        if waiter != nil { wakePollLoop() } else { pollRequested = true }
    }

    private func wakePollLoop() {
        waiter?.resume()
        waiter = nil
    }

    /// Sleeps for `delay`, or less when an action asks for a fresh poll.
    private func sleep(for delay: Duration) async {
        if pollRequested {
            pollRequested = false
            return
        }
        waiterID += 1
        let id = waiterID
        let timer = Task {
            try? await Task.sleep(for: delay)
            self.timerFired(id)
        }
        await withCheckedContinuation { continuation in waiter = continuation }
        timer.cancel()
    }

    private func timerFired(_ id: Int) {
        if id == waiterID { wakePollLoop() }
    }

    private func pollOnce() async {
        let poller = self.poller
        if stackEndpoint.extensionBaseURL != nil, hasExtensions != true,
           lastExtensionProbe.map({ Date().timeIntervalSince($0) > 30 }) ?? true || hasExtensions == nil {
            let probed = await poller.hasExtensions()
            if probed != nil { lastExtensionProbe = Date() }
            hasExtensions = probed ?? hasExtensions
        }
        let askBoard = hasExtensions == true || stackEndpoint.boardURL != nil
        async let bus = Self.capture { () async throws(APIFailure) in try await poller.eventBridge() }
        async let sqs = Self.capture { () async throws(APIFailure) in try await poller.sqs() }
        async let sfn = Self.capture { () async throws(APIFailure) in try await poller.stepFunctions() }
        async let map = Self.capture { () async throws(APIFailure) in try await poller.cloudMap() }
        async let board = Self.capture { () async throws(APIFailure) -> BreakerBoardListing? in
            if askBoard { return try await poller.breakerBoard() }
            return nil
        }
        let results = await (bus: bus, sqs: sqs, sfn: sfn, map: map, board: board)

        var answered = false
        var transport: String?
        func note<T>(_ section: String, _ result: Result<T, APIFailure>) -> T? {
            switch result {
            case .success(let value):
                answered = true
                failures[section] = nil
                return value
            case .failure(let failure):
                if failure.isTransport {
                    transport = transport ?? Self.transportReason(failure.error)
                } else {
                    answered = true
                }
                failures[section] = failure.description
                return nil
            }
        }
        if let found = note("1 EventBridge", results.bus) {
            state.buses = found.buses
            state.rules = found.rules
        }
        if let queues = note("2 SQS", results.sqs) {
            state.queues = queues
        }
        if let found = note("3 Step Functions", results.sfn) {
            state.machines = found.machines
            state.applyExecutions(found.executions)
        }
        if let registry = note("4 Cloud Map", results.map) {
            state.registry = registry
        }
        if askBoard, let entries = note("5 breaker board", results.board) {
            hasBoard = entries != nil
            if let entries {
                failures["5 breaker board"] = state.applyBoard(entries)
            } else {
                state.breakers = []
            }
        }

        if answered {
            unreachable = nil
            everAnswered = true
            lastAnswer = Date()
            await fetchHistories()
            startStreamIfUseful()
        } else {
            unreachable = transport ?? "no answer"
            // With nothing answering, the per-API failures say the same thing again.
            failures = [:]
        }
        changed()
    }

    private static func capture<T>(_ body: () async throws(APIFailure) -> T) async -> Result<T, APIFailure> {
        do throws(APIFailure) {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
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

    /// Extends the timelines the plan asks for; a failure leaves the cached part as it was.
    private func fetchHistories() async {
        let plan = state.historyPlan(budget: options.historyFetchesPerPoll)
        guard !plan.isEmpty else {
            failures["6 Step Functions history"] = nil
            return
        }
        let statuses = Dictionary(state.executions.map { ($0.arn, $0.status) }, uniquingKeysWith: { first, _ in first })
        let poller = self.poller
        let limit = options.timelineLimit
        let fetched: [(String, [JSONValue])]
        do throws(APIFailure) {
            fetched = try await poller.each(plan) { (item: (arn: String, after: Int?)) async throws(APIFailure) -> (String, [JSONValue])? in
                do throws(APIFailure) {
                    return (item.arn, try await poller.history(of: item.arn, after: item.after, limit: limit))
                } catch where isServiceError(error, "ExecutionDoesNotExist") {
                    return nil
                }
            }
            failures["6 Step Functions history"] = nil
        } catch {
            failures["6 Step Functions history"] = error.description
            return
        }
        for (arn, events) in fetched {
            state.applyHistory(events, arn: arn, status: statuses[arn] ?? .running)
        }
    }

    // MARK: live stream

    /// Whether the live stream is subscribed right now (tests wait for it before publishing).
    var streamIsLive: Bool { stream == .up }

    private func startStreamIfUseful() {
        guard options.useLiveStream, hasExtensions == true, streamTask == nil, !subscribers.isEmpty else { return }
        stream = .connecting
        streamTask = Task { await self.streamLoop() }
    }

    private func streamLoop() async {
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(15))
        let client = StreamClient(endpoint: stackEndpoint)
        while !Task.isCancelled {
            do {
                let frames = try client.frames(topics: StreamTopic.all, buffer: 4096)
                for try await frame in frames {
                    if handle(frame) { backoff.reset() }
                }
                if Task.isCancelled { break }
                stream = .down("the stack closed it")
            } catch {
                if Task.isCancelled { break }
                stream = .down(Self.streamReason(error))
            }
            changed()
            try? await Task.sleep(for: backoff.next())
            if !Task.isCancelled { stream = .connecting }
        }
    }

    private static func streamReason(_ error: any Error) -> String {
        if let error = error as? StackClientError, case .transport(let why) = error {
            return why.hasPrefix("live stream: ") ? String(why.dropFirst("live stream: ".count)) : why
        }
        return "\(error)"
    }

    /// Applies one frame; true when it was the subscription's acknowledgement.
    private func handle(_ frame: StreamFrame) -> Bool {
        switch state.apply(frame: frame) {
        case .ignored:
            return false
        case .changed:
            changed()
        case .subscribed:
            stream = .up
            changed()
            return true
        case .refreshExecution(let arn):
            executionsToRefresh.insert(arn)
            if !refreshingExecutions {
                refreshingExecutions = true
                Task { await self.refreshExecutions() }
            }
        case .refreshBreakers:
            if !boardRefreshPending {
                boardRefreshPending = true
                Task { await self.refreshBoard() }
            }
        }
        return false
    }

    /// Re-reads the executions the stream said changed, a batch at a time.
    private func refreshExecutions() async {
        try? await Task.sleep(for: Self.minimumGap)
        let batch = Array(executionsToRefresh.prefix(options.historyFetchesPerPoll))
        executionsToRefresh.subtract(batch)
        let poller = self.poller
        let limit = options.timelineLimit
        let known = Dictionary(state.executions.map { ($0.arn, $0.stateMachineName) }, uniquingKeysWith: { first, _ in first })
        let cached = state.histories.mapValues(\.lastEventId)
        let items = batch.map { (arn: $0, machine: known[$0] ?? Self.machineName(ofExecution: $0), after: cached[$0] ?? nil) }
        let results = try? await poller.each(items) { (item: (arn: String, machine: String, after: Int?)) async throws(APIFailure)
            -> (Execution, [JSONValue])? in
            guard let execution = try await poller.describe(execution: item.arn, machineName: item.machine) else { return nil }
            return (execution, try await poller.history(of: item.arn, after: item.after, limit: limit))
        }
        for (execution, events) in results ?? [] {
            state.update(execution)
            state.applyHistory(events, arn: execution.arn, status: execution.status)
        }
        changed()
        if executionsToRefresh.isEmpty {
            refreshingExecutions = false
        } else {
            Task { await self.refreshExecutions() }
        }
    }

    /// `arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME` → `MACHINE`.
    static func machineName(ofExecution arn: String) -> String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 8 ? String(parts[6]) : ""
    }

    private func refreshBoard() async {
        try? await Task.sleep(for: Self.minimumGap)
        boardRefreshPending = false
        do throws(APIFailure) {
            if let entries = try await poller.breakerBoard() {
                failures["5 breaker board"] = state.applyBoard(entries)
            }
        } catch {
            failures["5 breaker board"] = error.description
        }
        changed()
    }
}
