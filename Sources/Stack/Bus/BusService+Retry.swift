import GRDB
import JSON
import StackProtocol
import Timekeeping
import Wire

/// The outbox worker: retries deliveries that failed inside PutEvents, per each target's
/// RetryPolicy, until they are delivered, dead-lettered or failed for good. Runs at start too,
/// so deliveries pending at a crash resume. API-destination rows are the HTTP dispatcher's
/// (BusService+ApiDestinationCalls): their tries are HTTP calls made outside any transaction.
extension BusService {
    struct PendingDelivery: Sendable {
        var seq: Int64
        var event: BusEvent
        var rule: String
        var target: BusTarget
        var payload: String
        var attempts: Int
        var firstAt: Int64

        /// The outbox columns `init` reads, in its order.
        static let columns = "seq, event_id, bus, rule, spec, event, payload, depth, attempts, first_at"

        /// A row selected with `columns`; nil when what it stored no longer parses.
        init?(_ row: Row) {
            let specText: String = row[4], eventText: String = row[5]
            guard let spec = try? JSONValue(parsing: specText), let target = try? BusTarget(spec),
                  let envelope = try? JSONValue(parsing: eventText) else { return nil }
            seq = row[0]
            event = BusEvent(id: row[1], bus: row[2], envelope: envelope, text: eventText,
                             traceHeader: nil, ingestionTime: envelope["time"]?.stringValue ?? "", depth: row[7])
            rule = row[3]
            self.target = target
            payload = row[6]
            attempts = row[8]
            firstAt = row[9]
        }
    }

    /// Tries every delivery now due (up to `limit`); returns how many were tried. Deliveries
    /// to buses of other partitions are forwarded first, outside the write that settles them
    /// (a crash between the two forwards once more: at least once).
    @discardableResult
    func retryDue(limit: Int = 200) async throws(AWSError) -> Int {
        let now = clock.wallClockNow.milliseconds
        // `untried`: rows PutEvents handed over for their first try (forwards to other
        // partitions); their first failure is no retry.
        let (due, untried) = try await store.read { db -> ([PendingDelivery?], Set<Int64>) in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(PendingDelivery.columns), error_code
                FROM eb_delivery WHERE state = 'pending' AND next_at <= ? AND target_arn NOT LIKE '%:api-destination/%'
                ORDER BY next_at LIMIT ?
                """, arguments: [now, limit])
            let untried = Set(rows.compactMap { row -> Int64? in (row["error_code"] as String?) == nil ? row["seq"] : nil })
            return (rows.map(PendingDelivery.init), untried)
        }
        guard !due.isEmpty else { return 0 }
        let forwarded = await forwardRemote(due.compactMap { $0 })
        let deliverer = self.deliverer, buses = router.snapshot(), watching = queues?.watchesMessages ?? false
        let report = try await store.write { db in
            var report = DeliveryReport()
            let lookups = DeliveryLookups(recordsMessages: watching)
            for pending in due {
                guard let pending else { continue }
                // Another worker pass may have settled it meanwhile.
                guard try String.fetchOne(db, sql: "SELECT state FROM eb_delivery WHERE seq = ?", arguments: [pending.seq]) == "pending" else { continue }
                var nested = DeliveryReport()
                var failure: AWSError?
                let archivedMark = lookups.archivedMark
                do {
                    if let result = forwarded[pending.seq] {
                        if let error = result { throw error }
                    } else {
                        try db.inSavepoint {
                            try deliverer.attempt(db, target: pending.target, kind: pending.target.kind(naming: deliverer.naming),
                                                  rule: pending.rule, event: pending.event, payload: pending.payload,
                                                  buses: buses, now: now, report: &nested, lookups: lookups)
                            return .commit
                        }
                    }
                } catch let error as AWSError {
                    failure = error
                } catch let error as DatabaseError {
                    throw error
                } catch {
                    failure = AWSError.internalFailure("\(error)")
                }
                let event = pending.event
                if let failure {
                    lookups.forgetArchived(since: archivedMark)
                    let status = try deliverer.recordFailure(
                        db, event: event, rule: pending.rule, target: pending.target, payload: pending.payload,
                        attempts: untried.contains(pending.seq) ? 0 : pending.attempts + 1, firstAt: pending.firstAt, now: now,
                        error: failure, existing: pending.seq)
                    report.outcomes.append(DeliveryOutcome(
                        eventId: event.id, bus: event.bus, rule: pending.rule, targetId: pending.target.id,
                        targetArn: pending.target.arn, status: status, errorCode: failure.code, errorMessage: failure.message))
                } else {
                    try db.execute(sql: "DELETE FROM eb_delivery WHERE seq = ?", arguments: [pending.seq])
                    report.outcomes.append(DeliveryOutcome(
                        eventId: event.id, bus: event.bus, rule: pending.rule, targetId: pending.target.id,
                        targetArn: pending.target.arn, status: .delivered))
                    report.outcomes += nested.outcomes
                    report.queues.formUnion(nested.queues)
                }
            }
            try lookups.finish(db)
            report.messages = lookups.sentMessages ?? []
            return report
        }
        if let queues, !report.queues.isEmpty { await queues.wakeReceivers(report.queues) }
        queues?.publish(report.messages)
        counters.record(put: 0, failedEntries: 0, matched: 0, outcomes: report.outcomes)
        if let hub, hub.hasSubscribers(.events) {
            let envelopes = Dictionary(due.compactMap { $0.map { ($0.event.id, $0.event.envelope) } }, uniquingKeysWith: { a, _ in a })
            for outcome in report.outcomes {
                hub.publish(.delivery(outcome), subject: envelopes[outcome.eventId])
            }
        }
        return due.count
    }

    /// Deliveries in the outbox by state (tests and the console).
    func outbox() async throws(AWSError) -> [(eventId: String, targetId: String, state: String, attempts: Int, errorCode: String?)] {
        try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT event_id, target_id, state, attempts, error_code FROM eb_delivery ORDER BY seq")
                .map { row -> (eventId: String, targetId: String, state: String, attempts: Int, errorCode: String?) in
                    (row[0], row[1], row[2], row[3], row[4])
                }
        }
    }
}
