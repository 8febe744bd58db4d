import Foundation
import GRDB
import JSON
import Timekeeping
import Wire

/// Event buses: the `default` bus always exists and cannot be deleted.
extension BusService {
    static let maximumBuses = 100

    func createEventBus(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("Name")
        guard BusNaming.isValidBusName(name) else {
            throw BusError.constraint(name, member: "name", "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 256")
        }
        if name.hasPrefix("aws."), try input.string("EventSourceName") == nil {
            throw BusError.validation("Event bus name must not start with 'aws.'.")
        }
        let description = try input.string("Description")
        if let description, description.utf8.count > 512 {
            throw BusError.constraint(description, member: "description", "Member must have length less than or equal to 512")
        }
        let tags = try input.tags() ?? []
        let now = clock.wallClockNow.milliseconds
        try await controlWrite(bus: name) { db in
            guard try !Self.busExists(db, name) else { throw BusError.alreadyExists("Event bus \(name) already exists.") }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eb_bus") ?? 0
            guard count < Self.maximumBuses else {
                throw BusError.limitExceeded("The requested resource exceeds the maximum number allowed.")
            }
            try db.execute(sql: "INSERT INTO eb_bus (name, description, tags, created_at, modified_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, description, Self.encodeTags(tags, into: [:]), now, now])
        }
        var out: JSONObject = ["EventBusArn": .string(naming.busArn(name))]
        if let description { out["Description"] = .string(description) }
        return .object(out)
    }

    func busJSON(_ row: Row) -> JSONValue {
        let name: String = row["name"]
        var out: JSONObject = ["Name": .string(name), "Arn": .string(naming.busArn(name))]
        if let description: String = row["description"] { out["Description"] = .string(description) }
        if let policy = BusPolicy(stored: row["policy"]), !policy.isEmpty { out["Policy"] = .string(policy.document) }
        out["CreationTime"] = .number(Double(row["created_at"] as Int64) / 1000)
        out["LastModifiedTime"] = .number(Double(row["modified_at"] as Int64) / 1000)
        return .object(out)
    }

    func describeEventBus(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = naming.busName(try input.string("Name"))
        guard let bus = try await store.read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM eb_bus WHERE name = ?", arguments: [name]).map(self.busJSON)
        }) else {
            throw BusError.busNotFound(name)
        }
        return bus
    }

    func listEventBuses(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let prefix = try input.string("NamePrefix") ?? ""
        let limit = try input.int("Limit", in: 1...100) ?? 100
        let after = try Self.decodeToken(try input.string("NextToken"))
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM eb_bus WHERE substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?
                """, arguments: [prefix.count, prefix, after ?? "", limit + 1]).map(self.busJSON)
        }
        var out: JSONObject = ["EventBuses": .array(Array(rows.prefix(limit)))]
        if rows.count > limit, let last = rows[limit - 1]["Name"]?.stringValue { out["NextToken"] = .string(Self.encodeToken(last)) }
        return .object(out)
    }

    func deleteEventBus(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = naming.busName(try input.requiredString("Name"))
        guard name != BusNaming.defaultBus else { throw BusError.validation("Cannot delete event bus default.") }
        try await controlWrite(bus: name) { db in
            try db.execute(sql: "DELETE FROM eb_target WHERE bus = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM eb_rule WHERE bus = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM eb_bus WHERE name = ?", arguments: [name])
        }
        return [:]
    }

    func updateEventBus(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = naming.busName(try input.string("Name"))
        let description = try input.string("Description")
        let now = clock.wallClockNow.milliseconds
        try await controlWrite(bus: name) { db in
            guard try Self.busExists(db, name) else { throw BusError.busNotFound(name) }
            try db.execute(sql: "UPDATE eb_bus SET description = ?, modified_at = ? WHERE name = ?", arguments: [description, now, name])
        }
        var out: JSONObject = ["Name": .string(name), "Arn": .string(naming.busArn(name))]
        if let description { out["Description"] = .string(description) }
        return .object(out)
    }

    // MARK: Pagination and tags

    static func encodeToken(_ last: String) -> String { Data(last.utf8).base64EncodedString() }

    static func decodeToken(_ token: String?) throws(AWSError) -> String? {
        guard let token else { return nil }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else {
            throw BusError.validation("The NextToken provided is invalid.")
        }
        return text
    }

    static func encodeTags(_ tags: [(String, String)], into existing: [String: String]) -> String {
        var merged = existing
        for (key, value) in tags { merged[key] = value }
        var object = JSONObject()
        for key in merged.keys.sorted() { object[key] = .string(merged[key]!) }
        return JSONValue.object(object).serialized
    }

    static func decodeTags(_ text: String?) -> [String: String] {
        guard let text, let object = (try? JSONValue(parsing: text))?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for (key, value) in object { out[key] = value.stringValue }
        return out
    }

    /// The table and key of a bus or rule ARN.
    func taggable(_ arn: String) throws(AWSError) -> (table: String, bus: String, rule: String?) {
        if let bus = naming.busName(fromArn: arn) { return ("eb_bus", bus, nil) }
        if let parsed = naming.rule(fromArn: arn) { return ("eb_rule", parsed.bus, parsed.rule) }
        throw BusError.notFound("Resource \(arn) does not exist.")
    }

    func tagRow(_ db: Database, _ target: (table: String, bus: String, rule: String?)) throws -> String? {
        if let rule = target.rule {
            return try String.fetchOne(db, sql: "SELECT tags FROM eb_rule WHERE bus = ? AND name = ?", arguments: [target.bus, rule])
        }
        return try String.fetchOne(db, sql: "SELECT tags FROM eb_bus WHERE name = ?", arguments: [target.bus])
    }

    func setTags(_ db: Database, _ target: (table: String, bus: String, rule: String?), _ text: String) throws {
        if let rule = target.rule {
            try db.execute(sql: "UPDATE eb_rule SET tags = ? WHERE bus = ? AND name = ?", arguments: [text, target.bus, rule])
        } else {
            try db.execute(sql: "UPDATE eb_bus SET tags = ? WHERE name = ?", arguments: [text, target.bus])
        }
    }

    func tagResource(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let arn = try input.requiredString("ResourceARN")
        guard let tags = try input.tags() else { throw BusError.constraint("null", member: "tags", "Member must not be null") }
        let resource = try taggable(arn)
        try await store.write { db in
            guard let current = try self.tagRow(db, resource) else { throw BusError.notFound("Resource \(arn) does not exist.") }
            let merged = Self.decodeTags(current).merging(tags, uniquingKeysWith: { _, new in new })
            guard merged.count <= 50 else { throw BusError.limitExceeded("A resource can have at most 50 tags.") }
            try self.setTags(db, resource, Self.encodeTags(tags, into: Self.decodeTags(current)))
        }
        return [:]
    }

    func untagResource(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let arn = try input.requiredString("ResourceARN")
        let keys = try input.stringList("TagKeys") ?? []
        let resource = try taggable(arn)
        try await store.write { db in
            guard let current = try self.tagRow(db, resource) else { throw BusError.notFound("Resource \(arn) does not exist.") }
            var tags = Self.decodeTags(current)
            for key in keys { tags[key] = nil }
            try self.setTags(db, resource, Self.encodeTags([], into: tags))
        }
        return [:]
    }

    func listTagsForResource(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let arn = try input.requiredString("ResourceARN")
        let resource = try taggable(arn)
        guard let current = try await store.read({ db in try self.tagRow(db, resource) }) else {
            throw BusError.notFound("Resource \(arn) does not exist.")
        }
        let tags = Self.decodeTags(current)
        return ["Tags": .array(tags.keys.sorted().map { ["Key": .string($0), "Value": .string(tags[$0]!)] })]
    }
}
