import Foundation
import GRDB
import JSON
import StackProtocol
import Wire

/// Replays: StartReplay, DescribeReplay, ListReplays, CancelReplay, and the background worker
/// that carries them out.
///
/// A replay re-delivers the events of one archive whose `time` lies in
/// [EventStartTime, EventEndTime) to the rules of the archive's bus (all of them, or those in
/// `FilterArns`), each with `replay-name` added to the event as AWS adds it (so no archive
/// keeps it again). As AWS does, it goes through the window in 1-minute intervals of event
/// time, and within a minute in archive order (`BusArchiveStore.replayEntries`): not a strict
/// event-time order. It runs in batches; each batch's deliveries and the replay's progress
/// (its `ReplayCursor`) are one transaction, so after a crash (`kill -9`) the replay carries on
/// after the last event of the last batch committed: no event is delivered twice or skipped. A replay that was CANCELLING
/// ends CANCELLED. States: STARTING (accepted, nothing delivered yet), RUNNING, CANCELLING,
/// COMPLETED, CANCELLED, FAILED (its archive was deleted under it).
extension BusService {
    static let replayStates = ["CANCELLED", "CANCELLING", "COMPLETED", "FAILED", "RUNNING", "STARTING"]
    static let activeReplayStates = ["STARTING", "RUNNING", "CANCELLING"]
    /// AWS's quota of replays running at once per account and region.
    static let maximumActiveReplays = 10
    /// Events per replay transaction.
    static let replayBatchSize = 100

    /// `SIGNALBOX_REPLAY_RATE`: at most this many events a second per replay pass (unset: as
    /// fast as the store writes). Test suites slow a replay down to stop the stack in the middle.
    static func replayRateFromEnvironment() -> Double? {
        guard let text = ProcessInfo.processInfo.environment["SIGNALBOX_REPLAY_RATE"],
              let rate = Double(text), rate.isFinite, rate > 0 else { return nil }
        return rate
    }

    func replayArn(_ name: String) -> String { "arn:aws:events:\(naming.region):\(naming.accountId):replay/\(name)" }

    /// A timestamp member (AWS JSON sends epoch seconds) as Unix milliseconds.
    func timestamp(_ input: BusInput, _ name: String) throws(AWSError) -> Int64 {
        guard let member = input.member(name) else { throw BusInputErrors.missing(name) }
        if let seconds = member.doubleValue, seconds.isFinite { return Int64((seconds * 1000).rounded(.down)) }
        if let text = member.stringValue, let seconds = BusEvents.parseISO(text) { return Int64((seconds * 1000).rounded(.down)) }
        throw AWSError.serialization("Parameter \(name) must be a timestamp, not \(member.typeName)")
    }

    func startReplay(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("ReplayName")
        let description = try archiveDescription(input)
        let source = try input.requiredString("EventSourceArn")
        let start = try timestamp(input, "EventStartTime")
        let end = try timestamp(input, "EventEndTime")
        guard let destination = try input.object("Destination") else { throw BusInputErrors.missing("Destination") }
        let destinationArn = try destination.requiredString("Arn")
        let filterArns = try destination.stringList("FilterArns")
        guard destinationArn.range(of: #"^arn:aws([a-z]|-)*:events:[a-z0-9-]+:\d{12}:event-bus/.+$"#, options: .regularExpression) != nil else {
            throw BusError.validation("Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.")
        }
        guard let archive = archiveName(fromArn: source) else {
            throw BusError.validation("Parameter EventSourceArn is not valid. Reason: Archive \(source.split(separator: "/").last.map(String.init) ?? source) does not exist.")
        }
        // A bus of another account or region is never the archive's own bus.
        let destinationBus = naming.busName(fromArn: destinationArn)
        let now = clock.wallClockNow.milliseconds
        let filters = filterArns.map { JSONValue.array($0.map { .string($0) }).serialized }
        try await store.write { db in
            guard let bus = try String.fetchOne(db, sql: "SELECT bus FROM eb_archive WHERE name = ?", arguments: [archive]) else {
                throw BusError.validation("Parameter EventSourceArn is not valid. Reason: Archive \(archive) does not exist.")
            }
            guard destinationBus == bus else {
                throw BusError.validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
            }
            guard try Self.busExists(db, bus) else { throw BusError.busNotFound(bus) }
            guard start < end else {
                throw BusError.validation("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
            }
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM eb_replay WHERE name = ?", arguments: [name]) == nil else {
                throw BusError.alreadyExists("Replay \(name) already exists.")
            }
            let active = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eb_replay WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING')") ?? 0
            guard active < Self.maximumActiveReplays else {
                throw BusError.limitExceeded("The requested resource exceeds the maximum number allowed.")
            }
            // Events archived after this are in later segments: not part of the replay.
            let lastSeq = try BusArchiveStore.newestSeq(db)
            try db.execute(sql: """
                INSERT INTO eb_replay (name, archive, description, destination, filter_arns, event_start, event_end, last_seq,
                                       state, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'STARTING', ?)
                """, arguments: [name, archive, description, bus, filters, start, end, lastSeq, now])
        }
        return ["ReplayArn": .string(replayArn(name)), "State": "STARTING", "ReplayStartTime": .number(Double(now) / 1000)]
    }

    /// A replay as DescribeReplay (`full`) or ListReplays shows it.
    func replayJSON(_ row: Row, full: Bool) -> JSONValue {
        let name: String = row["name"]
        var out: JSONObject = ["ReplayName": .string(name)]
        if full {
            out["ReplayArn"] = .string(replayArn(name))
            if let description: String = row["description"] { out["Description"] = .string(description) }
        }
        out["State"] = .string(row["state"])
        if let reason: String = row["state_reason"] { out["StateReason"] = .string(reason) }
        out["EventSourceArn"] = .string(archiveArn(row["archive"]))
        if full {
            var destination: JSONObject = ["Arn": .string(naming.busArn(row["destination"]))]
            if let filters: String = row["filter_arns"], let list = try? JSONValue(parsing: filters) { destination["FilterArns"] = list }
            out["Destination"] = .object(destination)
        }
        func seconds(_ column: String) -> JSONValue? { (row[column] as Int64?).map { .number(Double($0) / 1000) } }
        out["EventStartTime"] = seconds("event_start")
        out["EventEndTime"] = seconds("event_end")
        if let last = seconds("last_replayed_time") { out["EventLastReplayedTime"] = last }
        out["ReplayStartTime"] = seconds("started_at")
        if let ended = seconds("ended_at") { out["ReplayEndTime"] = ended }
        return .object(out)
    }

    func describeReplay(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("ReplayName")
        guard let replay = try await store.read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM eb_replay WHERE name = ?", arguments: [name]).map { self.replayJSON($0, full: true) }
        }) else { throw BusError.notFound("Replay \(name) does not exist.") }
        return replay
    }

    func listReplays(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let request = try Self.listRequest(input, operation: "ListReplays", states: Self.replayStates)
        let (prefix, source, state, limit, after) = (request.prefix, request.source, request.state, request.limit, request.after)
        let archive = source.map { archiveName(fromArn: $0) ?? "\u{0}" }
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM eb_replay WHERE name > ?1 AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)
                  AND (?3 IS NULL OR archive = ?3) AND (?4 IS NULL OR state = ?4) ORDER BY name LIMIT ?5
                """, arguments: [after, prefix, archive, state, limit + 1]).map { self.replayJSON($0, full: false) }
        }
        var out: JSONObject = ["Replays": .array(Array(rows.prefix(limit)))]
        if rows.count > limit, let last = rows[limit - 1]["ReplayName"]?.stringValue { out["NextToken"] = .string(Self.encodeToken(last)) }
        return .object(out)
    }

    func cancelReplay(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("ReplayName")
        try await store.write { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM eb_replay WHERE name = ?", arguments: [name]) else {
                throw BusError.notFound("Replay \(name) does not exist.")
            }
            guard state == "STARTING" || state == "RUNNING" else {
                throw BusError.make("IllegalStatusException", "Replay \(name) is not in a valid state for this operation.")
            }
            try db.execute(sql: "UPDATE eb_replay SET state = 'CANCELLING' WHERE name = ?", arguments: [name])
        }
        return ["ReplayArn": .string(replayArn(name)), "State": "CANCELLING"]
    }

    // MARK: The worker

    /// Carries every active replay one batch further; returns how many events were replayed
    /// (0 when nothing is left to do, so the worker can rest).
    @discardableResult
    func replayStep(batchSize: Int = BusService.replayBatchSize) async throws(AWSError) -> Int {
        let names = try await store.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM eb_replay WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING') ORDER BY started_at, name
                """)
        }
        var total = 0
        for name in names { total += try await replayBatch(name, batchSize: batchSize) }
        return total
    }

    /// Delivers the next batch of one replay, or ends it; returns the events delivered.
    func replayBatch(_ name: String, batchSize: Int) async throws(AWSError) -> Int {
        let deliverer = self.deliverer, buses = router.snapshot(), watching = queues?.watchesMessages ?? false
        let now = clock.wallClockNow.milliseconds
        let ingestion = BusEvents.iso8601(millis: now)
        let (events, report) = try await store.write { db -> ([BusEvent], DeliveryReport) in
            guard let replay = try Row.fetchOne(db, sql: "SELECT * FROM eb_replay WHERE name = ?", arguments: [name]) else {
                return ([], DeliveryReport())
            }
            let state: String = replay["state"]
            func end(_ state: String, reason: String? = nil) throws {
                try db.execute(sql: "UPDATE eb_replay SET state = ?, state_reason = ?, ended_at = ? WHERE name = ?",
                               arguments: [state, reason, now, name])
            }
            if state == "CANCELLING" { try end("CANCELLED"); return ([], DeliveryReport()) }
            guard state == "STARTING" || state == "RUNNING" else { return ([], DeliveryReport()) }
            let archive: String = replay["archive"], bus: String = replay["destination"]
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM eb_archive WHERE name = ?", arguments: [archive]) != nil else {
                try end("FAILED", reason: "Archive \(archive) does not exist.")
                return ([], DeliveryReport())
            }
            var cursor: ReplayCursor?
            if let minute: Int64 = replay["cursor_minute"], let seq: Int64 = replay["cursor_seq"],
               let entry: Int64 = replay["cursor_entry"] {
                cursor = ReplayCursor(minute: minute, seq: seq, entry: entry)
            }
            let entries = try BusArchiveStore.replayEntries(
                db, archive: archive, window: (replay["event_start"] as Int64)..<(replay["event_end"] as Int64),
                lastSeq: replay["last_seq"], after: cursor, limit: batchSize)
            guard let last = entries.last else { try end("COMPLETED"); return ([], DeliveryReport()) }
            var report = DeliveryReport()
            var events: [BusEvent] = []
            let filters: Set<String>? = (replay["filter_arns"] as String?).flatMap { try? JSONValue(parsing: $0) }?.arrayValue
                .map { Set($0.compactMap(\.stringValue)) }
            let routes = buses[bus]
            let lookups = DeliveryLookups(sharesBodies: false, recordsMessages: watching)
            for entry in entries {
                guard case .object(var object)? = try? JSONValue(parsing: entry.text) else { continue }
                object["replay-name"] = .string(name)
                let envelope = JSONValue.object(object)
                let event = BusEvent(id: object["id"]?.stringValue ?? RandomIdentifier.uuid(), bus: bus, envelope: envelope,
                                     text: envelope.serialized, traceHeader: nil, ingestionTime: ingestion)
                var rules = routes?.matches(envelope) ?? []
                if let filters { rules = rules.filter { filters.contains($0.arn) } }
                if !rules.isEmpty {
                    try deliverer.route(db, event: event, rules: rules, buses: buses, now: now, report: &report, lookups: lookups)
                }
                events.append(event)
            }
            try lookups.finish(db)
            report.messages = lookups.sentMessages ?? []
            try db.execute(sql: """
                UPDATE eb_replay SET state = 'RUNNING', cursor_minute = ?, cursor_seq = ?, cursor_entry = ?,
                  last_replayed_time = ?, replayed = replayed + ? WHERE name = ?
                """, arguments: [last.position.minute, last.position.seq, last.position.entry, last.time, entries.count, name])
            return (events, report)
        }
        guard !events.isEmpty else { return 0 }
        if let queues, !report.queues.isEmpty { await queues.wakeReceivers(report.queues) }
        counters.record(put: 0, failedEntries: 0, matched: events.filter { report.matched[$0.id] != nil }.count,
                        outcomes: report.outcomes)
        publish(events, report: report)
        return events.count
    }

    /// The replay worker: runs the active replays (those left running by a crash too) until
    /// none is left, then looks again every 200 ms; paced by `SIGNALBOX_REPLAY_RATE` when set.
    func runReplays() async {
        let rate = Self.replayRateFromEnvironment()
        // Paced, a batch is a tenth of a second's worth, so progress shows in small steps.
        let batchSize = rate.map { max(1, min(Self.replayBatchSize, Int($0 / 10))) } ?? Self.replayBatchSize
        while !Task.isCancelled {
            let replayed = (try? await replayStep(batchSize: batchSize)) ?? 0
            if replayed > 0, let rate {
                try? await clock.sleep(for: .milliseconds(Int64(Double(replayed) / rate * 1000)))
            } else if replayed == 0 {
                try? await clock.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Archive retention, once at start and then hourly.
    func runArchiveRetention() async {
        while !Task.isCancelled {
            _ = try? await deleteExpiredArchivedEvents()
            try? await clock.sleep(for: .seconds(3600))
        }
    }
}
