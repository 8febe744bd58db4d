import Foundation
import JSON
import Testing
import Timekeeping
@testable import Stack

/// Health and the heartbeat TTL, driven by a hand-moved clock: nothing here sleeps.
@Suite struct RegistryHealthTests {
    @Test func pureRules() {
        // No custom health: UNKNOWN whatever the clock says.
        #expect(RegistryHealth.status(customStatus: nil, ttlMillis: 1000, heartbeatAt: 0, now: 99_999) == .unknown)
        // Custom health without a TTL never expires.
        #expect(RegistryHealth.status(customStatus: "HEALTHY", ttlMillis: nil, heartbeatAt: 0, now: 10_000_000) == .healthy)
        // Exactly at the TTL is still healthy; one millisecond later it is not.
        #expect(RegistryHealth.status(customStatus: "HEALTHY", ttlMillis: 1000, heartbeatAt: 0, now: 1000) == .healthy)
        #expect(RegistryHealth.status(customStatus: "HEALTHY", ttlMillis: 1000, heartbeatAt: 0, now: 1001) == .unhealthy)
        // A stated UNHEALTHY is not "expired" (it did not go silent).
        #expect(!RegistryHealth.isExpired(customStatus: "UNHEALTHY", ttlMillis: 1000, heartbeatAt: 0, now: 5000))
    }

    @Test func silentInstanceTurnsUnhealthyAndRecoversOnHeartbeat() async throws {
        let stack = try RegistryHarness()
        defer { stack.removeFiles() }
        let ns = try await stack.namespace("shop.local")
        let svc = try await stack.service("payment", namespace: ns)
        try await stack.register(svc, "pay-1", ["AWS_INSTANCE_IPV4": "10.0.0.1", "AWS_INSTANCE_PORT": "8080",
                                                "SIGNALBOX_HEARTBEAT_TTL": "10"])
        try await stack.register(svc, "pay-2", ["AWS_INSTANCE_IPV4": "10.0.0.2", "SIGNALBOX_HEARTBEAT_TTL": "10"])
        #expect(try await stack.health(svc) == ["pay-1": "HEALTHY", "pay-2": "HEALTHY"])
        let start = try await stack.discover("shop.local", "payment")
        #expect(start.ids == ["pay-1", "pay-2"])

        // pay-2 keeps heartbeating, pay-1 goes silent.
        stack.clock.advance(by: .seconds(6))
        try await stack.heartbeat(svc, "pay-2")
        stack.clock.advance(by: .seconds(6))
        #expect(try await stack.health(svc) == ["pay-1": "UNHEALTHY", "pay-2": "HEALTHY"])
        let degraded = try await stack.discover("shop.local", "payment")
        #expect(degraded.ids == ["pay-2"])
        #expect(degraded.revision > start.revision)
        let unhealthy = try await stack.discover("shop.local", "payment", ["HealthStatus": "UNHEALTHY"])
        #expect(unhealthy.ids == ["pay-1"])

        // pay-1 resumes: healthy again, and the revision moves on again.
        try await stack.heartbeat(svc, "pay-1")
        #expect(try await stack.health(svc) == ["pay-1": "HEALTHY", "pay-2": "HEALTHY"])
        let recovered = try await stack.discover("shop.local", "payment")
        #expect(recovered.ids == ["pay-1", "pay-2"])
        #expect(recovered.revision > degraded.revision)

        // Everyone silent: HEALTHY_OR_ELSE_ALL falls back to all instances.
        stack.clock.advance(by: .seconds(11))
        #expect(try await stack.discover("shop.local", "payment").ids.isEmpty)
        #expect(try await stack.discover("shop.local", "payment", ["HealthStatus": "HEALTHY_OR_ELSE_ALL"]).ids == ["pay-1", "pay-2"])
    }

    @Test func revisionNeverGoesBackwards() async throws {
        let stack = try RegistryHarness()
        defer { stack.removeFiles() }
        let ns = try await stack.namespace("rev.local")
        let svc = try await stack.service("api", namespace: ns)
        try await stack.register(svc, "a", ["SIGNALBOX_HEARTBEAT_TTL": "5"])
        var last = try await stack.discover("rev.local", "api").revision
        // expire → heartbeat → expire → deregister: each step must strictly raise the revision.
        stack.clock.advance(by: .seconds(6))
        var next = try await stack.discover("rev.local", "api").revision
        #expect(next > last); last = next
        try await stack.heartbeat(svc, "a")
        next = try await stack.discover("rev.local", "api").revision
        #expect(next > last); last = next
        stack.clock.advance(by: .seconds(6))
        next = try await stack.discover("rev.local", "api").revision
        #expect(next > last); last = next
        _ = try await stack.ok("DeregisterInstance", ["ServiceId": .string(svc), "InstanceId": "a"])
        next = try await stack.ok("DiscoverInstancesRevision", ["NamespaceName": "rev.local", "ServiceName": "api"])["InstancesRevision"]?.intValue ?? -1
        #expect(next > last)
    }

    @Test func statedUnhealthyStaysUntilHealthyAndInitStatusApplies() async throws {
        let stack = try RegistryHarness()
        defer { stack.removeFiles() }
        let ns = try await stack.namespace("init.local")
        let svc = try await stack.service("ship", namespace: ns)
        try await stack.register(svc, "s1", ["AWS_INIT_HEALTH_STATUS": "UNHEALTHY"])
        #expect(try await stack.health(svc) == ["s1": "UNHEALTHY"])
        try await stack.heartbeat(svc, "s1", "HEALTHY")
        #expect(try await stack.health(svc) == ["s1": "HEALTHY"])
        // Re-registering keeps the status the instance reported.
        try await stack.heartbeat(svc, "s1", "UNHEALTHY")
        try await stack.register(svc, "s1", ["k": "v"])
        #expect(try await stack.health(svc) == ["s1": "UNHEALTHY"])
    }

    @Test func heartbeatTTLNeedsCustomHealthAndSaneValues() async throws {
        let stack = try RegistryHarness()
        defer { stack.removeFiles() }
        let ns = try await stack.namespace("ttl.local")
        let plain = try await stack.service("plain", namespace: ns, customHealth: false)
        let custom = try await stack.service("custom", namespace: ns)
        #expect(await stack.errorCode("RegisterInstance", ["ServiceId": .string(plain), "InstanceId": "i",
                                                           "Attributes": ["SIGNALBOX_HEARTBEAT_TTL": "10"]]) == "InvalidInput")
        for bad in ["0", "-1", "abc", "86401"] {
            #expect(await stack.errorCode("RegisterInstance", ["ServiceId": .string(custom), "InstanceId": "i",
                                                               "Attributes": ["SIGNALBOX_HEARTBEAT_TTL": .string(bad)]]) == "InvalidInput")
        }
        #expect(await stack.errorCode("UpdateInstanceCustomHealthStatus",
                                      ["ServiceId": .string(plain), "InstanceId": "i", "Status": "HEALTHY"]) == "CustomHealthNotFound")
        // Without health checks the instance is UNKNOWN and discoverable as healthy.
        try await stack.register(plain, "p1", ["AWS_INSTANCE_PORT": "80"])
        #expect(try await stack.health(plain) == ["p1": "UNKNOWN"])
        stack.clock.advance(by: .seconds(100_000))
        #expect(try await stack.discover("ttl.local", "plain").ids == ["p1"])
    }
}
