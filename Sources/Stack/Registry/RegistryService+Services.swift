import GRDB
import JSON
import Timekeeping
import Wire

extension RegistryService {
    /// The settings CreateService gives, checked in themselves; what depends on the namespace's
    /// kind is checked by `RegistryDNS.check` once the namespace is read.
    func serviceConfig(_ input: RegistryInput) throws(AWSError) -> JSONObject {
        var config = JSONObject()
        if let type = try input.string("Type") {
            guard type == "HTTP" else {
                throw RegistryError.invalidInput("Type must be HTTP (instances discovered through the API only), not \(RegistryValidation.quoted(type))")
            }
            config["Type"] = .string(type)
        }
        if let dns = try input.object("DnsConfig") {
            guard config["Type"] == nil else {
                throw RegistryError.invalidInput("A service of Type HTTP has no DNS records: DnsConfig can't be given with it")
            }
            config["DnsConfig"] = .object(try RegistryDNS.config(dns))
        }
        if let check = try input.object("HealthCheckConfig") {
            config["HealthCheckConfig"] = .object(try healthCheckConfig(check))
        }
        if let custom = try input.object("HealthCheckCustomConfig") {
            if config["HealthCheckConfig"] != nil {
                throw RegistryError.invalidInput("A service takes HealthCheckConfig or HealthCheckCustomConfig, not both")
            }
            var stored = JSONObject()
            if let threshold = try custom.int("FailureThreshold", in: 1...10) {
                stored["FailureThreshold"] = .number(Double(threshold))
            }
            config["HealthCheckCustomConfig"] = .object(stored)
        }
        return config
    }

    /// The `Type` AWS reports for a service in a DNS namespace: DNS_HTTP with DNS records,
    /// HTTP (API discovery only) without. In an HTTP namespace the Type given is kept.
    static func serviceType(_ config: JSONObject, namespaceType: String) -> JSONValue? {
        guard namespaceType != "HTTP" else { return config["Type"] }
        return config["DnsConfig"] == nil ? "HTTP" : "DNS_HTTP"
    }

    func healthCheckConfig(_ check: RegistryInput) throws(AWSError) -> JSONObject {
        let type = try check.requiredString("Type")
        guard ["HTTP", "HTTPS", "TCP"].contains(type) else {
            throw RegistryError.invalidInput("HealthCheckConfig.Type must be HTTP, HTTPS or TCP, not \(RegistryValidation.quoted(type))")
        }
        var out: JSONObject = ["Type": .string(type)]
        if let path = try check.string("ResourcePath") {
            guard type != "TCP" else { throw RegistryError.invalidInput("HealthCheckConfig.ResourcePath is not allowed with Type TCP") }
            guard path.count <= 255 else { throw RegistryError.invalidInput("HealthCheckConfig.ResourcePath is longer than 255 characters") }
            out["ResourcePath"] = .string(path)
        }
        if let threshold = try check.int("FailureThreshold", in: 1...10) { out["FailureThreshold"] = .number(Double(threshold)) }
        return out
    }

    func serviceJSON(_ service: ServiceRecord, instanceCount: Int, full: Bool) -> JSONValue {
        var out: JSONObject = ["Id": .string(service.id), "Arn": .string(serviceArn(service.id)), "Name": .string(service.name)]
        if full { out["NamespaceId"] = .string(service.namespaceId) }
        if let description = service.description { out["Description"] = .string(description) }
        out["InstanceCount"] = .number(Double(instanceCount))
        for key in ["DnsConfig", "Type", "HealthCheckConfig", "HealthCheckCustomConfig"] {
            if let value = service.config[key] { out[key] = value }
        }
        out["CreateDate"] = RegistryJSON.timestamp(service.createdAt)
        if full, let creator = service.creatorRequestId { out["CreatorRequestId"] = .string(creator) }
        return .object(out)
    }

    static func instanceCount(_ db: Database, serviceId: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cm_instance WHERE service_id = ?", arguments: [serviceId]) ?? 0
    }

    func createService(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("Name")
        try RegistryValidation.serviceName(name)
        let config = try serviceConfig(input)
        // DnsConfig.NamespaceId is AWS's deprecated place for the namespace; either place works.
        let dnsNamespaceId = config["DnsConfig"]?["NamespaceId"]?.stringValue
        guard let namespaceId = try input.string("NamespaceId") ?? dnsNamespaceId else {
            throw RegistryError.invalidInput("NamespaceId is required: the namespace the service belongs to")
        }
        if let dnsNamespaceId, dnsNamespaceId != namespaceId {
            throw RegistryError.invalidInput("NamespaceId \(namespaceId) and DnsConfig.NamespaceId \(dnsNamespaceId) name different namespaces")
        }
        let description = try input.string("Description")
        try RegistryValidation.description(description)
        let creatorRequestId = try input.string("CreatorRequestId")
        let tags = try input.tags()
        let now = clock.wallClockNow.milliseconds
        let service = try await store.write { db -> ServiceRecord in
            let namespace = try NamespaceRecord.load(db, id: namespaceId)
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM cm_service WHERE namespace_id = ? AND name = ?",
                                          arguments: [namespaceId, name]) {
                let existing = ServiceRecord(row: row)
                if let creatorRequestId, existing.creatorRequestId == creatorRequestId { return existing }
                throw RegistryError.serviceAlreadyExists(name, id: existing.id)
            }
            try RegistryDNS.check(config: config, namespaceType: namespace.type)
            var settings = config
            settings["Type"] = Self.serviceType(config, namespaceType: namespace.type)
            let service = ServiceRecord(id: RegistryIdentifiers.service(), namespaceId: namespaceId, name: name,
                                        description: description, creatorRequestId: creatorRequestId, config: settings,
                                        tags: tags, createdAt: now)
            try service.insert(db)
            return service
        }
        let count = try await store.read { db in try Self.instanceCount(db, serviceId: service.id) }
        return ["Service": serviceJSON(service, instanceCount: count, full: true)]
    }

    func getService(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let id = try input.requiredString("Id")
        let (service, count) = try await store.read { db in
            (try ServiceRecord.load(db, id: id), try Self.instanceCount(db, serviceId: id))
        }
        return ["Service": serviceJSON(service, instanceCount: count, full: true)]
    }

    func listServices(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let filters = try input.filters()
        for filter in filters {
            guard filter.name == "NAMESPACE_ID" else {
                throw RegistryError.invalidInput("Unknown service filter \(RegistryValidation.quoted(filter.name)); use NAMESPACE_ID")
            }
            try filter.validate(allowed: ["EQ", "IN"])
        }
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.*, (SELECT COUNT(*) FROM cm_instance i WHERE i.service_id = s.id) AS instance_count
                FROM cm_service s ORDER BY s.created_at, s.id
                """).map { (ServiceRecord(row: $0), $0["instance_count"] as Int) }
        }
        let matching = rows.filter { service, _ in filters.allSatisfy { $0.matches(service.namespaceId) } }
        let (items, next) = try page(matching, input: input)
        var out: JSONObject = ["Services": .array(items.map { serviceJSON($0.0, instanceCount: $0.1, full: false) })]
        if let next { out["NextToken"] = .string(next) }
        return .object(out)
    }

    /// UpdateService. In a DNS namespace, as AWS documents: the DnsRecords given replace the
    /// service's (TTLs change; a record type can't be added) and a DnsConfig or
    /// HealthCheckConfig left out of the request is deleted from the service. In an HTTP
    /// namespace only Description and HealthCheckConfig change, and what is left out stays.
    func updateService(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let id = try input.requiredString("Id")
        guard let update = try input.object("Service") else { throw RegistryError.invalidInput("Missing required parameter Service") }
        let description = try update.string("Description")
        try RegistryValidation.description(description)
        let healthCheck = try update.object("HealthCheckConfig").map { check throws(AWSError) in try healthCheckConfig(check) }
        let dnsChange = try update.object("DnsConfig")
        let now = clock.wallClockNow.milliseconds
        let operation = try await store.write { db -> OperationRecord in
            var service = try ServiceRecord.load(db, id: id)
            let namespace = try NamespaceRecord.load(db, id: service.namespaceId)
            if healthCheck != nil, service.hasCustomHealth {
                throw RegistryError.invalidInput("Service \(id) uses HealthCheckCustomConfig; HealthCheckConfig cannot be added")
            }
            if namespace.isDNS {
                service.config["DnsConfig"] = try dnsChange.map { change throws(AWSError) in
                    .object(try RegistryDNS.updated(service.config["DnsConfig"], with: change, service: id))
                }
                service.config["HealthCheckConfig"] = healthCheck.map(JSONValue.object)
                service.config["Type"] = Self.serviceType(service.config, namespaceType: namespace.type)
            } else {
                if dnsChange != nil { throw RegistryError.invalidInput("DnsConfig is not allowed for a service in an HTTP namespace") }
                if let healthCheck { service.config["HealthCheckConfig"] = .object(healthCheck) }
            }
            try RegistryDNS.check(config: service.config, namespaceType: namespace.type)
            if let description { service.description = description }
            try db.execute(sql: "UPDATE cm_service SET description = ?, config = ? WHERE id = ?",
                           arguments: [service.description, JSONValue.object(service.config).serialized, id])
            let operation = OperationRecord(id: RegistryIdentifiers.operation(), type: "UPDATE_SERVICE",
                                            targets: [("SERVICE", id)], now: now)
            try operation.insert(db)
            return operation
        }
        return operationResponse(operation)
    }

    func deleteService(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let id = try input.requiredString("Id")
        try await store.write { db in
            _ = try ServiceRecord.load(db, id: id)
            let instances = try Self.instanceCount(db, serviceId: id)
            guard instances == 0 else {
                throw RegistryError.resourceInUse("Service \(id) still has \(instances) registered instance(s); deregister them first")
            }
            try db.execute(sql: "DELETE FROM cm_service WHERE id = ?", arguments: [id])
        }
        return [:]
    }

    // MARK: Tags

    /// Resolves a namespace or service ARN of this stack to its table and id.
    func taggable(_ arn: String) throws(AWSError) -> (table: String, id: String) {
        let prefix = "arn:aws:servicediscovery:\(region):\(accountId):"
        guard arn.hasPrefix(prefix) else { throw RegistryError.resourceNotFound(arn) }
        let rest = arn.dropFirst(prefix.count)
        if rest.hasPrefix("namespace/") { return ("cm_namespace", String(rest.dropFirst("namespace/".count))) }
        if rest.hasPrefix("service/") { return ("cm_service", String(rest.dropFirst("service/".count))) }
        throw RegistryError.resourceNotFound(arn)
    }

    private func currentTags(_ db: Database, table: String, id: String, arn: String) throws -> [RegistryTag] {
        guard let text = try String.fetchOne(db, sql: "SELECT tags FROM \(table) WHERE id = ?", arguments: [id]) else {
            throw RegistryError.resourceNotFound(arn)
        }
        return RegistryJSON.decodeTags(text)
    }

    func tagResource(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let arn = try input.requiredString("ResourceARN")
        let (table, id) = try taggable(arn)
        let tags = try input.tags()
        try await store.write { db in
            var current = try self.currentTags(db, table: table, id: id, arn: arn)
            for tag in tags {
                current.removeAll { $0.key == tag.key }
                current.append(tag)
            }
            if current.count > 200 { throw RegistryError.tooManyTags() }
            try db.execute(sql: "UPDATE \(table) SET tags = ? WHERE id = ?", arguments: [RegistryJSON.encodeTags(current), id])
        }
        return [:]
    }

    func untagResource(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let arn = try input.requiredString("ResourceARN")
        let (table, id) = try taggable(arn)
        let keys = Set(try input.stringList("TagKeys") ?? [])
        try await store.write { db in
            let current = try self.currentTags(db, table: table, id: id, arn: arn).filter { !keys.contains($0.key) }
            try db.execute(sql: "UPDATE \(table) SET tags = ? WHERE id = ?", arguments: [RegistryJSON.encodeTags(current), id])
        }
        return [:]
    }

    func listTagsForResource(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let arn = try input.requiredString("ResourceARN")
        let (table, id) = try taggable(arn)
        let tags = try await store.read { db in try self.currentTags(db, table: table, id: id, arn: arn) }
        return ["Tags": .array(tags.map { ["Key": .string($0.key), "Value": .string($0.value)] })]
    }
}
