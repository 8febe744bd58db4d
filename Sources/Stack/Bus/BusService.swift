import CoreMetrics
import Foundation
import GRDB
import JSON
import Patterns
import StackProtocol
import Synchronization
import Timekeeping
import Wire

/// Amazon EventBridge on the AWS JSON 1.1 protocol (`X-Amz-Target: AWSEvents.*`).
///
/// Durability: PutEvents routes its events and writes every resulting delivery (queue messages,
/// bus-to-bus hops, and the outbox rows of deliveries that must be retried) in one store
/// transaction; the 200 is sent after it committed. A crash before the commit loses nothing
/// acknowledged; after it, every delivery is either done or in the outbox, which the
/// background worker resumes at restart (at-least-once).
public final class BusService: StackService {
    public let targetPrefix = "AWSEvents"
    public let jsonVersion = AWSJSONVersion.v1_1

    let store: StackStore
    let naming: BusNaming
    let router = BusRouter()
    let deliverer: BusDeliverer
    let queues: QueueService?
    let hub: StreamHub?
    /// The other partitions' buses, for bus targets in another account or region.
    let partitions: PartitionLink?
    let counters: BusCounters
    /// Each archive's event count and size, kept up as events are archived (ListArchives).
    let archiveTotals = ArchiveTotals()
    /// Event and delivery times are its wall clock's Unix milliseconds; retries and schedules
    /// sleep on it.
    let clock: any TimeSource
    /// How often the retry worker looks for due deliveries.
    let retryInterval: Duration
    /// How fast schedule time runs against `clock`: 1 in production; a test suite driving a
    /// real server sets `SIGNALBOX_SCHEDULE_CLOCK_RATE` (e.g. 60: a minute per second) so
    /// `rate(1 minute)` fires without waiting minutes. Schedule time starts equal to `clock`.
    let scheduleClockRate: Double
    let scheduleClockAnchor: Int64
    /// The HTTP dispatcher's in-memory part (calls under way, rate limiters, OAuth tokens).
    let httpCalls: ApiDestinationCalls

    public static var migrations: [StoreMigration] { BusSchema.migrations }

    public init(store: StackStore, accountId: String, region: String, queues: QueueService?,
                hub: StreamHub? = nil, sinks: [any BusTargetSink] = [], metrics: StackMetrics = StackMetrics(),
                partitions: PartitionLink? = nil, clock: any TimeSource = SystemClock(),
                retryInterval: Duration = .seconds(1), scheduleClockRate: Double? = nil) {
        let naming = BusNaming(accountId: accountId, region: region)
        self.store = store
        self.naming = naming
        self.queues = queues
        self.hub = hub
        self.partitions = partitions
        self.counters = BusCounters(metrics: metrics)
        self.clock = clock
        self.retryInterval = retryInterval
        self.scheduleClockRate = scheduleClockRate ?? Self.scheduleClockRateFromEnvironment()
        self.scheduleClockAnchor = clock.wallClockNow.milliseconds
        var byService: [String: any BusTargetSink] = [:]
        for sink in sinks { byService[sink.arnService] = sink }
        self.deliverer = BusDeliverer(naming: naming, queues: queues, sinks: byService)
        self.httpCalls = ApiDestinationCalls(clock: clock)
        loadRoutes()
    }

    /// Loads every bus's routes at start (the store was just opened and migrated).
    private func loadRoutes() {
        let stored = (try? store.pool.read { db -> [BusRoutes.Stored] in
            try String.fetchAll(db, sql: "SELECT name FROM eb_bus").map { try BusRoutes.Stored(db, bus: $0) }
        }) ?? []
        if stored.isEmpty { router.install(BusRoutes(), bus: BusNaming.defaultBus, generation: router.generation()) }
        for bus in stored { router.install(BusRoutes(bus, naming: naming), bus: bus.bus, generation: router.generation()) }
    }

    public func handle(operation: String, input: JSONValue, context: ServiceContext) async throws(AWSError) -> JSONValue {
        let input = BusInput(input)
        switch operation {
        case "PutEvents": return try await putEvents(input)
        case "TestEventPattern": return try testEventPattern(input)
        case "CreateEventBus": return try await createEventBus(input)
        case "DescribeEventBus": return try await describeEventBus(input)
        case "ListEventBuses": return try await listEventBuses(input)
        case "DeleteEventBus": return try await deleteEventBus(input)
        case "UpdateEventBus": return try await updateEventBus(input)
        case "PutPermission": return try await putPermission(input)
        case "RemovePermission": return try await removePermission(input)
        case "PutRule": return try await putRule(input)
        case "DescribeRule": return try await describeRule(input)
        case "ListRules": return try await listRules(input)
        case "DeleteRule": return try await deleteRule(input)
        case "EnableRule": return try await setRuleState(input, "ENABLED")
        case "DisableRule": return try await setRuleState(input, "DISABLED")
        case "ListRuleNamesByTarget": return try await listRuleNamesByTarget(input)
        case "PutTargets": return try await putTargets(input)
        case "RemoveTargets": return try await removeTargets(input)
        case "ListTargetsByRule": return try await listTargetsByRule(input)
        case "TagResource": return try await tagResource(input)
        case "UntagResource": return try await untagResource(input)
        case "ListTagsForResource": return try await listTagsForResource(input)
        case "CreateArchive": return try await createArchive(input)
        case "DescribeArchive": return try await describeArchive(input)
        case "ListArchives": return try await listArchives(input)
        case "UpdateArchive": return try await updateArchive(input)
        case "DeleteArchive": return try await deleteArchive(input)
        case "StartReplay": return try await startReplay(input)
        case "DescribeReplay": return try await describeReplay(input)
        case "ListReplays": return try await listReplays(input)
        case "CancelReplay": return try await cancelReplay(input)
        case "CreateConnection": return try await createConnection(input)
        case "DescribeConnection": return try await describeConnection(input)
        case "ListConnections": return try await listConnections(input)
        case "UpdateConnection": return try await updateConnection(input)
        case "DeleteConnection": return try await deleteConnection(input)
        case "DeauthorizeConnection": return try await deauthorizeConnection(input)
        case "CreateApiDestination": return try await createApiDestination(input)
        case "DescribeApiDestination": return try await describeApiDestination(input)
        case "ListApiDestinations": return try await listApiDestinations(input)
        case "UpdateApiDestination": return try await updateApiDestination(input)
        case "DeleteApiDestination": return try await deleteApiDestination(input)
        default: throw BusError.unknownOperation(operation)
        }
    }

    /// Runs `body` in a write and swaps in the bus's routes as they stand after it (read in the
    /// write, compiled after it, so a rule change does not hold up the store's writer).
    func controlWrite<T: Sendable>(bus: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(AWSError) -> T {
        let router = self.router
        let (value, stored, generation) = try await store.write { db -> (T, BusRoutes.Stored?, Int) in
            let value = try body(db)
            let stored = try Self.busExists(db, bus) ? try BusRoutes.Stored(db, bus: bus) : nil
            return (value, stored, router.generation())
        }
        router.install(stored.map { BusRoutes($0, naming: naming) }, bus: bus, generation: generation)
        return value
    }

    static func busExists(_ db: Database, _ bus: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM eb_bus WHERE name = ?", arguments: [bus]) ?? false
    }

    // MARK: Events

    private func putEvents(_ input: BusInput) async throws(AWSError) -> JSONValue {
        guard let entries = try input.objects("Entries") else {
            throw BusError.constraint("null", member: "entries", "Member must not be null")
        }
        guard !entries.isEmpty else {
            throw BusError.constraint("[]", member: "entries", "Member must have length greater than or equal to 1")
        }
        guard entries.count <= 10 else {
            throw BusError.constraint("[\(entries.count) entries]", member: "entries", "Member must have length less than or equal to 10")
        }
        let total = entries.reduce(0) { $0 + BusEvents.entrySize($1) }
        guard total <= BusEvents.maximumRequestBytes else {
            throw BusError.validation("Total size of the entries in the request is over the limit.")
        }
        let now = clock.wallClockNow.milliseconds
        let ingestion = BusEvents.iso8601(millis: now)
        let buses = router.snapshot()
        var results: [JSONValue] = []
        var routed: [RoutedEvent] = []
        for entry in entries {
            let id = RandomIdentifier.uuid()
            do throws(BusEvents.EntryError) {
                let busGiven = try? BusInput(entry).string("EventBusName")
                let bus = naming.busName(busGiven ?? nil)
                let (envelope, _, time) = try BusEvents.envelope(entry, id: id, accountId: naming.accountId,
                                                           region: naming.region, nowMillis: now)
                guard let routes = buses[bus] else {
                    throw BusEvents.EntryError(code: "InvalidArgument", message: "Event bus \(bus) does not exist.")
                }
                var event = BusEvent(id: id, bus: bus, envelope: envelope, text: envelope.serialized,
                                     traceHeader: entry["TraceHeader"]?.stringValue, ingestionTime: ingestion)
                let rules = routes.matches(envelope)
                if !rules.isEmpty { event.checkForQueues(rules) }
                let archives = routes.archiving(envelope)
                event.countArchives(archives.count)
                routed.append((event, rules, archives, time))
                results.append(["EventId": .string(id)])
            } catch {
                results.append(["ErrorCode": .string(error.code), "ErrorMessage": .string(error.message)])
            }
        }
        try await deliver(routed, buses: buses, now: now, failedEntries: entries.count - routed.count)
        let failed = entries.count - routed.count
        return ["FailedEntryCount": .number(Double(failed)), "Entries": .array(results)]
    }

    /// An accepted event with the rules it matched and the archives that keep it (`time`: the
    /// event's own time, Unix ms, by which archives order it).
    typealias RoutedEvent = (event: BusEvent, rules: [RoutedRule], archives: [String], time: Int64)

    /// Archives and routes accepted events in one write (none when nothing matched; the
    /// archived events go in as one segment per archive and minute, built before the write),
    /// then wakes
    /// the queues they reached, counts (with `failedEntries` refused beside them) and tells
    /// stream viewers. Acknowledged means archived and delivered (or in the outbox).
    func deliver(_ routed: [RoutedEvent], buses: [String: BusRoutes], now: Int64, failedEntries: Int) async throws(AWSError) {
        var report = DeliveryReport()
        if routed.contains(where: { !$0.rules.isEmpty || !$0.archives.isEmpty }) {
            let deliverer = self.deliverer, work = routed, watching = queues?.watchesMessages ?? false
            // Built here, in parallel across requests, so the store's one writer only names
            // shared copies in it and inserts it.
            let archive = PreparedArchive(routed, archivedAt: now)
            report = try await store.write { db in
                var report = DeliveryReport()
                let lookups = DeliveryLookups(sharesBodies: true, recordsMessages: watching)
                for (event, rules, _, _) in work where !rules.isEmpty {
                    try deliverer.route(db, event: event, rules: rules, buses: buses, now: now, report: &report, lookups: lookups)
                }
                try lookups.finish(db, prepared: archive)
                report.messages = lookups.sentMessages ?? []
                return report
            }
        }
        if let queues, !report.queues.isEmpty { await queues.wakeReceivers(report.queues) }
        if report.httpDeliveries > 0 { await httpCalls.wake() }
        counters.record(put: routed.count, failedEntries: failedEntries,
                        matched: routed.filter { !$0.rules.isEmpty }.count, outcomes: report.outcomes)
        publish(routed.map(\.event), report: report)
    }

    /// Sends the messages the deliveries wrote (`messages`), then each event, the rules it
    /// matched and its deliveries' outcomes (`events`) to stream viewers. A delivery to a queue
    /// carries the message it wrote in the event's frame for viewers that asked so
    /// (`sentWithEvents`): they get no `sent` frame of their own for it.
    ///
    /// Each event's frame is written straight from the report (`BusEventFrame.encodeFrame`),
    /// once per event and viewer option set, not per viewer; a delivery's message is paired
    /// with its delivery only when some viewer takes it inside the frame, and `sent` frames are
    /// built only when some viewer may read one (their sequence numbers are taken either way).
    /// Who reads what is asked once per call: a viewer that subscribes or changes its options
    /// meanwhile may miss this call's delivery messages (as if it had come after the call).
    func publish(_ events: [BusEvent], report: DeliveryReport) {
        guard let hub else { return }
        let audience = report.messages.isEmpty ? StreamHub.SentAudience() : hub.sentAudience
        // The messages each event's deliveries wrote, by event, for viewers that take them inside
        // its frame: one hash per message, and a delivery finds its own among its event's few.
        var sentByEvent: [String: [QueueMessageChange]] = [:]
        if !report.messages.isEmpty {
            let envelopes = Dictionary(events.map { ($0.id, $0.envelope) }, uniquingKeysWith: { first, _ in first })
            var carried: [(change: QueueMessageChange, carriedBy: JSONValue)] = []
            var unread = 0
            /// Sends (or, with nobody to read them, only numbers) the delivery messages gathered.
            func flush() {
                hub.publish(sent: carried)
                hub.skip(unread, on: .messages)
                carried.removeAll(keepingCapacity: true)
                unread = 0
            }
            for change in report.messages {
                guard let eventId = change.sender?.eventId, let envelope = envelopes[eventId] else {
                    flush()
                    hub.publish(.message(change))
                    continue
                }
                if audience.carried { sentByEvent[eventId, default: []].append(change) }
                if audience.frames { carried.append((change, envelope)) } else { unread += 1 }
            }
            flush()
        }
        guard hub.hasSubscribers(.events) else { return }
        let deliveries = Self.deliveriesByEvent(report.outcomes)
        for event in events {
            let outcomes = deliveries[event.id] ?? []
            let sent = sentByEvent[event.id] ?? []
            let matched = report.matched[event.id] ?? []
            let carriesSent = BusEventFrame.carriesSent(deliveries: outcomes, carried: sent)
            // The envelope's text was made when the event was put: the frame reuses it.
            hub.publishEvent(subject: event.envelope, carriesSent: carriesSent) { sequence, withSent in
                BusEventFrame.encodeFrame(sequence: sequence, bus: event.bus, eventText: event.text, matched: matched,
                                          deliveries: outcomes, carried: sent, withSent: withSent)
            }
        }
    }

    /// `outcomes` by event id, each event's in order. A put's deliveries come event by event,
    /// so an event's are one run of the report: a slice of it, not a copy (an event whose
    /// outcomes lie in several runs gets them joined, in order).
    static func deliveriesByEvent(_ outcomes: [DeliveryOutcome]) -> [String: ArraySlice<DeliveryOutcome>] {
        var byEvent: [String: ArraySlice<DeliveryOutcome>] = [:]
        var start = outcomes.startIndex
        while start < outcomes.endIndex {
            let eventId = outcomes[start].eventId
            var end = start + 1
            while end < outcomes.endIndex, outcomes[end].eventId == eventId { end += 1 }
            if let earlier = byEvent[eventId] {
                byEvent[eventId] = ArraySlice(Array(earlier) + outcomes[start..<end])
            } else {
                byEvent[eventId] = outcomes[start..<end]
            }
            start = end
        }
        return byEvent
    }

    private func testEventPattern(_ input: BusInput) throws(AWSError) -> JSONValue {
        let pattern = try input.requiredString("EventPattern")
        let event = try input.requiredString("Event")
        do throws(TestEventPatternError) {
            return ["Result": .bool(try EventPattern.test(pattern: pattern, event: event))]
        } catch {
            switch error {
            case .invalidPattern(let reason): throw BusError.invalidPattern(reason.message)
            case .invalidEvent(let reason): throw BusError.validation(reason)
            }
        }
    }

    // MARK: Background and metrics

    public func runBackground() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.runRetries() }
            group.addTask { await self.runSchedules() }
            group.addTask { await self.runReplays() }
            group.addTask { await self.runArchiveRetention() }
            group.addTask { await self.runApiDestinationCalls() }
            if let hub, let queues {
                group.addTask { await QueueStatisticsPublisher(queues: queues, hub: hub, clock: self.clock).run() }
            }
        }
    }

    private func runRetries() async {
        while !Task.isCancelled {
            while !Task.isCancelled, let done = try? await retryDue(), done > 0 {}
            try? await clock.sleep(for: retryInterval)
        }
    }

    public func gaugeReadings() async -> [GaugeReading] {
        let pending = (try? await store.read { db in
            try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM eb_delivery GROUP BY state").map { ($0[0] as String, $0[1] as Int) }
        }) ?? []
        let byState = Dictionary(pending, uniquingKeysWith: +)
        return [GaugeReading(.eventsRules, router.ruleCount)]
            + ["pending", "failed"].map { GaugeReading(.eventsOutbox, [("state", $0)], byState[$0] ?? 0) }
    }
}

/// The bus's counters for `/metrics`: events in, entries refused, deliveries by outcome.
final class BusCounters: Sendable {
    let put: CoreMetrics.Counter
    let failedEntries: CoreMetrics.Counter
    let matched: CoreMetrics.Counter
    let delivered: CoreMetrics.Counter
    let retrying: CoreMetrics.Counter
    let deadLettered: CoreMetrics.Counter
    let failed: CoreMetrics.Counter

    init(metrics: StackMetrics) {
        put = metrics.counter(.eventsPut)
        failedEntries = metrics.counter(.eventsFailedEntries)
        matched = metrics.counter(.eventsMatched)
        func outcome(_ status: DeliveryOutcome.Status) -> CoreMetrics.Counter {
            metrics.counter(.eventsDeliveries, [("outcome", status.rawValue)])
        }
        delivered = outcome(.delivered)
        retrying = outcome(.retrying)
        deadLettered = outcome(.deadLettered)
        failed = outcome(.failed)
    }

    /// Called once per PutEvents call (and retry or schedule pass): a few atomic adds.
    func record(put: Int, failedEntries: Int, matched: Int, outcomes: [DeliveryOutcome]) {
        if put > 0 { self.put.increment(by: put) }
        if failedEntries > 0 { self.failedEntries.increment(by: failedEntries) }
        if matched > 0 { self.matched.increment(by: matched) }
        for outcome in outcomes {
            switch outcome.status {
            case .delivered: delivered.increment()
            case .retrying: retrying.increment()
            case .deadLettered: deadLettered.increment()
            case .failed: failed.increment()
            }
        }
    }
}
