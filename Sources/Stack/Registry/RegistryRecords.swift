import Foundation
import GRDB
import JSON
import Wire

/// A namespace as stored: HTTP, DNS_PRIVATE (with its VPC) or DNS_PUBLIC. A DNS namespace has
/// the id of the hosted zone minted for it and its SOA record's TTL.
struct NamespaceRecord: Sendable, Hashable {
    var id: String
    var name: String
    var type: String
    var description: String?
    var creatorRequestId: String?
    var tags: [RegistryTag]
    var createdAt: Int64
    var vpc: String?
    var hostedZoneId: String?
    var soaTTL: Int64?

    var isDNS: Bool { type != "HTTP" }

    init(row: Row) {
        id = row["id"]; name = row["name"]; type = row["type"]; description = row["description"]
        creatorRequestId = row["creator_request_id"]; createdAt = row["created_at"]
        tags = RegistryJSON.decodeTags(row["tags"])
        vpc = row["vpc"]; hostedZoneId = row["hosted_zone_id"]; soaTTL = row["soa_ttl"]
    }

    init(id: String, name: String, type: String, description: String?, creatorRequestId: String?,
         tags: [RegistryTag], createdAt: Int64, vpc: String? = nil, hostedZoneId: String? = nil, soaTTL: Int64? = nil) {
        self.id = id; self.name = name; self.type = type; self.description = description
        self.creatorRequestId = creatorRequestId; self.tags = tags; self.createdAt = createdAt
        self.vpc = vpc; self.hostedZoneId = hostedZoneId; self.soaTTL = soaTTL
    }

    func insert(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO cm_namespace (id, name, type, description, creator_request_id, tags, created_at, vpc, hosted_zone_id, soa_ttl)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, name, type, description, creatorRequestId, RegistryJSON.encodeTags(tags), createdAt,
                             vpc, hostedZoneId, soaTTL])
    }

    static func load(_ db: Database, id: String) throws -> NamespaceRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cm_namespace WHERE id = ?", arguments: [id]) else {
            throw RegistryError.namespaceNotFound(id)
        }
        return NamespaceRecord(row: row)
    }

    static func load(_ db: Database, name: String) throws -> NamespaceRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM cm_namespace WHERE name = ?", arguments: [name]).map(NamespaceRecord.init(row:))
    }
}

/// A service as stored; `config` keeps DnsConfig, HealthCheckConfig and HealthCheckCustomConfig
/// as they were accepted, and Type as the caller gave it (HTTP namespaces) or as AWS reports
/// it (DNS namespaces: DNS_HTTP with DNS records, HTTP without).
struct ServiceRecord: Sendable, Hashable {
    var id: String
    var namespaceId: String
    var name: String
    var description: String?
    var creatorRequestId: String?
    var config: JSONObject
    var tags: [RegistryTag]
    var createdAt: Int64
    var changes: Int64

    var hasCustomHealth: Bool { config["HealthCheckCustomConfig"] != nil }

    init(row: Row) {
        id = row["id"]; namespaceId = row["namespace_id"]; name = row["name"]; description = row["description"]
        creatorRequestId = row["creator_request_id"]; createdAt = row["created_at"]; changes = row["changes"]
        config = ((try? JSONValue(parsing: Array((row["config"] as String).utf8)))?.objectValue) ?? [:]
        tags = RegistryJSON.decodeTags(row["tags"])
    }

    init(id: String, namespaceId: String, name: String, description: String?, creatorRequestId: String?,
         config: JSONObject, tags: [RegistryTag], createdAt: Int64) {
        self.id = id; self.namespaceId = namespaceId; self.name = name; self.description = description
        self.creatorRequestId = creatorRequestId; self.config = config; self.tags = tags
        self.createdAt = createdAt; self.changes = 0
    }

    func insert(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO cm_service (id, namespace_id, name, description, creator_request_id, config, tags, created_at, changes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, namespaceId, name, description, creatorRequestId, JSONValue.object(config).serialized,
                             RegistryJSON.encodeTags(tags), createdAt, changes])
    }

    static func load(_ db: Database, id: String) throws -> ServiceRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cm_service WHERE id = ?", arguments: [id]) else {
            throw RegistryError.serviceNotFound(id)
        }
        return ServiceRecord(row: row)
    }

    static func bumpChanges(_ db: Database, id: String) throws {
        try db.execute(sql: "UPDATE cm_service SET changes = changes + 1 WHERE id = ?", arguments: [id])
    }
}

/// A registered instance and its health bookkeeping.
struct InstanceRecord: Sendable, Hashable {
    var serviceId: String
    var id: String
    var creatorRequestId: String?
    var attributes: [(String, String)]
    /// HEALTHY / UNHEALTHY for custom-health services, nil otherwise.
    var customStatus: String?
    var ttlMillis: Int64?
    var heartbeatAt: Int64
    var registeredAt: Int64

    static func == (a: InstanceRecord, b: InstanceRecord) -> Bool {
        a.serviceId == b.serviceId && a.id == b.id && a.customStatus == b.customStatus && a.heartbeatAt == b.heartbeatAt
            && a.attributes.map(\.0) == b.attributes.map(\.0) && a.attributes.map(\.1) == b.attributes.map(\.1)
    }

    func hash(into hasher: inout Hasher) { hasher.combine(serviceId); hasher.combine(id) }

    init(row: Row) {
        serviceId = row["service_id"]; id = row["id"]; creatorRequestId = row["creator_request_id"]
        customStatus = row["custom_status"]; ttlMillis = row["ttl_ms"]; heartbeatAt = row["heartbeat_at"]
        registeredAt = row["registered_at"]
        let object = (try? JSONValue(parsing: Array((row["attributes"] as String).utf8)))?.objectValue ?? [:]
        attributes = object.compactMap { key, value in value.stringValue.map { (key, $0) } }
    }

    init(serviceId: String, id: String, creatorRequestId: String?, attributes: [(String, String)],
         customStatus: String?, ttlMillis: Int64?, heartbeatAt: Int64, registeredAt: Int64) {
        self.serviceId = serviceId; self.id = id; self.creatorRequestId = creatorRequestId
        self.attributes = attributes; self.customStatus = customStatus; self.ttlMillis = ttlMillis
        self.heartbeatAt = heartbeatAt; self.registeredAt = registeredAt
    }

    func health(now: Int64) -> RegistryHealth.Status {
        RegistryHealth.status(customStatus: customStatus, ttlMillis: ttlMillis, heartbeatAt: heartbeatAt, now: now)
    }

    func isExpired(now: Int64) -> Bool {
        RegistryHealth.isExpired(customStatus: customStatus, ttlMillis: ttlMillis, heartbeatAt: heartbeatAt, now: now)
    }

    var attributesJSON: JSONValue {
        var object = JSONObject()
        for (key, value) in attributes { object[key] = .string(value) }
        return .object(object)
    }

    func upsert(_ db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO cm_instance
              (service_id, id, creator_request_id, attributes, custom_status, ttl_ms, heartbeat_at, registered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [serviceId, id, creatorRequestId, attributesJSON.serialized, customStatus, ttlMillis,
                             heartbeatAt, registeredAt])
    }

    static func load(_ db: Database, serviceId: String, id: String) throws -> InstanceRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cm_instance WHERE service_id = ? AND id = ?",
                                         arguments: [serviceId, id]) else {
            throw RegistryError.instanceNotFound(id, service: serviceId)
        }
        return InstanceRecord(row: row)
    }

    static func all(_ db: Database, serviceId: String) throws -> [InstanceRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM cm_instance WHERE service_id = ? ORDER BY id", arguments: [serviceId])
            .map(InstanceRecord.init(row:))
    }
}

/// One asynchronous operation (they complete before the call returns here, so every one is
/// SUCCESS by the time a client can ask).
struct OperationRecord: Sendable, Hashable {
    var id: String
    var type: String
    var status: String
    var errorCode: String?
    var errorMessage: String?
    var targets: [(String, String)]
    var createdAt: Int64
    var updatedAt: Int64
    /// The caller's UpdaterRequestId of an update, so a retry gets this operation back.
    var requestId: String?

    static func == (a: OperationRecord, b: OperationRecord) -> Bool { a.id == b.id && a.status == b.status }
    func hash(into hasher: inout Hasher) { hasher.combine(id) }

    init(row: Row) {
        id = row["id"]; type = row["type"]; status = row["status"]; errorCode = row["error_code"]
        errorMessage = row["error_message"]; createdAt = row["created_at"]; updatedAt = row["updated_at"]
        requestId = row["request_id"]
        let object = (try? JSONValue(parsing: Array((row["targets"] as String).utf8)))?.objectValue ?? [:]
        targets = object.compactMap { key, value in value.stringValue.map { (key, $0) } }
    }

    init(id: String, type: String, targets: [(String, String)], now: Int64, requestId: String? = nil) {
        self.id = id; self.type = type; status = "SUCCESS"; self.targets = targets; createdAt = now; updatedAt = now
        self.requestId = requestId
    }

    func target(_ name: String) -> String? { targets.first { $0.0 == name }?.1 }

    func insert(_ db: Database) throws {
        var object = JSONObject()
        for (key, value) in targets { object[key] = .string(value) }
        let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM cm_operation") ?? 0) + 1
        try db.execute(sql: """
            INSERT INTO cm_operation (id, seq, type, status, error_code, error_message, targets, created_at, updated_at, request_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, seq, type, status, errorCode, errorMessage, JSONValue.object(object).serialized, createdAt, updatedAt,
                             requestId])
    }

    static func load(_ db: Database, id: String) throws -> OperationRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cm_operation WHERE id = ?", arguments: [id]) else {
            throw RegistryError.operationNotFound(id)
        }
        return OperationRecord(row: row)
    }
}

enum RegistryJSON {
    static func encodeTags(_ tags: [RegistryTag]) -> String {
        JSONValue.array(tags.map { ["Key": .string($0.key), "Value": .string($0.value)] }).serialized
    }

    static func decodeTags(_ text: String) -> [RegistryTag] {
        guard let items = (try? JSONValue(parsing: Array(text.utf8)))?.arrayValue else { return [] }
        return items.compactMap { item in
            guard let key = item["Key"]?.stringValue, let value = item["Value"]?.stringValue else { return nil }
            return RegistryTag(key: key, value: value)
        }
    }

    /// JSON 1.1 timestamps: epoch seconds.
    static func timestamp(_ millis: Int64) -> JSONValue { .number(Double(millis) / 1000) }
}

/// Cloud Map-shaped identifiers: `ns-`/`srv-` plus 16 lowercase letters and digits, operation
/// ids of 32 + 8 characters.
enum RegistryIdentifiers {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")

    static func random(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    static func namespace() -> String { "ns-" + random(16) }
    /// A Route 53 hosted zone id: `Z` and 20 uppercase letters and digits.
    static func hostedZone() -> String { "Z" + random(20).uppercased() }
    static func service() -> String { "srv-" + random(16) }
    static func operation() -> String { random(32) + "-" + random(8) }
}
