import Foundation
import JSON
import Testing
@testable import Stack

/// Registry state is in the store: a second service on the same directory sees it all.
@Suite struct RegistryStoreTests {
    @Test func stateSurvivesReopening() async throws {
        let first = try RegistryHarness()
        defer { first.removeFiles() }
        let ns = try await first.namespace("durable.local")
        let svc = try await first.service("orders", namespace: ns)
        try await first.register(svc, "o-1", ["AWS_INSTANCE_IPV4": "10.1.1.1", "AWS_INSTANCE_PORT": "9000"])
        try await first.heartbeat(svc, "o-1", "UNHEALTHY")

        let second = try RegistryHarness(directory: first.directory)
        let instance = try await second.ok("GetInstance", ["ServiceId": .string(svc), "InstanceId": "o-1"])
        #expect(instance["Instance"]?["Attributes"]?["AWS_INSTANCE_PORT"]?.stringValue == "9000")
        #expect(try await second.health(svc) == ["o-1": "UNHEALTHY"])
        let namespace = try await second.ok("GetNamespace", ["Id": .string(ns)])
        #expect(namespace["Namespace"]?["ServiceCount"]?.intValue == 1)
    }

    @Test func optionalParametersNarrowOnlyWhenSomethingMatches() async throws {
        let stack = try RegistryHarness()
        defer { stack.removeFiles() }
        let ns = try await stack.namespace("q.local")
        let svc = try await stack.service("inv", namespace: ns, customHealth: false)
        try await stack.register(svc, "a", ["zone": "a", "stage": "prod"])
        try await stack.register(svc, "b", ["zone": "b", "stage": "prod"])
        try await stack.register(svc, "c", ["zone": "a", "stage": "dev"])
        #expect(try await stack.discover("q.local", "inv", ["QueryParameters": ["stage": "prod"]]).ids == ["a", "b"])
        #expect(try await stack.discover("q.local", "inv", ["QueryParameters": ["stage": "prod"],
                                                            "OptionalParameters": ["zone": "b"]]).ids == ["b"])
        #expect(try await stack.discover("q.local", "inv", ["QueryParameters": ["stage": "prod"],
                                                            "OptionalParameters": ["zone": "z"]]).ids == ["a", "b"])
        #expect(try await stack.discover("q.local", "inv", ["MaxResults": 2]).ids.count == 2)
        #expect(await stack.errorCode("DiscoverInstances", ["NamespaceName": "q.local", "ServiceName": "inv", "MaxResults": 0]) == "InvalidInput")
    }

    @Test func attributeLimits() async throws {
        let stack = try RegistryHarness()
        defer { stack.removeFiles() }
        let ns = try await stack.namespace("lim.local")
        let svc = try await stack.service("s", namespace: ns, customHealth: false)
        func attempt(_ attributes: JSONValue) async -> String? {
            await stack.errorCode("RegisterInstance", ["ServiceId": .string(svc), "InstanceId": "x", "Attributes": attributes])
        }
        var thirty = JSONObject(), thirtyOne = JSONObject()
        for n in 0..<30 { thirty["k\(n)"] = "v" }
        for n in 0..<31 { thirtyOne["k\(n)"] = "v" }
        #expect(await attempt(.object(thirty)) == nil)
        #expect(await attempt(.object(thirtyOne)) == "InvalidInput")
        #expect(await attempt(["bad key": "v"]) == "InvalidInput")
        #expect(await attempt(["k": " leading"]) == "InvalidInput")
        #expect(await attempt(["k": "caf\u{e9}"]) == "InvalidInput")
        #expect(await attempt(["k": .string(String(repeating: "v", count: 1025))]) == "InvalidInput")
        #expect(await attempt(["AWS_INSTANCE_IPV4": "300.1.1.1"]) == "InvalidInput")
        #expect(await attempt(["AWS_INSTANCE_PORT": "70000"]) == "InvalidInput")
        #expect(await attempt(["AWS_INIT_HEALTH_STATUS": "HEALTHY"]) == "InvalidInput")
        #expect(await attempt(["k": "inner space ok"]) == nil)
        // The rejected calls changed nothing: x holds the last accepted set (one attribute).
        let got = try await stack.ok("GetInstance", ["ServiceId": .string(svc), "InstanceId": "x"])
        #expect(got["Instance"]?["Attributes"]?.objectValue?.count == 1)
    }
}
