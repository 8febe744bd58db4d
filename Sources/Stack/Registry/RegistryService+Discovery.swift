import GRDB
import JSON
import Timekeeping
import Wire

extension RegistryService {
    /// The service a discover call names, with its instances, read in one snapshot.
    private func discoverable(_ input: RegistryInput) async throws(AWSError) -> (NamespaceRecord, ServiceRecord, [InstanceRecord]) {
        let namespaceName = try input.requiredString("NamespaceName")
        let serviceName = try input.requiredString("ServiceName")
        return try await store.read { db in
            guard let namespace = try NamespaceRecord.load(db, name: namespaceName) else {
                throw RegistryError.namespaceNotFound(namespaceName)
            }
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cm_service WHERE namespace_id = ? AND name = ?",
                                             arguments: [namespace.id, serviceName]) else {
                throw RegistryError.serviceNotFound("\(serviceName) in namespace \(namespaceName)")
            }
            let service = ServiceRecord(row: row)
            return (namespace, service, try InstanceRecord.all(db, serviceId: service.id))
        }
    }

    private func revision(_ service: ServiceRecord, _ instances: [InstanceRecord], now: Int64) -> Int64 {
        RegistryHealth.revision(changes: service.changes, expired: instances.filter { $0.isExpired(now: now) }.count)
    }

    func discoverInstances(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let maxResults = try input.int("MaxResults", in: 1...1000) ?? 100
        let query = try input.stringMap("QueryParameters") ?? []
        let optional = try input.stringMap("OptionalParameters") ?? []
        let healthFilter = try input.string("HealthStatus") ?? "HEALTHY"
        guard ["HEALTHY", "UNHEALTHY", "ALL", "HEALTHY_OR_ELSE_ALL"].contains(healthFilter) else {
            throw RegistryError.invalidInput("HealthStatus must be HEALTHY, UNHEALTHY, ALL or HEALTHY_OR_ELSE_ALL, not \(RegistryValidation.quoted(healthFilter))")
        }
        let now = clock.wallClockNow.milliseconds
        let (namespace, service, instances) = try await discoverable(input)
        let selection = Self.select(instances, query: query, optional: optional, health: healthFilter, now: now)
        let items = selection.prefix(maxResults).map { instance -> JSONValue in
            [
                "InstanceId": .string(instance.id), "NamespaceName": .string(namespace.name),
                "ServiceName": .string(service.name), "HealthStatus": .string(instance.health(now: now).rawValue),
                "Attributes": instance.attributesJSON,
            ]
        }
        return ["Instances": .array(items), "InstancesRevision": .number(Double(revision(service, instances, now: now)))]
    }

    func discoverInstancesRevision(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let now = clock.wallClockNow.milliseconds
        let (_, service, instances) = try await discoverable(input)
        return ["InstancesRevision": .number(Double(revision(service, instances, now: now)))]
    }

    /// DiscoverInstances' selection, in AWS's order of rules: every QueryParameter must match;
    /// OptionalParameters narrow the result only if some instance matches them all; then the
    /// health filter (instances without health checks, UNKNOWN, count as healthy).
    static func select(_ instances: [InstanceRecord], query: [(String, String)], optional: [(String, String)],
                       health: String, now: Int64) -> [InstanceRecord] {
        func matches(_ instance: InstanceRecord, _ parameters: [(String, String)]) -> Bool {
            parameters.allSatisfy { key, value in instance.attributes.contains { $0.0 == key && $0.1 == value } }
        }
        var selected = instances.filter { matches($0, query) }
        if !optional.isEmpty {
            let narrowed = selected.filter { matches($0, optional) }
            if !narrowed.isEmpty { selected = narrowed }
        }
        let healthy = selected.filter { $0.health(now: now) != .unhealthy }
        switch health {
        case "ALL": return selected
        case "UNHEALTHY": return selected.filter { $0.health(now: now) == .unhealthy }
        case "HEALTHY_OR_ELSE_ALL": return healthy.isEmpty ? selected : healthy
        default: return healthy
        }
    }
}
