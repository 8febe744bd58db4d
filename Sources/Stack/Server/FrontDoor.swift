import Foundation
import JSON
import Logging
import Synchronization
import Timekeeping
import Wire

/// An HTTP request as the front door sees it: transport-neutral, so the dispatch logic is
/// tested without sockets and the HTTP server stays a thin adapter.
public struct FrontDoorRequest: Sendable {
    public var method: String
    /// The path as sent (percent-encoded).
    public var path: String
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String = "POST", path: String = "/", query: String = "",
                headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

public struct FrontDoorResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
}

/// Routes AWS JSON requests to services by `X-Amz-Target` prefix and turns every outcome into
/// AWS's response shape: the result, or an error with `__type`, `message`, status and (for
/// awsQueryCompatible services) `x-amzn-query-error`. Nothing a client sends can crash it.
/// The Host header is never consulted (SDKs prefix it, e.g. Cloud Map's `data-`).
public final class FrontDoor: Sendable {
    /// The default partition's services by target prefix (or the fixed services a test gave).
    public let services: [String: any StackService]
    /// Every partition's services; nil when built with fixed `services`, which then answer
    /// every request in the one account and region given.
    public let partitions: StackPartitions?
    public let metrics: StackMetrics
    let accountId: String
    let region: String
    /// Checks signatures (`--auth`) and places requests in their account and region.
    public let authenticator: RequestAuthenticator
    let logger: Logger
    /// Signature times are checked against its wall clock; request latencies are timed on it.
    let clock: any TimeSource
    private let endpointBox: Mutex<String>

    public convenience init(services: [any StackService], accountId: String, region: String,
                credentials: [String: String]?, sessionTokens: [String: String] = [:],
                metrics: StackMetrics = StackMetrics(),
                endpoint: String = "http://127.0.0.1:4599",
                logger: Logger = Logger(label: "signalbox.stack"), clock: any TimeSource = SystemClock()) {
        self.init(fixed: services, partitions: nil, accountId: accountId, region: region, credentials: credentials,
                  sessionTokens: sessionTokens, accounts: [:], metrics: metrics, endpoint: endpoint, logger: logger,
                  clock: clock)
    }

    /// A front door that places each request in its partition: the region its credential scope
    /// names (else the default partition's) and the account of its key (`accounts`, else the
    /// default partition's).
    public convenience init(partitions: StackPartitions, credentials: [String: String]?, sessionTokens: [String: String] = [:],
                accounts: [String: String] = [:], metrics: StackMetrics = StackMetrics(),
                endpoint: String = "http://127.0.0.1:4599",
                logger: Logger = Logger(label: "signalbox.stack"), clock: any TimeSource = SystemClock()) {
        self.init(fixed: partitions.defaultServices.services, partitions: partitions,
                  accountId: partitions.defaultPartition.accountId, region: partitions.defaultPartition.region,
                  credentials: credentials, sessionTokens: sessionTokens, accounts: accounts, metrics: metrics,
                  endpoint: endpoint, logger: logger, clock: clock)
    }

    private init(fixed services: [any StackService], partitions: StackPartitions?, accountId: String, region: String,
                 credentials: [String: String]?, sessionTokens: [String: String], accounts: [String: String],
                 metrics: StackMetrics, endpoint: String, logger: Logger, clock: any TimeSource) {
        var byPrefix: [String: any StackService] = [:]
        for service in services { byPrefix[service.targetPrefix] = service }
        self.services = byPrefix
        self.partitions = partitions
        self.metrics = metrics
        self.accountId = accountId
        self.region = region
        self.authenticator = RequestAuthenticator(
            credentials: credentials, sessionTokens: sessionTokens, accounts: accounts,
            defaultPartition: StackPartition(accountId: accountId, region: region), clock: clock)
        self.logger = logger
        self.clock = clock
        self.endpointBox = Mutex(endpoint)
    }

    /// The base URL clients use; set once the listening port is known.
    public var endpoint: String {
        get { endpointBox.withLock { $0 } }
        set { endpointBox.withLock { $0 = newValue } }
    }

    public func respond(to request: FrontDoorRequest) async -> FrontDoorResponse {
        let started = clock.now
        let requestId = RandomIdentifier.uuid()
        let targetHeader = request.header("X-Amz-Target")
        let target = targetHeader.flatMap(AWSTarget.init(header:))
        let service = target.flatMap { services[$0.prefix] }
        let version = service?.jsonVersion ?? .v1_1
        do throws(AWSError) {
            let caller = try authenticator.authenticate(request)
            guard let targetHeader else {
                throw AWSError(code: "UnknownOperationException",
                               message: "Missing X-Amz-Target header: this endpoint speaks the AWS JSON 1.0/1.1 protocols",
                               namespace: "com.amazon.coral.service")
            }
            guard let target, var service else { throw AWSError.unknownOperation(targetHeader) }
            if let contentType = request.header("Content-Type"), AWSJSONVersion(contentType: contentType) == nil {
                throw AWSError.serialization(
                    "Unsupported Content-Type '\(contentType)': expected \(service.jsonVersion.contentType)")
            }
            let input = try AWSJSONCodec.decodeBody(request.body)
            var partition = StackPartition(accountId: accountId, region: region)
            if let partitions {
                partition = authenticator.partition(of: caller)
                if let placed = try partitions.services(for: partition).byPrefix[target.prefix] { service = placed }
            }
            let context = ServiceContext(requestId: requestId, accountId: partition.accountId, region: partition.region,
                                         endpoint: endpoint, accessKeyId: caller?.accessKeyId)
            let output = try await service.handle(operation: target.operation, input: input, context: context)
            metrics.record(service: target.prefix, operation: target.operation, code: "OK",
                           seconds: (clock.now - started).seconds)
            return FrontDoorResponse(
                status: 200,
                headers: [("Content-Type", version.contentType), ("x-amzn-RequestId", requestId)],
                body: AWSJSONCodec.encodeBody(output))
        } catch {
            metrics.record(service: target?.prefix ?? "unknown", operation: target?.operation ?? "unknown",
                           code: error.code, seconds: (clock.now - started).seconds)
            if error.status >= 500 {
                logger.error("request failed", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            }
            var headers: [(name: String, value: String)] = [
                ("Content-Type", version.contentType), ("x-amzn-RequestId", requestId),
            ]
            if service?.queryCompatible == true, let header = error.queryErrorHeader {
                headers.append(("x-amzn-query-error", header))
            }
            return FrontDoorResponse(status: error.status, headers: headers, body: AWSJSONCodec.encodeBody(error.body))
        }
    }

    /// Every partition's background work (or the fixed services'), until cancelled.
    func runBackground() async {
        if let partitions { return await partitions.runBackground() }
        await withTaskGroup(of: Void.self) { group in
            for service in services.values { group.addTask { await service.runBackground() } }
        }
    }

    func beginShutdown() async {
        if let partitions { return await partitions.beginShutdown() }
        for service in services.values { await service.beginShutdown() }
    }

    func gaugeReadings() async -> [GaugeReading] {
        if let partitions { return await partitions.gaugeReadings() }
        var readings: [GaugeReading] = []
        for service in services.values { readings += await service.gaugeReadings() }
        return readings
    }
}
