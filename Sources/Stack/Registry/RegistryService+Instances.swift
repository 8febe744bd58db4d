import GRDB
import JSON
import Timekeeping
import Wire

extension RegistryService {
    func registerInstance(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let serviceId = try input.requiredString("ServiceId")
        let instanceId = try input.requiredString("InstanceId")
        try RegistryValidation.instanceId(instanceId)
        let creatorRequestId = try input.string("CreatorRequestId")
        guard let attributes = try input.stringMap("Attributes") else {
            throw RegistryError.invalidInput("Missing required parameter Attributes")
        }
        let now = clock.wallClockNow.milliseconds
        let operation = try await store.write { db -> OperationRecord in
            let service = try ServiceRecord.load(db, id: serviceId)
            try RegistryValidation.attributes(attributes, customHealth: service.hasCustomHealth)
            if try NamespaceRecord.load(db, id: service.namespaceId).isDNS {
                try RegistryDNS.checkInstance(attributes, dnsConfig: service.config["DnsConfig"],
                                              healthCheck: service.config["HealthCheckConfig"] != nil)
            }
            let existing = try? InstanceRecord.load(db, serviceId: serviceId, id: instanceId)
            let ttl = attributes.first { $0.0 == RegistryHealth.ttlAttribute }.flatMap { Int64($0.1) }.map { $0 * 1000 }
            var status: String?
            if service.hasCustomHealth {
                // A new instance starts as AWS_INIT_HEALTH_STATUS (default HEALTHY); re-registering
                // keeps the status it reported, as on AWS.
                status = existing?.customStatus
                    ?? attributes.first { $0.0 == "AWS_INIT_HEALTH_STATUS" }?.1 ?? RegistryHealth.Status.healthy.rawValue
            }
            let instance = InstanceRecord(serviceId: serviceId, id: instanceId, creatorRequestId: creatorRequestId,
                                          attributes: attributes, customStatus: status, ttlMillis: ttl, heartbeatAt: now,
                                          registeredAt: existing?.registeredAt ?? now)
            try instance.upsert(db)
            try ServiceRecord.bumpChanges(db, id: serviceId)
            let operation = OperationRecord(id: RegistryIdentifiers.operation(), type: "REGISTER_INSTANCE",
                                            targets: [("INSTANCE", instanceId), ("SERVICE", serviceId)], now: now)
            try operation.insert(db)
            return operation
        }
        return operationResponse(operation)
    }

    func deregisterInstance(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let serviceId = try input.requiredString("ServiceId")
        let instanceId = try input.requiredString("InstanceId")
        let now = clock.wallClockNow.milliseconds
        let operation = try await store.write { db -> OperationRecord in
            _ = try ServiceRecord.load(db, id: serviceId)
            _ = try InstanceRecord.load(db, serviceId: serviceId, id: instanceId)
            try db.execute(sql: "DELETE FROM cm_instance WHERE service_id = ? AND id = ?", arguments: [serviceId, instanceId])
            try ServiceRecord.bumpChanges(db, id: serviceId)
            let operation = OperationRecord(id: RegistryIdentifiers.operation(), type: "DEREGISTER_INSTANCE",
                                            targets: [("INSTANCE", instanceId), ("SERVICE", serviceId)], now: now)
            try operation.insert(db)
            return operation
        }
        return operationResponse(operation)
    }

    func getInstance(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let serviceId = try input.requiredString("ServiceId")
        let instanceId = try input.requiredString("InstanceId")
        let instance = try await store.read { db in
            _ = try ServiceRecord.load(db, id: serviceId)
            return try InstanceRecord.load(db, serviceId: serviceId, id: instanceId)
        }
        var out: JSONObject = ["Id": .string(instance.id)]
        if let creator = instance.creatorRequestId { out["CreatorRequestId"] = .string(creator) }
        out["Attributes"] = instance.attributesJSON
        return ["Instance": .object(out)]
    }

    func listInstances(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let serviceId = try input.requiredString("ServiceId")
        let instances = try await store.read { db in
            _ = try ServiceRecord.load(db, id: serviceId)
            return try InstanceRecord.all(db, serviceId: serviceId)
        }
        let (items, next) = try page(instances, input: input)
        var out: JSONObject = [
            "Instances": .array(items.map { ["Id": .string($0.id), "Attributes": $0.attributesJSON] }),
        ]
        if let next { out["NextToken"] = .string(next) }
        return .object(out)
    }

    func getInstancesHealthStatus(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let serviceId = try input.requiredString("ServiceId")
        let wanted = try input.stringList("Instances")
        if let wanted, !(1...10).contains(wanted.count) {
            throw RegistryError.invalidInput("Instances must list 1 to 10 instance ids, got \(wanted.count)")
        }
        let now = clock.wallClockNow.milliseconds
        let instances = try await store.read { db -> [InstanceRecord] in
            _ = try ServiceRecord.load(db, id: serviceId)
            let all = try InstanceRecord.all(db, serviceId: serviceId)
            guard let wanted else { return all }
            return try wanted.map { id in
                guard let found = all.first(where: { $0.id == id }) else {
                    throw RegistryError.instanceNotFound(id, service: serviceId)
                }
                return found
            }
        }
        let (items, next) = try page(instances, input: input)
        var status = JSONObject()
        for instance in items { status[instance.id] = .string(instance.health(now: now).rawValue) }
        var out: JSONObject = ["Status": .object(status)]
        if let next { out["NextToken"] = .string(next) }
        return .object(out)
    }

    /// Also the Signalbox heartbeat: every call refreshes the instance's TTL (see `RegistryHealth`).
    func updateInstanceCustomHealthStatus(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let serviceId = try input.requiredString("ServiceId")
        let instanceId = try input.requiredString("InstanceId")
        let status = try input.requiredString("Status")
        guard status == "HEALTHY" || status == "UNHEALTHY" else {
            throw RegistryError.invalidInput("Status must be HEALTHY or UNHEALTHY, not \(RegistryValidation.quoted(status))")
        }
        let now = clock.wallClockNow.milliseconds
        try await store.write { db in
            let service = try ServiceRecord.load(db, id: serviceId)
            guard service.hasCustomHealth else { throw RegistryError.customHealthNotFound(serviceId) }
            var instance = try InstanceRecord.load(db, serviceId: serviceId, id: instanceId)
            let before = instance.health(now: now)
            let wasExpired = instance.isExpired(now: now)
            instance.customStatus = status
            instance.heartbeatAt = now
            try db.execute(sql: "UPDATE cm_instance SET custom_status = ?, heartbeat_at = ? WHERE service_id = ? AND id = ?",
                           arguments: [status, now, serviceId, instanceId])
            if wasExpired || before != instance.health(now: now) {
                try ServiceRecord.bumpChanges(db, id: serviceId)
            }
        }
        return [:]
    }
}
