import JSON
import Testing
@testable import Stack

/// Cloud Map's DNS rules where a store is not needed (record combinations, what an instance
/// must carry), and a DNS namespace's settings read back from a reopened store.
@Suite("Cloud Map DNS namespaces")
struct RegistryDNSTests {
    func config(_ records: [String], policy: String? = nil) throws -> JSONObject {
        var input: JSONObject = ["DnsRecords": .array(records.map { type -> JSONValue in ["Type": .string(type), "TTL": 60] })]
        if let policy { input["RoutingPolicy"] = .string(policy) }
        return try RegistryDNS.config(RegistryInput(.object(input)))
    }

    @Test("the record combinations AWS accepts, and no others")
    func combinations() throws {
        for records in [["A"], ["AAAA"], ["A", "AAAA"], ["AAAA", "A"], ["SRV"]] {
            #expect(try config(records)["RoutingPolicy"] == "MULTIVALUE")
        }
        #expect(try config(["CNAME"], policy: "WEIGHTED")["DnsRecords"]?.arrayValue?.count == 1)
        for records in [[], ["A", "SRV"], ["A", "CNAME"], ["A", "A"], ["MX"]] {
            #expect(throws: (any Error).self) { try config(records) }
        }
        #expect(throws: (any Error).self) { try config(["CNAME"]) }
        #expect(throws: (any Error).self) { try config(["A"], policy: "FAILOVER") }
    }

    @Test("an instance carries the address its records need, or is an alias")
    func instances() throws {
        let a = JSONValue.object(try config(["A"]))
        let srv = JSONValue.object(try config(["SRV"]))
        let weighted = JSONValue.object(try config(["A", "AAAA"], policy: "WEIGHTED"))
        try RegistryDNS.checkInstance([("AWS_INSTANCE_IPV4", "10.0.0.1")], dnsConfig: a, healthCheck: false)
        #expect(throws: (any Error).self) { try RegistryDNS.checkInstance([("k", "v")], dnsConfig: a, healthCheck: false) }
        #expect(throws: (any Error).self) {
            try RegistryDNS.checkInstance([("AWS_INSTANCE_IPV4", "10.0.0.1")], dnsConfig: a, healthCheck: true)
        }
        try RegistryDNS.checkInstance([("AWS_INSTANCE_IPV6", "::1"), ("AWS_INSTANCE_PORT", "80")], dnsConfig: srv, healthCheck: false)
        #expect(throws: (any Error).self) {
            try RegistryDNS.checkInstance([("AWS_INSTANCE_PORT", "80")], dnsConfig: srv, healthCheck: false)
        }
        try RegistryDNS.checkInstance([("AWS_ALIAS_DNS_NAME", "lb.example.com")], dnsConfig: weighted, healthCheck: false)
        #expect(throws: (any Error).self) {
            try RegistryDNS.checkInstance([("AWS_ALIAS_DNS_NAME", "lb.example.com")], dnsConfig: a, healthCheck: false)
        }
        #expect(throws: (any Error).self) {
            try RegistryDNS.checkInstance([("AWS_EC2_INSTANCE_ID", "i-1"), ("AWS_INSTANCE_IPV4", "10.0.0.1")], dnsConfig: a,
                                          healthCheck: false)
        }
        #expect(RegistryDNS.isIPv6("2001:db8::1") && !RegistryDNS.isIPv6("10.0.0.1") && !RegistryDNS.isIPv6("2001:db8::zz"))
    }

    @Test("an update keeps record types: TTLs change, a type left out goes, a new type is refused")
    func updates() throws {
        let current = JSONValue.object(try config(["A", "AAAA"]))
        let kept = try RegistryDNS.updated(current, with: RegistryInput(["DnsRecords": [["Type": "A", "TTL": 5]]]), service: "srv-x")
        #expect(kept["DnsRecords"] == [["Type": "A", "TTL": 5]])
        #expect(kept["RoutingPolicy"] == "MULTIVALUE")
        #expect(throws: (any Error).self) {
            try RegistryDNS.updated(current, with: RegistryInput(["DnsRecords": [["Type": "SRV", "TTL": 5]]]), service: "srv-x")
        }
        #expect(throws: (any Error).self) {
            try RegistryDNS.updated(nil, with: RegistryInput(["DnsRecords": [["Type": "A", "TTL": 5]]]), service: "srv-x")
        }
    }

    @Test("a DNS namespace's VPC, hosted zone and SOA TTL survive reopening the store")
    func durable() async throws {
        let harness = try RegistryHarness()
        defer { harness.removeFiles() }
        let operation = try await harness.ok("CreatePrivateDnsNamespace", [
            "Name": "orders.internal", "Vpc": "vpc-1", "Properties": ["DnsProperties": ["SOA": ["TTL": 30]]],
        ])["OperationId"]?.stringValue ?? ""
        let id = try await harness.ok("GetOperation", ["OperationId": .string(operation)])["Operation"]?["Targets"]?["NAMESPACE"]?
            .stringValue ?? ""
        let before = try await harness.ok("GetNamespace", ["Id": .string(id)])
        let reopened = try RegistryHarness(directory: harness.directory)
        let after = try await reopened.ok("GetNamespace", ["Id": .string(id)])
        #expect(after == before)
        #expect(after["Namespace"]?["Properties"]?["DnsProperties"]?["SOA"] == ["TTL": 30])
        let stored = try await reopened.store.read { db in try NamespaceRecord.load(db, id: id) }
        #expect(stored.vpc == "vpc-1" && stored.type == "DNS_PRIVATE")
    }
}
