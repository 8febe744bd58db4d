import Foundation
import JSON
import StackClient
import StackProtocol

/// A call that failed during a poll, named the way the status bar shows it
/// ("SQS GetQueueAttributes: AccessDenied: …").
struct APIFailure: Error, Sendable {
    /// `Service Operation`, e.g. `EventBridge ListRules`.
    var api: String
    var error: StackClientError

    /// No answer at all (refused, reset, timed out), as opposed to an error the service sent.
    var isTransport: Bool {
        if case .transport = error { return true }
        return false
    }

    var description: String { "\(api): \(error)" }

    /// AWS said to slow down: the codes its services throttle with (Step Functions and
    /// EventBridge `ThrottlingException`, `TooManyRequestsException`, Cloud Map
    /// `RequestLimitExceeded`, SQS `RequestThrottled`, the query protocols' `Throttling`).
    var isThrottled: Bool { isServiceError(self, "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
                                           "RequestThrottled", "Throttling", "ThrottledException") }
}

/// The polling half of the stack provider: one method per service, each listing everything the
/// console shows through that service's public AWS JSON API. It holds no state; the provider
/// decides what to keep when a section fails (the last data seen, marked degraded).
struct StackPoller: Sendable {
    let aws: AWSClient
    let extensions: ExtensionClient
    /// Most recent executions listed per state machine.
    let executionsPerMachine: Int
    /// Every call waits for its API's token first (AWS's quotas); nil: not limited.
    var limiter: CallLimiter? = nil
    /// Pages followed per list call: bounds a poll against a huge account. A listing that
    /// stops here with pages left is recorded (`ListCuts`), and the status bar says so.
    var maxPages = StackPoller.defaultMaxPages

    /// Per-item calls (attributes of each queue, targets of each rule) run this many at once.
    static let concurrency = 4
    static let defaultMaxPages = 20

    static func name(of service: AWSService) -> String {
        switch service.targetPrefix {
        case AWSService.sqs.targetPrefix: "SQS"
        case AWSService.eventBridge.targetPrefix: "EventBridge"
        case AWSService.stepFunctions.targetPrefix: "Step Functions"
        case AWSService.cloudMap.targetPrefix: "Cloud Map"
        default: service.targetPrefix
        }
    }

    func call(_ service: AWSService, _ operation: String, _ input: JSONValue = [:]) async throws(APIFailure) -> JSONValue {
        let api = "\(Self.name(of: service)) \(operation)"
        await limiter?.admit(api)
        CallCount.current?.add(1)
        do throws(StackClientError) {
            return try await aws.call(service, operation, input)
        } catch {
            throw APIFailure(api: api, error: error)
        }
    }

    /// Every item of a paginated list call (`itemsKey`), following `tokenKey` up to `maxPages`.
    /// Stopped there with pages left, the listing is recorded as cut (`ListCuts.current`).
    func paged(_ service: AWSService, _ operation: String, _ input: JSONObject = [:], itemsKey: String,
               tokenKey: String = "NextToken", calls: CallCount? = nil) async throws(APIFailure) -> [JSONValue] {
        var items: [JSONValue] = []
        var request = input
        for _ in 0..<max(1, maxPages) {
            calls?.add(1)
            let page = try await call(service, operation, .object(request))
            items += page[itemsKey]?.arrayValue ?? []
            guard let token = page[tokenKey]?.stringValue, !token.isEmpty else { return items }
            request[tokenKey] = .string(token)
        }
        ListCuts.current?.cut("\(Self.name(of: service)) \(operation)", shown: items.count)
        return items
    }

    /// Runs `body` for each element, `concurrency` at a time, keeping the input order. The first
    /// failure (in input order) is thrown after those started have finished.
    func each<T: Sendable, R: Sendable>(_ elements: [T],
                                        _ body: @escaping @Sendable (T) async throws(APIFailure) -> R?) async throws(APIFailure) -> [R] {
        var results = [Result<R?, APIFailure>?](repeating: nil, count: elements.count)
        await withTaskGroup(of: (Int, Result<R?, APIFailure>).self) { group in
            var next = 0
            func start() {
                let index = next
                let element = elements[index]
                next += 1
                group.addTask {
                    do throws(APIFailure) { return (index, .success(try await body(element))) }
                    catch { return (index, .failure(error)) }
                }
            }
            while next < min(Self.concurrency, elements.count) { start() }
            // After a failure no more are started: the first one is thrown anyway, and an API
            // that throttles is not asked again and again in the same poll.
            var failed = false
            while let finished = await group.next() {
                results[finished.0] = finished.1
                if case .failure = finished.1 { failed = true }
                if next < elements.count, !failed { start() }
            }
        }
        var out: [R] = []
        for result in results {
            switch result {
            case .success(let value?)?: out.append(value)
            case .failure(let failure)?: throw failure
            default: continue
            }
        }
        return out
    }

    // MARK: EventBridge

    /// Every bus and its rules. A rule's targets are read (`ListTargetsByRule`) only when it is
    /// new, its listing changed since `targets` was read (name, state, pattern, description,
    /// `ModifiedBy`… anything ListRules says), or it is in `targets.due`; otherwise the targets
    /// held are kept. Returns each rule's listing, to compare with the next one.
    func eventBridge(targets known: RuleTargetsRequest = RuleTargetsRequest(),
                     listArchives: Bool = true) async throws(APIFailure) -> EventBridgeListing {
        let buses = try await paged(.eventBridge, "ListEventBuses", ["Limit": 100], itemsKey: "EventBuses")
            .compactMap(WireDecoding.bus)
        let perBus = try await each(buses) { (bus: EventBus) async throws(APIFailure) -> [(Rule, JSONValue, Bool)]? in
            let listed = try await paged(.eventBridge, "ListRules", ["EventBusName": .string(bus.name), "Limit": 100],
                                         itemsKey: "Rules").compactMap { json in WireDecoding.rule(json, bus: bus.name).map { ($0, json) } }
            return try await each(listed) { (entry: (Rule, JSONValue)) async throws(APIFailure) -> (Rule, JSONValue, Bool)? in
                var (rule, listing) = entry
                if let held = known.held[rule.arn], held.listing == listing, !known.due.contains(rule.arn) {
                    rule.targets = held.targets
                    return (rule, listing, false)
                }
                do throws(APIFailure) {
                    rule.targets = try await paged(.eventBridge, "ListTargetsByRule",
                                                   ["Rule": .string(rule.name), "EventBusName": .string(bus.name), "Limit": 100],
                                                   itemsKey: "Targets").compactMap(WireDecoding.target)
                } catch where isServiceError(error, "ResourceNotFoundException") {
                    return nil  // deleted between the list and this call
                }
                return (rule, listing, true)
            }
        }
        let rules = perBus.flatMap { $0 }
        var listing = EventBridgeListing(buses: buses, rules: rules.map(\.0),
                                         listings: Dictionary(rules.map { ($0.0.arn, $0.1) }, uniquingKeysWith: { first, _ in first }),
                                         targetsRead: Set(rules.filter(\.2).map(\.0.arn)))
        if listArchives { try await readArchives(into: &listing) }
        return listing
    }

    /// The archives, and their replays when there is an archive (a replay needs one): one call
    /// a poll on an account without archives. A refusal (no such API, no permission) leaves the
    /// rest of the listing standing and says why; throttling and transport failures fail the
    /// part as any other call's do.
    private func readArchives(into listing: inout EventBridgeListing) async throws(APIFailure) {
        do throws(APIFailure) {
            listing.archives = try await paged(.eventBridge, "ListArchives", ["Limit": 100], itemsKey: "Archives")
                .compactMap(WireDecoding.archive)
            if !listing.archives.isEmpty {
                listing.replays = try await paged(.eventBridge, "ListReplays", ["Limit": 100], itemsKey: "Replays")
                    .compactMap(WireDecoding.replay)
            }
        } catch where !error.isTransport && !error.isThrottled {
            listing.archivesRefused = error.description
        }
    }

    // MARK: SQS

    /// `ListQueues` (all pages) when `request.list`, then `GetQueueAttributes` for the queues
    /// asked for and, after a listing, for every listed queue not in `request.known` (new ones).
    /// A queue asked for that the listing no longer has is not read.
    func sqs(_ request: QueueReadRequest = QueueReadRequest(list: true)) async throws(APIFailure) -> QueueReads {
        var listed: [String]?
        var urls = request.read
        if request.list {
            let all = try await paged(.sqs, "ListQueues", ["MaxResults": 1000], itemsKey: "QueueUrls").compactMap(\.stringValue)
            let present = Set(all)
            urls = urls.filter(present.contains) + all.filter { !request.known.contains($0) && !request.read.contains($0) }
            listed = all
        }
        let queues = try await each(urls) { (url: String) async throws(APIFailure) -> Queue? in
            do throws(APIFailure) {
                let answer = try await call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(url), "AttributeNames": ["All"]])
                return WireDecoding.queue(url: url, attributes: answer["Attributes"])
            } catch where isServiceError(error, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist") {
                return nil
            }
        }
        let read = Set(queues.map(\.url))
        return QueueReads(listed: listed, queues: queues, gone: urls.filter { !read.contains($0) })
    }

    // MARK: Step Functions

    /// State machines (with the definitions of those not in `knownDefinitions`) and, with
    /// `executions`, their executions without timelines: every running one first
    /// (`statusFilter=RUNNING`, all pages), newest first, so a stuck saga is never hidden
    /// behind fresh successes; then the most recent ended ones of each machine.
    /// At most `describeAtMost` machines are described, in listed order; the others come
    /// without a definition this time.
    func stepFunctions(executions: Bool = true, knownDefinitions: Set<String> = [], describeAtMost: Int = .max,
                       listCalls: CallCount? = nil) async throws(APIFailure)
        -> (machines: [StateMachine], executions: [Execution]?) {
        let listed = try await paged(.stepFunctions, "ListStateMachines", ["maxResults": 1000], itemsKey: "stateMachines",
                                     tokenKey: "nextToken").compactMap(WireDecoding.stateMachine)
        let described = Set(listed.lazy.map(\.arn).filter { !knownDefinitions.contains($0) }.prefix(max(0, describeAtMost)))
        let machines = try await each(listed) { (machine: StateMachine) async throws(APIFailure) -> StateMachine? in
            guard described.contains(machine.arn) else { return machine }
            var machine = machine
            do throws(APIFailure) {
                let answer = try await call(.stepFunctions, "DescribeStateMachine", ["stateMachineArn": .string(machine.arn)])
                machine.definition = answer["definition"]?.stringValue
            } catch where isServiceError(error, "StateMachineDoesNotExist") {
                return nil
            }
            return machine
        }.sorted { $0.name < $1.name }
        guard executions else { return (machines, nil) }
        let limit = executionsPerMachine
        let perMachine = try await each(machines) { (machine: StateMachine) async throws(APIFailure) -> (running: [Execution], ended: [Execution])? in
            do throws(APIFailure) {
                let running = try await paged(.stepFunctions, "ListExecutions",
                                              ["stateMachineArn": .string(machine.arn), "statusFilter": "RUNNING", "maxResults": 1000],
                                              itemsKey: "executions", tokenKey: "nextToken", calls: listCalls)
                    .compactMap { WireDecoding.execution($0, machineName: machine.name) }
                listCalls?.add(1)
                let page = try await call(.stepFunctions, "ListExecutions",
                                          ["stateMachineArn": .string(machine.arn), "maxResults": .number(Double(limit))])
                let ended = (page["executions"]?.arrayValue ?? []).compactMap { WireDecoding.execution($0, machineName: machine.name) }
                    .filter { $0.status != .running }
                return (running, ended)
            } catch where isServiceError(error, "StateMachineDoesNotExist") {
                return nil
            }
        }
        return (machines, Self.listing(running: perMachine.flatMap(\.running), ended: perMachine.flatMap(\.ended)))
    }

    /// A Map Run (DescribeMapRun) with the first page of its children (ListExecutions with
    /// `mapRunArn`); nil when the endpoint does not know it or has no Map Runs.
    func mapRun(_ arn: String) async throws(APIFailure) -> MapRun? {
        do throws(APIFailure) {
            let described = try await call(.stepFunctions, "DescribeMapRun", ["mapRunArn": .string(arn)])
            let listed = try await call(.stepFunctions, "ListExecutions", ["mapRunArn": .string(arn), "maxResults": 100])
            return MapRun(described: described, listed: listed)
        } catch where isServiceError(error, "ResourceNotFound", "UnknownOperationException", "InvalidArn") {
            return nil
        }
    }

    /// Running executions newest first, then ended ones newest first, each execution once. The
    /// two lists come from two calls: one that ended between them is in both, and the later
    /// call's answer (ended) is the one kept.
    static func listing(running: [Execution], ended: [Execution]) -> [Execution] {
        func newestFirst(_ list: [Execution]) -> [Execution] { list.sorted { ($0.startDate, $0.arn) > ($1.startDate, $1.arn) } }
        let endedArns = Set(ended.map(\.arn))
        return newestFirst(running.filter { !endedArns.contains($0.arn) }) + newestFirst(ended)
    }

    /// The history events of `arn` newer than `after`, oldest first, with their inputs and
    /// outputs. The first fetch (`after` nil) pages from the oldest event, up to `limit`
    /// events; later ones page backwards from the newest until `after`, so a long history
    /// costs one small page per poll once it is cached.
    func history(of arn: String, after: Int?, limit: Int) async throws(APIFailure) -> [JSONValue] {
        guard let after else {
            var events: [JSONValue] = []
            var request: JSONObject = ["executionArn": .string(arn), "maxResults": 1000, "includeExecutionData": true]
            while events.count < limit {
                let page = try await call(.stepFunctions, "GetExecutionHistory", .object(request))
                events += (page["events"]?.arrayValue ?? []).prefix(limit - events.count)
                guard let token = page["nextToken"]?.stringValue, !token.isEmpty else { break }
                request["nextToken"] = .string(token)
            }
            return events
        }
        var newestFirst: [JSONValue] = []
        var request: JSONObject = ["executionArn": .string(arn), "reverseOrder": true, "maxResults": 100,
                                  "includeExecutionData": true]
        pages: for _ in 0..<max(maxPages, limit / 100 + 1) {
            let page = try await call(.stepFunctions, "GetExecutionHistory", .object(request))
            for event in page["events"]?.arrayValue ?? [] {
                if let id = event["id"]?.intValue, id <= after { break pages }
                newestFirst.append(event)
                if newestFirst.count >= limit { break pages }
            }
            guard let token = page["nextToken"]?.stringValue, !token.isEmpty else { break }
            request["nextToken"] = .string(token)
        }
        return newestFirst.reversed()
    }

    /// `DescribeExecution`, for an execution the live stream says changed.
    func describe(execution arn: String, machineName: String) async throws(APIFailure) -> Execution? {
        let answer = try await call(.stepFunctions, "DescribeExecution", ["executionArn": .string(arn)])
        return WireDecoding.execution(answer, machineName: machineName)
    }

    // MARK: Cloud Map

    func cloudMap() async throws(APIFailure) -> [RegistryService] {
        let namespaces = try await paged(.cloudMap, "ListNamespaces", ["MaxResults": 100], itemsKey: "Namespaces")
        var namespaceNames: [String: String] = [:]
        for namespace in namespaces {
            if let id = namespace["Id"]?.stringValue { namespaceNames[id] = namespace["Name"]?.stringValue ?? id }
        }
        let names = namespaceNames
        // AWS's ServiceSummary (ListServices) carries no NamespaceId: a service's namespace is
        // known only by listing each namespace's services (filter NAMESPACE_ID). A server that
        // ignores the filter but names the namespace in the summary (moto) is believed, and a
        // service is listed once.
        var services: [(summary: JSONValue, namespaceId: String)] = []
        var seen: Set<String> = []
        for namespaceId in namespaces.compactMap({ $0["Id"]?.stringValue }) {
            let filter: JSONValue = ["Name": "NAMESPACE_ID", "Values": .array([.string(namespaceId)]), "Condition": "EQ"]
            for summary in try await paged(.cloudMap, "ListServices", ["MaxResults": 100, "Filters": .array([filter])], itemsKey: "Services") {
                guard let id = summary["Id"]?.stringValue, seen.insert(id).inserted else { continue }
                services.append((summary, summary["NamespaceId"]?.stringValue ?? namespaceId))
            }
        }
        let listed = try await each(services) { (entry: (summary: JSONValue, namespaceId: String)) async throws(APIFailure) -> RegistryService? in
            let (service, namespaceId) = entry
            guard let id = service["Id"]?.stringValue, let name = service["Name"]?.stringValue else { return nil }
            do throws(APIFailure) {
                let instances = try await paged(.cloudMap, "ListInstances", ["ServiceId": .string(id), "MaxResults": 100],
                                                itemsKey: "Instances")
                var health: [String: String] = [:]
                if !instances.isEmpty {
                    let status = try await call(.cloudMap, "GetInstancesHealthStatus", ["ServiceId": .string(id)])
                    for (instance, value) in status["Status"]?.objectValue ?? [:] { health[instance] = value.stringValue }
                }
                return RegistryService(name: name, id: id, namespace: names[namespaceId] ?? namespaceId,
                                       instances: instances.compactMap { WireDecoding.instance($0, health: health) })
            } catch where isServiceError(error, "ServiceNotFound") {
                return nil
            }
        }
        return listed.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }

    // MARK: Signalbox extensions

    /// Whether the endpoint serves Signalbox's extensions: `GET /_signalbox/health` answers.
    /// nil when the endpoint did not answer at all (unknown yet).
    func hasExtensions() async -> Bool? {
        guard aws.endpoint.extensionBaseURL != nil else { return false }
        do throws(StackClientError) {
            _ = try await extensions.health()
            return true
        } catch {
            if case .transport = error { return nil }
            return false
        }
    }

    /// The breaker board's listing; nil when this endpoint has no board.
    func breakerBoard() async throws(APIFailure) -> BreakerBoardListing? {
        CallCount.current?.add(1)
        do throws(StackClientError) {
            return try await extensions.breakerBoard()
        } catch {
            if case .noExtension = error { return nil }
            throw APIFailure(api: "breaker board", error: error)
        }
    }
}

/// Whether a failure is the service saying one of `codes` (a resource that vanished mid-poll).
func isServiceError(_ failure: APIFailure, _ codes: String...) -> Bool {
    guard case .service(let error) = failure.error else { return false }
    return codes.contains(error.code) || error.queryCode.map(codes.contains) == true
}
