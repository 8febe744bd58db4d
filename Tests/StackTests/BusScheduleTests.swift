import Foundation
import JSON
import Testing
import Timekeeping
@testable import Stack

@Suite("EventBridge schedule rules")
struct BusScheduleTests {
    /// 2026-11-23T05:07:30Z in Unix milliseconds.
    static let reference = CivilCalendar.days(year: 2026, month: 11, day: 23) * 86_400_000 + (5 * 60 + 7) * 60_000 + 30_000

    static func millis(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int) -> Int64 {
        CivilCalendar.days(year: year, month: month, day: day) * 86_400_000 + Int64(hour * 60 + minute) * 60_000
    }

    static func next(_ text: String, after: Int64 = reference) -> Int64? {
        ScheduleExpression(text)?.next(after: after)
    }

    @Test("rate expressions: singular for 1, plural otherwise, minutes, hours and days")
    func rates() {
        #expect(Self.next("rate(1 minute)") == Self.reference + 60_000)
        #expect(Self.next("rate(5 minutes)") == Self.reference + 300_000)
        #expect(Self.next("rate(1 hour)") == Self.reference + 3_600_000)
        #expect(Self.next("rate(2 days)") == Self.reference + 2 * 86_400_000)
        for bad in ["rate(1 minutes)", "rate(2 minute)", "rate(0 minutes)", "rate(-1 minutes)", "rate(5)", "rate(5 weeks)",
                    "rate()", "rate(1.5 hours)", "every 5 minutes", "rate(5 minutes", "RATE(5 minutes)"] {
            #expect(ScheduleExpression(bad) == nil, "\(bad) should be refused")
        }
    }

    @Test("a rate keeps its phase and skips the periods missed while down")
    func ratePhase() throws {
        let rate = try #require(ScheduleExpression("rate(10 minutes)"))
        let due: Int64 = 1_000_000
        let onTime = rate.next(afterDue: due, now: due)
        let late = rate.next(afterDue: due, now: due + 25 * 60_000)
        #expect(onTime == due + 600_000)
        #expect(late == due + 30 * 60_000)
    }

    @Test("cron expressions find the next matching minute in UTC")
    func crons() {
        #expect(Self.next("cron(0 12 * * ? *)") == Self.millis(2026, 11, 23, 12, 0))
        #expect(Self.next("cron(0/15 * * * ? *)") == Self.millis(2026, 11, 23, 5, 15))
        #expect(Self.next("cron(* * * * ? *)") == Self.millis(2026, 11, 23, 5, 8))
        // 2026-11-23 is a Monday; the next Saturday is the 28th.
        #expect(Self.next("cron(30 9 ? * SAT *)") == Self.millis(2026, 11, 28, 9, 30))
        #expect(Self.next("cron(0 10 ? * MON-FRI *)") == Self.millis(2026, 11, 23, 10, 0))
        #expect(Self.next("cron(0 0 L * ? *)") == Self.millis(2026, 11, 30, 0, 0))
        #expect(Self.next("cron(0 0 1 JAN ? *)") == Self.millis(2027, 1, 1, 0, 0))
        // Third Friday of December 2026 is the 18th; the last Friday of November the 27th.
        #expect(Self.next("cron(0 8 ? 12 6#3 *)") == Self.millis(2026, 12, 18, 8, 0))
        #expect(Self.next("cron(0 8 ? * 6L *)") == Self.millis(2026, 11, 27, 8, 0))
        // 2027-02-14 is a Sunday: the nearest weekday is Monday the 15th.
        #expect(Self.next("cron(0 9 14W 2 ? 2027)") == Self.millis(2027, 2, 15, 9, 0))
        #expect(Self.next("cron(0 9 1,15 * ? 2025)") == nil)
        #expect(Self.next("cron(15,45 8-9 * * ? *)") == Self.millis(2026, 11, 23, 8, 15))
        for bad in ["cron(* * * * * *)", "cron(0 12 * * ?)", "cron(60 * * * ? *)", "cron(0 24 * * ? *)",
                    "cron(0 0 ? * 8 *)", "cron(0 0 32 * ? *)", "cron(0 0 * FOO ? *)", "cron(0 0 ? * 6#6 *)",
                    "cron(0 0 * * ? 1969)", "cron(a b c d e f)", "cron(0 0 5-1 * ? *)"] {
            #expect(ScheduleExpression(bad) == nil, "\(bad) should be refused")
        }
    }

    @Test("a rate(1 minute) rule sends AWS's scheduled event to its targets when due")
    func fires() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let url = try await stack.createQueue("ticks")
        try await stack.events("PutRule", ["Name": "tick", "ScheduleExpression": "rate(1 minute)"])
        try await stack.events("PutTargets", ["Rule": "tick", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("ticks"))]]])
        #expect(try await stack.bus.fireDueSchedules() == 0)
        stack.clock.advance(by: .seconds(59))
        #expect(try await stack.bus.fireDueSchedules() == 0)
        stack.clock.advance(by: .seconds(1))
        #expect(try await stack.bus.fireDueSchedules() == 1)
        #expect(try await stack.bus.fireDueSchedules() == 0)
        let bodies = try await stack.bodies(url)
        #expect(bodies.count == 1)
        let event = try JSONValue(parsing: bodies.first ?? "")
        #expect(event["source"] == "aws.events")
        #expect(event["detail-type"] == "Scheduled Event")
        #expect(event["resources"] == ["arn:aws:events:us-east-1:000000000000:rule/tick"])
        #expect(event["detail"] == [:])
        #expect(event["account"] == "000000000000")
        #expect(event["time"]?.stringValue == BusEvents.iso8601(millis: stack.clock.wallClockNow.milliseconds))
        #expect(event["id"]?.stringValue?.isEmpty == false)
        // Twice more, a minute apart.
        stack.clock.advance(by: .seconds(60))
        #expect(try await stack.bus.fireDueSchedules() == 1)
        stack.clock.advance(by: .seconds(60))
        #expect(try await stack.bus.fireDueSchedules() == 1)
        #expect(try await stack.bodies(url).count == 3)
    }

    @Test("disabled schedules do not fire; re-enabled ones fire a period after enabling")
    func disabled() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let url = try await stack.createQueue("ticks")
        try await stack.events("PutRule", ["Name": "tick", "ScheduleExpression": "rate(5 minutes)", "State": "DISABLED"])
        try await stack.events("PutTargets", ["Rule": "tick", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("ticks"))]]])
        stack.clock.advance(by: .seconds(600))
        #expect(try await stack.bus.fireDueSchedules() == 0)
        try await stack.events("EnableRule", ["Name": "tick"])
        #expect(try await stack.bus.fireDueSchedules() == 0)
        stack.clock.advance(by: .seconds(300))
        #expect(try await stack.bus.fireDueSchedules() == 1)
        #expect(try await stack.bodies(url).count == 1)
    }

    @Test("invalid schedules are refused; schedules only on the default bus")
    func invalid() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        #expect(await stack.eventsError("PutRule", ["Name": "r", "ScheduleExpression": "rate(1 minutes)"]) == "ValidationException")
        #expect(await stack.eventsError("PutRule", ["Name": "r", "ScheduleExpression": "cron(* * * * * *)"]) == "ValidationException")
        try await stack.events("CreateEventBus", ["Name": "other"])
        #expect(await stack.eventsError("PutRule", ["Name": "r", "EventBusName": "other", "ScheduleExpression": "rate(1 minute)"])
            == "ValidationException")
    }

    @Test("the next fire time survives a restart; missed fires are not back-filled")
    func durable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-schedule-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let start: Int64
        do {
            let stack = try BusTestStack(directory: directory)
            _ = try await stack.createQueue("ticks")
            try await stack.events("PutRule", ["Name": "tick", "ScheduleExpression": "rate(1 minute)"])
            try await stack.events("PutTargets", ["Rule": "tick", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("ticks"))]]])
            start = stack.clock.wallClockNow.milliseconds
            #expect(try await stack.bus.scheduledFires() == ["tick": start + 60_000])
        }
        let reopened = try BusTestStack(directory: directory)
        #expect(try await reopened.bus.scheduledFires() == ["tick": start + 60_000])
        reopened.clock.advance(by: .seconds(60 * 5 + 30))
        #expect(try await reopened.bus.fireDueSchedules() == 1)
        #expect(try await reopened.bus.fireDueSchedules() == 0)
        #expect(try await reopened.bus.scheduledFires() == ["tick": start + 6 * 60_000])
        #expect(try await reopened.bodies("http://127.0.0.1:4599/000000000000/ticks").count == 1)
    }

    @Test("an accelerated schedule clock runs schedule time faster than the service clock")
    func acceleratedClock() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-schedule-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StackStore(directory: directory, migrations: StackAssembly.migrations)
        let clock = ManualClock()
        let bus = BusService(store: store, accountId: "000000000000", region: "us-east-1", queues: nil,
                             clock: clock, scheduleClockRate: 60)
        let start = bus.scheduleNow()
        clock.advance(by: .seconds(1))
        #expect(bus.scheduleNow() == start + 60_000)
    }
}
