import Foundation
import JSON
import Timekeeping
import Wire
@testable import Stack

/// A Cloud Map service on a fresh store with a hand-moved clock, called through the real front
/// door exactly as an SDK would (JSON 1.1 bodies, `X-Amz-Target`).
final class RegistryHarness: Sendable {
    let directory: URL
    let store: StackStore
    let clock = ManualClock()
    let registry: RegistryService
    let frontDoor: FrontDoor

    init(directory: URL? = nil) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("signalbox-registry-test-\(UUID().uuidString)")
        store = try StackStore(directory: self.directory, migrations: StackAssembly.migrations)
        registry = RegistryService(store: store, accountId: "000000000000", region: "us-east-1", clock: clock)
        frontDoor = FrontDoor(services: [registry], accountId: "000000000000", region: "us-east-1", credentials: nil,
                              endpoint: "http://127.0.0.1:4599")
    }

    /// Calls an operation; returns status and parsed body.
    func call(_ operation: String, _ input: JSONValue) async -> (status: Int, body: JSONValue) {
        let response = await frontDoor.respond(to: FrontDoorRequest(headers: [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Route53AutoNaming_v20170314.\(operation)"),
        ], body: Array(input.serialized.utf8)))
        return (response.status, (try? JSONValue(parsing: response.body)) ?? .null)
    }

    func ok(_ operation: String, _ input: JSONValue) async throws -> JSONValue {
        let result = await call(operation, input)
        guard result.status == 200 else { throw TestFailure("\(operation) answered \(result.status): \(result.body.serialized)") }
        return result.body
    }

    /// The `__type` of a failed call (nil if it succeeded).
    func errorCode(_ operation: String, _ input: JSONValue) async -> String? {
        let result = await call(operation, input)
        return result.status == 200 ? nil : result.body["__type"]?.stringValue
    }

    func namespace(_ name: String) async throws -> String {
        let operation = try await ok("CreateHttpNamespace", ["Name": .string(name)])["OperationId"]?.stringValue ?? ""
        let got = try await ok("GetOperation", ["OperationId": .string(operation)])
        return got["Operation"]?["Targets"]?["NAMESPACE"]?.stringValue ?? ""
    }

    func service(_ name: String, namespace: String, customHealth: Bool = true) async throws -> String {
        var input: JSONObject = ["Name": .string(name), "NamespaceId": .string(namespace)]
        if customHealth { input["HealthCheckCustomConfig"] = [:] }
        return try await ok("CreateService", .object(input))["Service"]?["Id"]?.stringValue ?? ""
    }

    func register(_ service: String, _ instance: String, _ attributes: JSONValue) async throws {
        _ = try await ok("RegisterInstance", ["ServiceId": .string(service), "InstanceId": .string(instance), "Attributes": attributes])
    }

    func health(_ service: String) async throws -> [String: String] {
        let status = try await ok("GetInstancesHealthStatus", ["ServiceId": .string(service)])["Status"]?.objectValue ?? [:]
        return Dictionary(uniqueKeysWithValues: status.map { ($0.key, $0.value.stringValue ?? "") })
    }

    func discover(_ namespace: String, _ service: String, _ extra: JSONObject = [:]) async throws -> (ids: [String], revision: Int) {
        var input: JSONObject = ["NamespaceName": .string(namespace), "ServiceName": .string(service)]
        for (key, value) in extra { input[key] = value }
        let body = try await ok("DiscoverInstances", .object(input))
        let ids = body["Instances"]?.arrayValue?.compactMap { $0["InstanceId"]?.stringValue } ?? []
        return (ids, body["InstancesRevision"]?.intValue ?? -1)
    }

    func heartbeat(_ service: String, _ instance: String, _ status: String = "HEALTHY") async throws {
        _ = try await ok("UpdateInstanceCustomHealthStatus",
                         ["ServiceId": .string(service), "InstanceId": .string(instance), "Status": .string(status)])
    }

    func removeFiles() { try? FileManager.default.removeItem(at: directory) }
}
