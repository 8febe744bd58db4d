import GRDB
import JSON
import Wire

/// Targets of a rule: at most five per rule, each with its own per-target failure in the answer.
extension BusService {
    static let maximumTargetsPerRule = 5

    func putTargets(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let rule = try input.name("Rule")
        let bus = try busName(input)
        guard let given = try input.objects("Targets") else {
            throw BusError.constraint("null", member: "targets", "Member must not be null")
        }
        guard (1...10).contains(given.count) else {
            throw BusError.constraint("[\(given.count) targets]", member: "targets", "Member must have length between 1 and 10")
        }
        var accepted: [BusTarget] = []
        var failed: [JSONValue] = []
        var seen = Set<String>()
        for value in given {
            let target = try BusTarget(value)
            guard seen.insert(target.id).inserted else {
                throw BusError.validation("Target ids must be unique within a request: \(target.id) appears twice.")
            }
            // AWS's answer to a queue of another region (buses are the only cross-region targets).
            guard !BusTarget.isQueueOfOtherRegion(target.arn, naming: naming) else {
                throw BusError.validation("Cross-region api call is not allowed.")
            }
            switch target.kind(naming: naming) {
            case nil:
                failed.append(["TargetId": .string(target.id), "ErrorCode": "ValidationException",
                               "ErrorMessage": .string("Parameter \(target.arn) is not valid.")])
                continue
            case .sink(let service)? where deliverer.sinks[service] == nil:
                failed.append(["TargetId": .string(target.id), "ErrorCode": "ValidationException",
                               "ErrorMessage": .string("Targets of service \(service) are not supported by this stack (SQS queues and event buses are).")])
                continue
            default:
                break
            }
            if let dlq = target.deadLetterArn {
                guard case .queue(_)? = BusTarget.kind(arn: dlq, naming: naming) else {
                    failed.append(["TargetId": .string(target.id), "ErrorCode": "ValidationException",
                                   "ErrorMessage": .string("DeadLetterConfig Arn \(dlq) is not an SQS queue ARN of this account and region.")])
                    continue
                }
            }
            accepted.append(target)
        }
        let targets = accepted
        try await controlWrite(bus: bus) { db in
            guard try Self.busExists(db, bus) else { throw BusError.busNotFound(bus) }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM eb_rule WHERE bus = ? AND name = ?", arguments: [bus, rule]) ?? false else {
                throw BusError.ruleNotFound(rule, bus: bus)
            }
            let existing = Set(try String.fetchAll(db, sql: "SELECT id FROM eb_target WHERE bus = ? AND rule = ?", arguments: [bus, rule]))
            guard existing.union(targets.map(\.id)).count <= Self.maximumTargetsPerRule else {
                throw BusError.limitExceeded("The requested resource exceeds the maximum number allowed.")
            }
            var position = (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM eb_target WHERE bus = ? AND rule = ?", arguments: [bus, rule]) ?? 0) + 1
            for target in targets {
                try db.execute(sql: """
                    INSERT INTO eb_target (bus, rule, id, arn, spec, position) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (bus, rule, id) DO UPDATE SET arn = excluded.arn, spec = excluded.spec
                    """, arguments: [bus, rule, target.id, target.arn, target.spec.serialized, position])
                position += 1
            }
        }
        return ["FailedEntryCount": .number(Double(failed.count)), "FailedEntries": .array(failed)]
    }

    func removeTargets(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let rule = try input.name("Rule")
        let bus = try busName(input)
        guard let ids = try input.stringList("Ids") else { throw BusError.constraint("null", member: "ids", "Member must not be null") }
        guard (1...100).contains(ids.count) else {
            throw BusError.constraint("[\(ids.count) ids]", member: "ids", "Member must have length between 1 and 100")
        }
        let failed = try await controlWrite(bus: bus) { db -> [JSONValue] in
            guard try Self.busExists(db, bus) else { throw BusError.busNotFound(bus) }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM eb_rule WHERE bus = ? AND name = ?", arguments: [bus, rule]) ?? false else {
                throw BusError.ruleNotFound(rule, bus: bus)
            }
            var failed: [JSONValue] = []
            for id in ids {
                try db.execute(sql: "DELETE FROM eb_target WHERE bus = ? AND rule = ? AND id = ?", arguments: [bus, rule, id])
                if db.changesCount == 0 {
                    failed.append(["TargetId": .string(id), "ErrorCode": "ResourceNotFoundException",
                                   "ErrorMessage": .string("Target \(id) does not exist on rule \(rule).")])
                }
            }
            return failed
        }
        return ["FailedEntryCount": .number(Double(failed.count)), "FailedEntries": .array(failed)]
    }

    func listTargetsByRule(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let rule = try input.name("Rule")
        let bus = try busName(input)
        let limit = try input.int("Limit", in: 1...100) ?? 100
        let after = try input.string("NextToken").map { token throws(AWSError) -> Int in
            let decoded = try Self.decodeToken(token) ?? ""
            guard let position = Int(decoded) else { throw BusError.validation("The NextToken provided is invalid.") }
            return position
        }
        let rows = try await store.read { db -> [(spec: String, position: Int)]? in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM eb_rule WHERE bus = ? AND name = ?", arguments: [bus, rule]) ?? false else {
                return nil
            }
            return try Row.fetchAll(db, sql: """
                SELECT spec, position FROM eb_target WHERE bus = ? AND rule = ? AND position > ? ORDER BY position LIMIT ?
                """, arguments: [bus, rule, after ?? 0, limit + 1]).map { row -> (spec: String, position: Int) in (row[0], row[1]) }
        }
        guard let rows else { throw BusError.ruleNotFound(rule, bus: bus) }
        let targets = rows.prefix(limit).compactMap { row -> JSONValue? in try? JSONValue(parsing: row.spec) }
        var out: JSONObject = ["Targets": .array(targets)]
        if rows.count > limit { out["NextToken"] = .string(Self.encodeToken(String(rows[limit - 1].position))) }
        return .object(out)
    }
}
