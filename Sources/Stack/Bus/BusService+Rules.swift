import GRDB
import JSON
import Patterns
import Timekeeping
import Wire

/// Rules: an event pattern or a schedule (fired by `BusService+Schedules`), ENABLED or DISABLED.
extension BusService {
    static let maximumRulesPerBus = 300
    static let ruleStates: Set<String> = ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"]

    func busName(_ input: BusInput) throws(AWSError) -> String {
        let given = try input.string("EventBusName")
        if let given, given.isEmpty || given.utf8.count > 1600 {
            throw BusError.constraint(given, member: "eventBusName", "Member must have length between 1 and 1600")
        }
        return naming.busName(given)
    }

    func putRule(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("Name")
        let bus = try busName(input)
        let schedule = try input.string("ScheduleExpression")
        // PutRule's reference: a rule needs "at least an EventPattern or ScheduleExpression", and
        // members left out are stored as null. Tools that always send both (scripts, moto's own
        // tests) pass EventPattern "" beside a schedule: that is a schedule rule with no pattern,
        // stored and described without one, not a pattern to parse.
        let givenPattern = try input.string("EventPattern")
        let patternText = givenPattern == "" && schedule != nil ? nil : givenPattern
        guard patternText != nil || schedule != nil else {
            throw BusError.validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        }
        if let patternText {
            do throws(EventPatternError) { _ = try EventPattern(parsing: patternText) } catch { throw BusError.invalidPattern(error.message) }
        }
        var nextFire: Int64?
        if let schedule {
            guard bus == BusNaming.defaultBus else {
                throw BusError.validation("ScheduleExpression is supported only on the default event bus.")
            }
            guard let expression = ScheduleExpression(schedule) else {
                throw BusError.validation(ScheduleExpression.invalidMessage)
            }
            nextFire = expression.next(after: scheduleNow())
        }
        let state = try input.string("State") ?? "ENABLED"
        guard Self.ruleStates.contains(state) else {
            throw BusError.constraint(state, member: "state", "Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]")
        }
        let description = try input.string("Description")
        if let description, description.utf8.count > 512 {
            throw BusError.constraint(description, member: "description", "Member must have length less than or equal to 512")
        }
        let roleArn = try input.string("RoleArn")
        let tags = try input.tags() ?? []
        let now = clock.wallClockNow.milliseconds
        let firstFire = nextFire
        try await controlWrite(bus: bus) { db in
            guard try Self.busExists(db, bus) else { throw BusError.busNotFound(bus) }
            let existing = try String.fetchOne(db, sql: "SELECT tags FROM eb_rule WHERE bus = ? AND name = ?", arguments: [bus, name])
            if existing == nil {
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eb_rule WHERE bus = ?", arguments: [bus]) ?? 0
                guard count < Self.maximumRulesPerBus else {
                    throw BusError.limitExceeded("The requested resource exceeds the maximum number allowed.")
                }
            }
            let tagText = Self.encodeTags(tags, into: Self.decodeTags(existing))
            try db.execute(sql: """
                INSERT INTO eb_rule (bus, name, pattern, schedule, state, description, role_arn, tags, created_at, next_fire_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (bus, name) DO UPDATE SET pattern = excluded.pattern, schedule = excluded.schedule,
                  state = excluded.state, description = excluded.description, role_arn = excluded.role_arn, tags = excluded.tags,
                  next_fire_at = excluded.next_fire_at
                """, arguments: [bus, name, patternText, schedule, state, description, roleArn, tagText, now, firstFire])
        }
        return ["RuleArn": .string(naming.ruleArn(name, bus: bus))]
    }

    func ruleJSON(_ row: Row) -> JSONValue {
        let bus: String = row["bus"], name: String = row["name"]
        var out: JSONObject = ["Name": .string(name), "Arn": .string(naming.ruleArn(name, bus: bus))]
        if let pattern: String = row["pattern"] { out["EventPattern"] = .string(pattern) }
        if let schedule: String = row["schedule"] { out["ScheduleExpression"] = .string(schedule) }
        out["State"] = .string(row["state"])
        if let description: String = row["description"] { out["Description"] = .string(description) }
        if let role: String = row["role_arn"] { out["RoleArn"] = .string(role) }
        out["EventBusName"] = .string(bus)
        return .object(out)
    }

    func describeRule(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("Name")
        let bus = try busName(input)
        guard let rule = try await store.read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM eb_rule WHERE bus = ? AND name = ?", arguments: [bus, name]).map(self.ruleJSON)
        }) else { throw BusError.ruleNotFound(name, bus: bus) }
        var out = rule.objectValue ?? [:]
        out["CreatedBy"] = .string(naming.accountId)
        return .object(out)
    }

    func listRules(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let bus = try busName(input)
        let prefix = try input.string("NamePrefix") ?? ""
        let limit = try input.int("Limit", in: 1...100) ?? 100
        let after = try Self.decodeToken(try input.string("NextToken"))
        let rows = try await store.read { db -> [JSONValue]? in
            guard try Self.busExists(db, bus) else { return nil }
            return try Row.fetchAll(db, sql: """
                SELECT * FROM eb_rule WHERE bus = ? AND substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?
                """, arguments: [bus, prefix.count, prefix, after ?? "", limit + 1]).map(self.ruleJSON)
        }
        guard let rows else { throw BusError.busNotFound(bus) }
        var out: JSONObject = ["Rules": .array(Array(rows.prefix(limit)))]
        if rows.count > limit, let last = rows[limit - 1]["Name"]?.stringValue { out["NextToken"] = .string(Self.encodeToken(last)) }
        return .object(out)
    }

    func deleteRule(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("Name")
        let bus = try busName(input)
        try await controlWrite(bus: bus) { db in
            let targets = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eb_target WHERE bus = ? AND rule = ?", arguments: [bus, name]) ?? 0
            guard targets == 0 else { throw BusError.validation("Rule can't be deleted since it has targets.") }
            try db.execute(sql: "DELETE FROM eb_rule WHERE bus = ? AND name = ?", arguments: [bus, name])
        }
        return [:]
    }

    func setRuleState(_ input: BusInput, _ state: String) async throws(AWSError) -> JSONValue {
        let name = try input.name("Name")
        let bus = try busName(input)
        let scheduleNow = self.scheduleNow()
        try await controlWrite(bus: bus) { db in
            try db.execute(sql: "UPDATE eb_rule SET state = ? WHERE bus = ? AND name = ?", arguments: [state, bus, name])
            guard db.changesCount > 0 else { throw BusError.ruleNotFound(name, bus: bus) }
            // A re-enabled schedule fires at its next time from now, not for the time it was off.
            if state != "DISABLED",
               let text = try String.fetchOne(db, sql: "SELECT schedule FROM eb_rule WHERE bus = ? AND name = ?", arguments: [bus, name]),
               let expression = ScheduleExpression(text) {
                try db.execute(sql: "UPDATE eb_rule SET next_fire_at = ? WHERE bus = ? AND name = ?",
                               arguments: [expression.next(after: scheduleNow), bus, name])
            }
        }
        return [:]
    }

    func listRuleNamesByTarget(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let arn = try input.requiredString("TargetArn")
        let bus = try busName(input)
        let limit = try input.int("Limit", in: 1...100) ?? 100
        let after = try Self.decodeToken(try input.string("NextToken"))
        let names = try await store.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT rule FROM eb_target WHERE bus = ? AND arn = ? AND rule > ? ORDER BY rule LIMIT ?
                """, arguments: [bus, arn, after ?? "", limit + 1])
        }
        var out: JSONObject = ["RuleNames": .array(names.prefix(limit).map { .string($0) })]
        if names.count > limit { out["NextToken"] = .string(Self.encodeToken(names[limit - 1])) }
        return .object(out)
    }
}
