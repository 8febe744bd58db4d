import GRDB
import JSON
import Timekeeping
import Wire

/// Namespaces of the three kinds AWS has: HTTP (discovery through the API only), and private
/// (in a VPC) and public DNS namespaces, whose services may also create DNS records. Every kind
/// is discoverable through DiscoverInstances by its name. No Route 53 zone is made: a DNS
/// namespace gets a hosted-zone id and keeps its SOA TTL, so it reads as on AWS.
extension RegistryService {
    /// AWS's SOA TTL for a DNS namespace created without `Properties`.
    static let defaultSOATTL: Int64 = 15

    func createHttpNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        try await createNamespace(input, type: "HTTP")
    }

    func createPrivateDnsNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        try await createNamespace(input, type: "DNS_PRIVATE")
    }

    func createPublicDnsNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        try await createNamespace(input, type: "DNS_PUBLIC")
    }

    private func createNamespace(_ input: RegistryInput, type: String) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("Name")
        try RegistryValidation.namespaceName(name, type: type)
        let description = try input.string("Description")
        try RegistryValidation.description(description)
        let creatorRequestId = try input.string("CreatorRequestId")
        let vpc: String? = try type == "DNS_PRIVATE" ? input.requiredString("Vpc") : nil
        if let vpc, vpc.count > 64 {
            throw RegistryError.invalidInput("Vpc must be at most 64 characters: \(RegistryValidation.quoted(vpc))")
        }
        let soaTTL: Int64? = try type == "HTTP" ? nil : Self.soaTTL(input.object("Properties")) ?? Self.defaultSOATTL
        let tags = try input.tags()
        let now = clock.wallClockNow.milliseconds
        let operation = try await store.write { db -> OperationRecord in
            if let existing = try NamespaceRecord.load(db, name: name) {
                // A retried request (same CreatorRequestId) gets the original operation back.
                if let creatorRequestId, existing.creatorRequestId == creatorRequestId,
                   let row = try Row.fetchOne(db, sql: """
                        SELECT * FROM cm_operation WHERE type = 'CREATE_NAMESPACE'
                        AND json_extract(targets, '$.NAMESPACE') = ?
                        """, arguments: [existing.id]) {
                    return OperationRecord(row: row)
                }
                throw RegistryError.namespaceAlreadyExists(name, id: existing.id)
            }
            let namespace = NamespaceRecord(id: RegistryIdentifiers.namespace(), name: name, type: type,
                                            description: description, creatorRequestId: creatorRequestId,
                                            tags: tags, createdAt: now, vpc: vpc,
                                            hostedZoneId: type == "HTTP" ? nil : RegistryIdentifiers.hostedZone(),
                                            soaTTL: soaTTL)
            try namespace.insert(db)
            let operation = OperationRecord(id: RegistryIdentifiers.operation(), type: "CREATE_NAMESPACE",
                                            targets: [("NAMESPACE", namespace.id)], now: now)
            try operation.insert(db)
            return operation
        }
        return operationResponse(operation)
    }

    /// `Properties.DnsProperties.SOA.TTL` of a DNS namespace's create or update; nil without
    /// `Properties`.
    private static func soaTTL(_ properties: RegistryInput?) throws(AWSError) -> Int64? {
        guard let properties else { return nil }
        guard let dns = try properties.object("DnsProperties") else { throw RegistryError.invalidInput("Missing required parameter DnsProperties") }
        guard let soa = try dns.object("SOA") else { throw RegistryError.invalidInput("Missing required parameter SOA") }
        guard let ttl = try soa.int("TTL", in: 0...2_147_483_647) else { throw RegistryError.invalidInput("Missing required parameter TTL") }
        return Int64(ttl)
    }

    func updateHttpNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        try await updateNamespace(input, type: "HTTP", operation: "UpdateHttpNamespace")
    }

    func updatePrivateDnsNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        try await updateNamespace(input, type: "DNS_PRIVATE", operation: "UpdatePrivateDnsNamespace")
    }

    func updatePublicDnsNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        try await updateNamespace(input, type: "DNS_PUBLIC", operation: "UpdatePublicDnsNamespace")
    }

    /// An UPDATE_NAMESPACE operation: the description (required for an HTTP namespace) and, for
    /// a DNS namespace, the SOA TTL. A retry with the same UpdaterRequestId returns the original
    /// operation without applying the change again.
    private func updateNamespace(_ input: RegistryInput, type: String, operation name: String) async throws(AWSError) -> JSONValue {
        let id = try input.requiredString("Id")
        let requestId = try input.string("UpdaterRequestId")
        guard let change = try input.object("Namespace") else { throw RegistryError.invalidInput("Missing required parameter Namespace") }
        let description: String? = try type == "HTTP" ? change.requiredString("Description") : change.string("Description")
        try RegistryValidation.description(description)
        let soaTTL: Int64? = try type == "HTTP" ? nil : Self.soaTTL(change.object("Properties"))
        guard description != nil || soaTTL != nil else {
            throw RegistryError.invalidInput("Namespace must change its Description or Properties")
        }
        let now = clock.wallClockNow.milliseconds
        let operation = try await store.write { db -> OperationRecord in
            let namespace = try NamespaceRecord.load(db, id: id)
            guard namespace.type == type else {
                throw RegistryError.invalidInput("Namespace \(id) is a \(namespace.type) namespace; \(name) updates \(type) namespaces")
            }
            if let requestId, let row = try Row.fetchOne(db, sql: """
                    SELECT * FROM cm_operation WHERE type = 'UPDATE_NAMESPACE' AND request_id = ?
                    AND json_extract(targets, '$.NAMESPACE') = ?
                    """, arguments: [requestId, id]) {
                return OperationRecord(row: row)
            }
            try db.execute(sql: "UPDATE cm_namespace SET description = ?, soa_ttl = ? WHERE id = ?",
                           arguments: [description ?? namespace.description, soaTTL ?? namespace.soaTTL, id])
            let operation = OperationRecord(id: RegistryIdentifiers.operation(), type: "UPDATE_NAMESPACE",
                                            targets: [("NAMESPACE", id)], now: now, requestId: requestId)
            try operation.insert(db)
            return operation
        }
        return operationResponse(operation)
    }

    func namespaceJSON(_ namespace: NamespaceRecord, serviceCount: Int, full: Bool) -> JSONValue {
        var out: JSONObject = [
            "Id": .string(namespace.id), "Arn": .string(namespaceArn(namespace.id)), "Name": .string(namespace.name),
            "Type": .string(namespace.type),
        ]
        if let description = namespace.description { out["Description"] = .string(description) }
        out["ServiceCount"] = .number(Double(serviceCount))
        var dns = JSONObject()
        if let zone = namespace.hostedZoneId { dns["HostedZoneId"] = .string(zone) }
        if let ttl = namespace.soaTTL { dns["SOA"] = ["TTL": .number(Double(ttl))] }
        out["Properties"] = ["DnsProperties": .object(dns), "HttpProperties": ["HttpName": .string(namespace.name)]]
        out["CreateDate"] = RegistryJSON.timestamp(namespace.createdAt)
        if full, let creator = namespace.creatorRequestId { out["CreatorRequestId"] = .string(creator) }
        return .object(out)
    }

    func getNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let id = try input.requiredString("Id")
        let (namespace, count) = try await store.read { db in
            let namespace = try NamespaceRecord.load(db, id: id)
            return (namespace, try Self.serviceCount(db, namespaceId: id))
        }
        return ["Namespace": namespaceJSON(namespace, serviceCount: count, full: true)]
    }

    static func serviceCount(_ db: Database, namespaceId: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cm_service WHERE namespace_id = ?", arguments: [namespaceId]) ?? 0
    }

    func listNamespaces(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let filters = try input.filters()
        for filter in filters {
            switch filter.name {
            case "TYPE":
                try filter.validate(allowed: ["EQ", "IN"])
                for value in filter.values where !["HTTP", "DNS_PRIVATE", "DNS_PUBLIC"].contains(value) {
                    throw RegistryError.invalidInput("TYPE filter value must be HTTP, DNS_PRIVATE or DNS_PUBLIC: \(RegistryValidation.quoted(value))")
                }
            case "NAME", "HTTP_NAME": try filter.validate(allowed: ["EQ", "BEGINS_WITH"])
            case "RESOURCE_OWNER": try filter.validate(allowed: ["EQ"])
            default: throw RegistryError.invalidInput("Unknown namespace filter \(RegistryValidation.quoted(filter.name)); use TYPE, NAME, HTTP_NAME or RESOURCE_OWNER")
            }
        }
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT n.*, (SELECT COUNT(*) FROM cm_service s WHERE s.namespace_id = n.id) AS service_count
                FROM cm_namespace n ORDER BY n.created_at, n.id
                """).map { (NamespaceRecord(row: $0), $0["service_count"] as Int) }
        }
        let accountId = self.accountId
        let matching = rows.filter { namespace, _ in
            filters.allSatisfy { filter in
                switch filter.name {
                case "TYPE": return filter.matches(namespace.type)
                case "RESOURCE_OWNER": return filter.values.contains(accountId) || filter.values.contains("SELF")
                default: return filter.matches(namespace.name)
                }
            }
        }
        let (items, next) = try page(matching, input: input)
        var out: JSONObject = ["Namespaces": .array(items.map { namespaceJSON($0.0, serviceCount: $0.1, full: false) })]
        if let next { out["NextToken"] = .string(next) }
        return .object(out)
    }

    func deleteNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let id = try input.requiredString("Id")
        let now = clock.wallClockNow.milliseconds
        let operation = try await store.write { db -> OperationRecord in
            _ = try NamespaceRecord.load(db, id: id)
            let services = try Self.serviceCount(db, namespaceId: id)
            guard services == 0 else {
                throw RegistryError.resourceInUse("Namespace \(id) still has \(services) service(s); delete them first")
            }
            try db.execute(sql: "DELETE FROM cm_namespace WHERE id = ?", arguments: [id])
            let operation = OperationRecord(id: RegistryIdentifiers.operation(), type: "DELETE_NAMESPACE",
                                            targets: [("NAMESPACE", id)], now: now)
            try operation.insert(db)
            return operation
        }
        return operationResponse(operation)
    }
}
