import GRDB
import JSON
import Timekeeping
import Wire

extension RegistryService {
    func createHttpNamespace(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("Name")
        try RegistryValidation.namespaceName(name)
        let description = try input.string("Description")
        try RegistryValidation.description(description)
        let creatorRequestId = try input.string("CreatorRequestId")
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
            let namespace = NamespaceRecord(id: RegistryIdentifiers.namespace(), name: name, type: "HTTP",
                                            description: description, creatorRequestId: creatorRequestId,
                                            tags: tags, createdAt: now)
            try namespace.insert(db)
            let operation = OperationRecord(id: RegistryIdentifiers.operation(), type: "CREATE_NAMESPACE",
                                            targets: [("NAMESPACE", namespace.id)], now: now)
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
        out["Properties"] = ["DnsProperties": [:], "HttpProperties": ["HttpName": .string(namespace.name)]]
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

    // MARK: Operations

    func operationJSON(_ operation: OperationRecord) -> JSONValue {
        var out: JSONObject = ["Id": .string(operation.id), "Type": .string(operation.type), "Status": .string(operation.status)]
        if let code = operation.errorCode { out["ErrorCode"] = .string(code) }
        if let message = operation.errorMessage { out["ErrorMessage"] = .string(message) }
        out["CreateDate"] = RegistryJSON.timestamp(operation.createdAt)
        out["UpdateDate"] = RegistryJSON.timestamp(operation.updatedAt)
        var targets = JSONObject()
        for (key, value) in operation.targets { targets[key] = .string(value) }
        out["Targets"] = .object(targets)
        return .object(out)
    }

    func getOperation(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let id = try input.requiredString("OperationId")
        let operation = try await store.read { db in try OperationRecord.load(db, id: id) }
        return ["Operation": operationJSON(operation)]
    }

    static let operationTypes: Set<String> = [
        "CREATE_NAMESPACE", "DELETE_NAMESPACE", "UPDATE_NAMESPACE", "UPDATE_SERVICE", "REGISTER_INSTANCE", "DEREGISTER_INSTANCE",
    ]

    func listOperations(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let filters = try input.filters()
        var dateRange: ClosedRange<Double>?
        for filter in filters {
            switch filter.name {
            case "NAMESPACE_ID", "SERVICE_ID": try filter.validate(allowed: ["EQ"])
            case "STATUS":
                try filter.validate(allowed: ["EQ", "IN"])
                for value in filter.values where !["SUBMITTED", "PENDING", "SUCCESS", "FAIL"].contains(value) {
                    throw RegistryError.invalidInput("STATUS filter value must be SUBMITTED, PENDING, SUCCESS or FAIL: \(RegistryValidation.quoted(value))")
                }
            case "TYPE":
                try filter.validate(allowed: ["EQ", "IN"])
                for value in filter.values where !Self.operationTypes.contains(value) {
                    throw RegistryError.invalidInput("TYPE filter value is not an operation type: \(RegistryValidation.quoted(value))")
                }
            case "UPDATE_DATE":
                try filter.validate(allowed: ["BETWEEN"])
                guard let low = Double(filter.values[0]), let high = Double(filter.values[1]), low <= high else {
                    throw RegistryError.invalidInput("UPDATE_DATE BETWEEN takes two epoch-second timestamps, earliest first")
                }
                dateRange = low...high
            default:
                throw RegistryError.invalidInput("Unknown operation filter \(RegistryValidation.quoted(filter.name)); use NAMESPACE_ID, SERVICE_ID, STATUS, TYPE or UPDATE_DATE")
            }
        }
        let operations = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM cm_operation ORDER BY seq").map(OperationRecord.init(row:))
        }
        let matching = operations.filter { operation in
            filters.allSatisfy { filter in
                switch filter.name {
                case "NAMESPACE_ID": return operation.target("NAMESPACE").map(filter.matches) ?? false
                case "SERVICE_ID": return operation.target("SERVICE").map(filter.matches) ?? false
                case "STATUS": return filter.matches(operation.status)
                case "TYPE": return filter.matches(operation.type)
                default: return dateRange.map { $0.contains(Double(operation.updatedAt) / 1000) } ?? true
                }
            }
        }
        let (items, next) = try page(matching, input: input)
        var out: JSONObject = [
            "Operations": .array(items.map { ["Id": .string($0.id), "Status": .string($0.status)] }),
        ]
        if let next { out["NextToken"] = .string(next) }
        return .object(out)
    }
}
