#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON
import Wire

/// The DNS side of Cloud Map services: a service's `DnsConfig` as AWS accepts it, and what an
/// instance of such a service must carry to make its records. Checked before anything is
/// stored, so a refused request changes nothing.
enum RegistryDNS {
    static let recordTypes: Set<String> = ["SRV", "A", "AAAA", "CNAME"]
    /// The record-type combinations AWS accepts in one service.
    static let combinations: Set<Set<String>> = [["A"], ["AAAA"], ["A", "AAAA"], ["SRV"], ["CNAME"]]
    static let defaultRoutingPolicy = "MULTIVALUE"

    /// CreateService's `DnsConfig`, as stored and returned: `NamespaceId` (when given),
    /// `RoutingPolicy` (MULTIVALUE unless given) and `DnsRecords`.
    static func config(_ input: RegistryInput) throws(AWSError) -> JSONObject {
        var out = JSONObject()
        if let namespaceId = try input.string("NamespaceId") {
            guard namespaceId.count <= 64 else { throw RegistryError.invalidInput("DnsConfig.NamespaceId must be at most 64 characters") }
            out["NamespaceId"] = .string(namespaceId)
        }
        let policy = try input.string("RoutingPolicy") ?? defaultRoutingPolicy
        guard policy == "MULTIVALUE" || policy == "WEIGHTED" else {
            throw RegistryError.invalidInput("DnsConfig.RoutingPolicy must be MULTIVALUE or WEIGHTED, not \(RegistryValidation.quoted(policy))")
        }
        out["RoutingPolicy"] = .string(policy)
        let records = try records(input)
        let types = Set(records.compactMap { $0["Type"]?.stringValue })
        guard combinations.contains(types) else {
            throw RegistryError.invalidInput(
                "DnsConfig.DnsRecords must be one of these record types: A; AAAA; A and AAAA; SRV; CNAME. Got \(types.sorted().joined(separator: " and "))")
        }
        if types.contains("CNAME"), policy != "WEIGHTED" {
            throw RegistryError.invalidInput("A service with a CNAME record must have RoutingPolicy WEIGHTED")
        }
        out["DnsRecords"] = .array(records.map(JSONValue.object))
        return out
    }

    /// `DnsRecords`: one `{Type, TTL}` per record type, at least one.
    static func records(_ input: RegistryInput) throws(AWSError) -> [JSONObject] {
        guard let items = try input.objects("DnsRecords") else { throw RegistryError.invalidInput("Missing required parameter DnsRecords") }
        guard !items.isEmpty else { throw RegistryError.invalidInput("DnsConfig.DnsRecords must hold at least one record") }
        var out: [JSONObject] = []
        for item in items {
            let record = RegistryInput(item)
            let type = try record.requiredString("Type")
            guard recordTypes.contains(type) else {
                throw RegistryError.invalidInput("DnsRecord Type must be SRV, A, AAAA or CNAME, not \(RegistryValidation.quoted(type))")
            }
            guard let ttl = try record.int("TTL", in: 0...2_147_483_647) else { throw RegistryError.invalidInput("Missing required parameter TTL") }
            guard !out.contains(where: { $0["Type"]?.stringValue == type }) else {
                throw RegistryError.invalidInput("DnsConfig.DnsRecords lists the record type \(type) twice")
            }
            out.append(["Type": .string(type), "TTL": .number(Double(ttl))])
        }
        return out
    }

    static func recordTypes(of dnsConfig: JSONValue?) -> Set<String> {
        Set(dnsConfig?["DnsRecords"]?.arrayValue?.compactMap { $0["Type"]?.stringValue } ?? [])
    }

    /// UpdateService's `DnsConfig` applied to the service's: TTLs of existing record types
    /// change, and a type left out is deleted (AWS's rule for DNS namespaces); a record type
    /// can't be added or changed.
    static func updated(_ current: JSONValue?, with change: RegistryInput, service: String) throws(AWSError) -> JSONObject {
        guard var config = current?.objectValue else {
            throw RegistryError.invalidInput("Service \(service) has no DnsConfig: DNS records can't be added to it; create a new service instead")
        }
        let records = try records(change)
        let existing = recordTypes(of: current)
        for type in records.compactMap({ $0["Type"]?.stringValue }) where !existing.contains(type) {
            throw RegistryError.invalidInput(
                "The record type of a service can't be updated: service \(service) has no \(type) record (it has \(existing.sorted().joined(separator: ", ")))")
        }
        config["DnsRecords"] = .array(records.map(JSONValue.object))
        return config
    }

    /// The namespace-kind rules for a service's settings: no DnsConfig in an HTTP namespace,
    /// no HealthCheckConfig in a private DNS namespace or with a CNAME record.
    static func check(config: JSONObject, namespaceType: String) throws(AWSError) {
        if config["DnsConfig"] != nil, namespaceType == "HTTP" {
            throw RegistryError.invalidInput("DnsConfig is not allowed for a service in an HTTP namespace")
        }
        if config["HealthCheckConfig"] != nil {
            guard namespaceType != "DNS_PRIVATE" else {
                throw RegistryError.invalidInput("HealthCheckConfig is allowed in public DNS and HTTP namespaces only; use HealthCheckCustomConfig in a private DNS namespace")
            }
            guard !recordTypes(of: config["DnsConfig"]).contains("CNAME") else {
                throw RegistryError.invalidInput("A service with a CNAME record can't have HealthCheckConfig")
            }
        }
    }

    /// What an instance of a service in a DNS namespace must carry: the address its records
    /// need (AWS_INSTANCE_IPV4 for A, AWS_INSTANCE_IPV6 for AAAA, either for SRV,
    /// AWS_INSTANCE_CNAME for CNAME) unless it is an alias (AWS_ALIAS_DNS_NAME), a port for SRV
    /// records and Route 53 health checks, and no AWS_EC2_INSTANCE_ID (HTTP namespaces only).
    static func checkInstance(_ attributes: [(String, String)], dnsConfig: JSONValue?, healthCheck: Bool) throws(AWSError) {
        let keys = Set(attributes.map(\.0))
        if keys.contains("AWS_EC2_INSTANCE_ID") {
            throw RegistryError.invalidInput("AWS_EC2_INSTANCE_ID is allowed for instances in HTTP namespaces only")
        }
        let types = recordTypes(of: dnsConfig)
        if keys.contains("AWS_ALIAS_DNS_NAME") {
            guard !types.isEmpty, types.isSubset(of: ["A", "AAAA"]) else {
                throw RegistryError.invalidInput("AWS_ALIAS_DNS_NAME needs a service whose DnsConfig has A or AAAA records only")
            }
            guard dnsConfig?["RoutingPolicy"]?.stringValue == "WEIGHTED" else {
                throw RegistryError.invalidInput("AWS_ALIAS_DNS_NAME needs a service with RoutingPolicy WEIGHTED")
            }
            if let other = keys.sorted().first(where: { $0.hasPrefix("AWS_INSTANCE_") }) {
                throw RegistryError.invalidInput("An instance with AWS_ALIAS_DNS_NAME can't also have \(other)")
            }
            return
        }
        func require(_ key: String, for record: String) throws(AWSError) {
            guard keys.contains(key) else {
                throw RegistryError.invalidInput("\(key) is required: the service has a\(record == "A" ? "n" : "") \(record) record")
            }
        }
        if types.contains("A") { try require("AWS_INSTANCE_IPV4", for: "A") }
        if types.contains("AAAA") { try require("AWS_INSTANCE_IPV6", for: "AAAA") }
        if types.contains("CNAME") { try require("AWS_INSTANCE_CNAME", for: "CNAME") }
        if types.contains("SRV") {
            try require("AWS_INSTANCE_PORT", for: "SRV")
            guard keys.contains("AWS_INSTANCE_IPV4") || keys.contains("AWS_INSTANCE_IPV6") else {
                throw RegistryError.invalidInput("AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required: the service has an SRV record")
            }
        }
        if healthCheck, !keys.contains("AWS_INSTANCE_PORT") {
            throw RegistryError.invalidInput("AWS_INSTANCE_PORT is required: the service has a HealthCheckConfig")
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return text.withCString { inet_pton(AF_INET6, $0, &address) } == 1
    }
}
