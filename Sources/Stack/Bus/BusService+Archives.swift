import Foundation
import GRDB
import JSON
import Patterns
import Wire

/// Archives: CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive.
/// An archive keeps the events put to its bus (those its pattern matches, when it has one) in
/// segments (`BusArchiveStore`), written in the PutEvents transaction; retention deletes them after
/// `RetentionDays` (0: kept indefinitely). Archives are always `ENABLED`: the stack has no
/// asynchronous creation, so `CREATING`/`UPDATING` are never reported.
extension BusService {
    static let archiveStates = ["ENABLED", "DISABLED", "CREATING", "UPDATING", "CREATE_FAILED", "UPDATE_FAILED"]

    func archiveArn(_ name: String) -> String { "arn:aws:events:\(naming.region):\(naming.accountId):archive/\(name)" }

    /// The archive name from an archive ARN of this account and region; nil otherwise.
    func archiveName(fromArn arn: String) -> String? {
        let prefix = "arn:aws:events:\(naming.region):\(naming.accountId):archive/"
        guard arn.hasPrefix(prefix) else { return nil }
        let name = String(arn.dropFirst(prefix.count))
        return name.isEmpty ? nil : name
    }

    func archiveNameInput(_ input: BusInput) throws(AWSError) -> String {
        try input.name("ArchiveName", maxLength: 48)
    }

    /// An event pattern member, checked as PutRule checks one.
    func archivePattern(_ input: BusInput) throws(AWSError) -> String? {
        guard let text = try input.string("EventPattern") else { return nil }
        do throws(EventPatternError) { _ = try EventPattern(parsing: text) } catch { throw BusError.invalidPattern(error.message) }
        return text
    }

    func archiveDescription(_ input: BusInput) throws(AWSError) -> String? {
        let description = try input.string("Description")
        if let description, description.utf8.count > 512 {
            throw BusError.constraint(description, member: "description", "Member must have length less than or equal to 512")
        }
        return description
    }

    func retentionDays(_ input: BusInput) throws(AWSError) -> Int? {
        guard let days = try input.int("RetentionDays") else { return nil }
        guard days >= 0 else {
            throw BusError.constraint(String(days), member: "retentionDays", "Member must have value greater than or equal to 0")
        }
        return days
    }

    func createArchive(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try archiveNameInput(input)
        let source = try input.requiredString("EventSourceArn")
        let pattern = try archivePattern(input)
        let description = try archiveDescription(input)
        let retention = try retentionDays(input) ?? 0
        guard let bus = naming.busName(fromArn: source) else {
            throw BusError.notFound("Event bus \(source) does not exist.")
        }
        let now = clock.wallClockNow.milliseconds
        try await controlWrite(bus: bus) { db in
            guard try Self.busExists(db, bus) else { throw BusError.busNotFound(bus) }
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM eb_archive WHERE name = ?", arguments: [name]) == nil else {
                throw BusError.alreadyExists("Archive \(name) already exists.")
            }
            try db.execute(sql: """
                INSERT INTO eb_archive (name, bus, pattern, description, retention_days, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [name, bus, pattern, description, retention, now])
        }
        return ["ArchiveArn": .string(archiveArn(name)), "State": "ENABLED", "CreationTime": .number(Double(now) / 1000)]
    }

    /// What ListArchives shows of an archive; DescribeArchive adds its ARN, description and pattern.
    func archiveJSON(_ db: Database, _ row: Row, full: Bool) throws -> JSONValue {
        let name: String = row["name"], bus: String = row["bus"]
        let totals = try archiveTotals.totals(db, archive: name)
        var out: JSONObject = [:]
        if full { out["ArchiveArn"] = .string(archiveArn(name)) }
        out["ArchiveName"] = .string(name)
        out["EventSourceArn"] = .string(naming.busArn(bus))
        if full {
            if let description: String = row["description"] { out["Description"] = .string(description) }
            if let pattern: String = row["pattern"] { out["EventPattern"] = .string(pattern) }
        }
        out["State"] = "ENABLED"
        out["RetentionDays"] = .number(Double(row["retention_days"] as Int64))
        out["SizeBytes"] = .number(Double(totals.bytes))
        out["EventCount"] = .number(Double(totals.count))
        out["CreationTime"] = .number(Double(row["created_at"] as Int64) / 1000)
        return .object(out)
    }

    func describeArchive(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try archiveNameInput(input)
        return try await store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM eb_archive WHERE name = ?", arguments: [name]) else {
                throw BusError.notFound("Archive \(name) does not exist.")
            }
            return try self.archiveJSON(db, row, full: true)
        }
    }

    /// What ListArchives and ListReplays are asked for: at most one of their three filters (as
    /// AWS requires), a `State` of the operation's set, `Limit` 1–100, and where the page starts.
    struct ListRequest {
        var prefix: String?
        var source: String?
        var state: String?
        var limit: Int
        var after: String
    }

    static func listRequest(_ input: BusInput, operation: String, states: [String]) throws(AWSError) -> ListRequest {
        let prefix = try input.string("NamePrefix")
        let source = try input.string("EventSourceArn")
        let state = try input.string("State")
        guard [prefix, source, state].compactMap({ $0 }).count <= 1 else {
            throw BusError.validation("At most one filter is allowed for \(operation). Use either : State, EventSourceArn, or NamePrefix.")
        }
        if let state, !states.contains(state) {
            throw BusError.constraint(state, member: "state", "Member must satisfy enum value set: [\(states.joined(separator: ", "))]")
        }
        return ListRequest(prefix: prefix, source: source, state: state, limit: try input.int("Limit", in: 1...100) ?? 100,
                           after: try decodeToken(try input.string("NextToken")) ?? "")
    }

    func listArchives(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let request = try Self.listRequest(input, operation: "ListArchives", states: Self.archiveStates)
        let (prefix, source, state, limit, after) = (request.prefix, request.source, request.state, request.limit, request.after)
        // An ARN of another account or region, or a state no archive is in, selects nothing.
        let bus = source.map { naming.busName(fromArn: $0) ?? "\u{0}" }
        let onlyNone = state.map { $0 != "ENABLED" } ?? false
        let (rows, more) = try await store.read { db -> ([JSONValue], Bool) in
            guard !onlyNone else { return ([], false) }
            let found = try Row.fetchAll(db, sql: """
                SELECT * FROM eb_archive WHERE name > ?1 AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)
                  AND (?3 IS NULL OR bus = ?3) ORDER BY name LIMIT ?4
                """, arguments: [after, prefix, bus, limit + 1])
            return (try found.prefix(limit).map { try self.archiveJSON(db, $0, full: false) }, found.count > limit)
        }
        var out: JSONObject = ["Archives": .array(rows)]
        if more, let last = rows.last?["ArchiveName"]?.stringValue { out["NextToken"] = .string(Self.encodeToken(last)) }
        return .object(out)
    }

    func updateArchive(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try archiveNameInput(input)
        let pattern = try archivePattern(input)
        let description = try archiveDescription(input)
        let retention = try retentionDays(input)
        let bus = try await store.read { db in
            try String.fetchOne(db, sql: "SELECT bus FROM eb_archive WHERE name = ?", arguments: [name])
        }
        guard let bus else { throw BusError.notFound("Archive \(name) does not exist.") }
        let created = try await controlWrite(bus: bus) { db -> Int64 in
            guard let created = try Int64.fetchOne(db, sql: "SELECT created_at FROM eb_archive WHERE name = ?", arguments: [name]) else {
                throw BusError.notFound("Archive \(name) does not exist.")
            }
            // Members not given stay as they were.
            try db.execute(sql: """
                UPDATE eb_archive SET pattern = COALESCE(?, pattern), description = COALESCE(?, description),
                  retention_days = COALESCE(?, retention_days) WHERE name = ?
                """, arguments: [pattern, description, retention, name])
            return created
        }
        return ["ArchiveArn": .string(archiveArn(name)), "State": "ENABLED", "CreationTime": .number(Double(created) / 1000)]
    }

    func deleteArchive(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try archiveNameInput(input)
        let bus = try await store.read { db in
            try String.fetchOne(db, sql: "SELECT bus FROM eb_archive WHERE name = ?", arguments: [name])
        }
        guard let bus else { throw BusError.notFound("Archive \(name) does not exist.") }
        try await controlWrite(bus: bus) { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM eb_archive WHERE name = ?", arguments: [name]) != nil else {
                throw BusError.notFound("Archive \(name) does not exist.")
            }
            try BusArchiveStore.deleteAll(db, archive: name)
            try db.execute(sql: "DELETE FROM eb_archive WHERE name = ?", arguments: [name])
        }
        archiveTotals.invalidate()
        return [:]
    }

    /// One pass of archive retention (run hourly by the background worker).
    func deleteExpiredArchivedEvents() async throws(AWSError) -> Int {
        let now = clock.wallClockNow.milliseconds
        let deleted = try await store.write { db in try BusArchiveStore.deleteExpired(db, now: now) }
        if deleted > 0 { archiveTotals.invalidate() }
        return deleted
    }
}
