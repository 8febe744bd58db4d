import Foundation
import GRDB
import JSON
import Timekeeping
import Wire

/// AWS Cloud Map on the AWS JSON 1.1 protocol (`X-Amz-Target: Route53AutoNaming_v20170314.*`):
/// HTTP, private DNS and public DNS namespaces, durable in the stack's store. DNS namespaces
/// keep their services' DNS settings and check instances against them, but no DNS server
/// answers for them: instances are discovered through DiscoverInstances.
///
/// Cloud Map's namespace, service-update and instance operations are asynchronous on AWS and
/// return an OperationId; here the work commits before the response, so GetOperation already
/// reports SUCCESS — clients that poll (as the SDK waiters and Terraform do) work unchanged.
/// Health: see `RegistryHealth` for AWS's custom health and Signalbox's heartbeat TTL.
public final class RegistryService: StackService {
    public let targetPrefix = "Route53AutoNaming_v20170314"
    public let jsonVersion = AWSJSONVersion.v1_1

    let store: StackStore
    let accountId: String
    let region: String
    /// Record times are its wall clock's Unix milliseconds (tests move it: heartbeat TTLs).
    let clock: any TimeSource

    public static var migrations: [StoreMigration] { RegistrySchema.migrations }

    public init(store: StackStore, accountId: String, region: String, clock: any TimeSource = SystemClock()) {
        self.store = store
        self.accountId = accountId
        self.region = region
        self.clock = clock
    }

    public func handle(operation: String, input: JSONValue, context: ServiceContext) async throws(AWSError) -> JSONValue {
        let input = RegistryInput(input)
        switch operation {
        case "CreateHttpNamespace": return try await createHttpNamespace(input)
        case "CreatePrivateDnsNamespace": return try await createPrivateDnsNamespace(input)
        case "CreatePublicDnsNamespace": return try await createPublicDnsNamespace(input)
        case "UpdateHttpNamespace": return try await updateHttpNamespace(input)
        case "UpdatePrivateDnsNamespace": return try await updatePrivateDnsNamespace(input)
        case "UpdatePublicDnsNamespace": return try await updatePublicDnsNamespace(input)
        case "GetNamespace": return try await getNamespace(input)
        case "ListNamespaces": return try await listNamespaces(input)
        case "DeleteNamespace": return try await deleteNamespace(input)
        case "GetOperation": return try await getOperation(input)
        case "ListOperations": return try await listOperations(input)
        case "CreateService": return try await createService(input)
        case "GetService": return try await getService(input)
        case "ListServices": return try await listServices(input)
        case "UpdateService": return try await updateService(input)
        case "DeleteService": return try await deleteService(input)
        case "RegisterInstance": return try await registerInstance(input)
        case "DeregisterInstance": return try await deregisterInstance(input)
        case "GetInstance": return try await getInstance(input)
        case "ListInstances": return try await listInstances(input)
        case "GetInstancesHealthStatus": return try await getInstancesHealthStatus(input)
        case "UpdateInstanceCustomHealthStatus": return try await updateInstanceCustomHealthStatus(input)
        case "DiscoverInstances": return try await discoverInstances(input)
        case "DiscoverInstancesRevision": return try await discoverInstancesRevision(input)
        case "TagResource": return try await tagResource(input)
        case "UntagResource": return try await untagResource(input)
        case "ListTagsForResource": return try await listTagsForResource(input)
        default: throw AWSError.unknownOperation("\(targetPrefix).\(operation)")
        }
    }

    public func gaugeReadings() async -> [GaugeReading] {
        let now = clock.wallClockNow.milliseconds
        guard let counts = try? await store.read({ db -> (Int, Int, Int, Int) in
            let namespaces = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cm_namespace") ?? 0
            let services = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cm_service") ?? 0
            let instances = try Row.fetchAll(db, sql: "SELECT * FROM cm_instance").map(InstanceRecord.init(row:))
            let unhealthy = instances.filter { $0.health(now: now) == .unhealthy }.count
            return (namespaces, services, instances.count, unhealthy)
        }) else { return [] }
        return [
            GaugeReading(.registryNamespaces, counts.0), GaugeReading(.registryServices, counts.1),
            GaugeReading(.registryInstances, counts.2), GaugeReading(.registryInstancesUnhealthy, counts.3),
        ]
    }

    // MARK: Shared

    func namespaceArn(_ id: String) -> String { "arn:aws:servicediscovery:\(region):\(accountId):namespace/\(id)" }
    func serviceArn(_ id: String) -> String { "arn:aws:servicediscovery:\(region):\(accountId):service/\(id)" }

    /// A page of `items` from an opaque NextToken (an offset); a token that is not ours is
    /// InvalidInput, as on AWS.
    func page<T>(_ items: [T], input: RegistryInput, maxRange: ClosedRange<Int> = 1...100,
                 defaultMax: Int = 100) throws(AWSError) -> (items: ArraySlice<T>, next: String?) {
        let limit = try input.int("MaxResults", in: maxRange) ?? defaultMax
        var start = 0
        if let token = try input.string("NextToken") {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
                  text.hasPrefix("offset:"), let offset = Int(text.dropFirst(7)), offset >= 0 else {
                throw RegistryError.invalidInput("Invalid NextToken: \(RegistryValidation.quoted(token))")
            }
            start = min(offset, items.count)
        }
        let end = min(items.count, start + limit)
        let next = end < items.count ? Data("offset:\(end)".utf8).base64EncodedString() : nil
        return (items[start..<end], next)
    }

    func operationResponse(_ operation: OperationRecord) -> JSONValue {
        ["OperationId": .string(operation.id)]
    }
}
