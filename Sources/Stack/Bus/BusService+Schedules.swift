import Foundation
import GRDB
import JSON
import Timekeeping
import Wire

/// Schedule rules: each enabled rule with a `ScheduleExpression` sends AWS's scheduled event
/// (source `aws.events`, detail-type `Scheduled Event`, the rule's ARN in `resources`, an empty
/// `detail`) to its targets when its stored next fire time comes. The fire's deliveries and the
/// advance of the next fire time commit together, so a crash never repeats or loses a fire;
/// fires missed while the stack was down are not back-filled (one fire, then the schedule
/// resumes), as in AWS.
extension BusService {
    /// Reads `SIGNALBOX_SCHEDULE_CLOCK_RATE` (a positive number; 1 when unset or invalid).
    static func scheduleClockRateFromEnvironment() -> Double {
        guard let text = ProcessInfo.processInfo.environment["SIGNALBOX_SCHEDULE_CLOCK_RATE"],
              let rate = Double(text), rate.isFinite, rate > 0 else { return 1 }
        return rate
    }

    /// Schedule time in Unix milliseconds: `clock` itself unless the clock rate speeds it up.
    func scheduleNow() -> Int64 {
        let now = clock.wallClockNow.milliseconds
        if scheduleClockRate == 1 { return now }
        return scheduleClockAnchor + Int64((Double(now - scheduleClockAnchor) * scheduleClockRate).rounded(.down))
    }

    /// The scheduled event AWS sends for a rule's fire at `millis`.
    func scheduledEvent(rule: String, id: String, millis: Int64) -> BusEvent {
        let time = BusEvents.iso8601(millis: millis)
        let envelope: JSONValue = .object([
            "version": "0", "id": .string(id), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": .string(naming.accountId), "time": .string(time), "region": .string(naming.region),
            "resources": [.string(naming.ruleArn(rule, bus: BusNaming.defaultBus))], "detail": [:],
        ])
        return BusEvent(id: id, bus: BusNaming.defaultBus, envelope: envelope, text: envelope.serialized,
                        traceHeader: nil, ingestionTime: time)
    }

    /// Fires every enabled schedule rule that is due; returns how many fired.
    @discardableResult
    func fireDueSchedules() async throws(AWSError) -> Int {
        let due = scheduleNow()
        let now = clock.wallClockNow.milliseconds
        let deliverer = self.deliverer, buses = router.snapshot(), naming = self.naming
        let (events, report) = try await store.write { db -> ([BusEvent], DeliveryReport) in
            var report = DeliveryReport()
            let lookups = DeliveryLookups()
            var events: [BusEvent] = []
            let rows = try Row.fetchAll(db, sql: """
                SELECT name, schedule, next_fire_at FROM eb_rule
                WHERE bus = ? AND state != 'DISABLED' AND schedule IS NOT NULL AND next_fire_at <= ?
                ORDER BY next_fire_at, name
                """, arguments: [BusNaming.defaultBus, due])
            for row in rows {
                let name: String = row[0], text: String = row[1], fireAt: Int64 = row[2]
                guard let expression = ScheduleExpression(text) else {
                    try db.execute(sql: "UPDATE eb_rule SET next_fire_at = NULL WHERE bus = ? AND name = ?",
                                   arguments: [BusNaming.defaultBus, name])
                    continue
                }
                var targets: [BusTarget] = []
                for spec in try String.fetchAll(db, sql: "SELECT spec FROM eb_target WHERE bus = ? AND rule = ? ORDER BY position",
                                                arguments: [BusNaming.defaultBus, name]) {
                    if let json = try? JSONValue(parsing: spec), let target = try? BusTarget(json) { targets.append(target) }
                }
                let event = self.scheduledEvent(rule: name, id: UUID().uuidString.lowercased(), millis: fireAt)
                let rule = RoutedRule(name: name, arn: naming.ruleArn(name, bus: BusNaming.defaultBus), targets: targets, naming: naming)
                try deliverer.route(db, event: event, rules: [rule], buses: buses, now: now, report: &report, lookups: lookups)
                events.append(event)
                try db.execute(sql: "UPDATE eb_rule SET next_fire_at = ? WHERE bus = ? AND name = ?",
                               arguments: [expression.next(afterDue: fireAt, now: due), BusNaming.defaultBus, name])
            }
            try lookups.finish(db)
            return (events, report)
        }
        if events.isEmpty { return 0 }
        if let queues, !report.queues.isEmpty { await queues.wakeReceivers(report.queues) }
        counters.record(put: 0, failedEntries: 0, matched: events.count, outcomes: report.outcomes)
        publish(events, report: report)
        return events.count
    }

    /// Service-clock time until the earliest enabled schedule is due, between 10 ms and 1 s (so rules
    /// added meanwhile are seen within a second).
    func nextScheduleDelay() async -> Duration {
        let next = try? await store.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT MIN(next_fire_at) FROM eb_rule WHERE bus = ? AND state != 'DISABLED' AND schedule IS NOT NULL
                """, arguments: [BusNaming.defaultBus])
        }
        guard let next = next ?? nil else { return .seconds(1) }
        let realMillis = Double(next - scheduleNow()) / scheduleClockRate
        return .milliseconds(Int64(min(1000, max(10, realMillis.rounded(.up)))))
    }

    func runSchedules() async {
        while !Task.isCancelled {
            _ = try? await fireDueSchedules()
            try? await clock.sleep(for: await nextScheduleDelay())
        }
    }

    /// Each schedule rule's stored next fire time (tests and the console).
    func scheduledFires() async throws(AWSError) -> [String: Int64] {
        try await store.read { db in
            var out: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, next_fire_at FROM eb_rule WHERE schedule IS NOT NULL AND next_fire_at IS NOT NULL") {
                out[row[0]] = row[1]
            }
            return out
        }
    }
}
