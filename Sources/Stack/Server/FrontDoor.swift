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
    public let services: [String: any StackService]
    public let metrics: StackMetrics
    let accountId: String
    let region: String
    let verifier: SigV4Verifier?
    let logger: Logger
    /// Signature times are checked against its wall clock; request latencies are timed on it.
    let clock: any TimeSource
    private let endpointBox: Mutex<String>

    public init(services: [any StackService], accountId: String, region: String,
                credentials: [String: String]?, sessionTokens: [String: String] = [:],
                metrics: StackMetrics = StackMetrics(),
                endpoint: String = "http://127.0.0.1:4599",
                logger: Logger = Logger(label: "signalbox.stack"), clock: any TimeSource = SystemClock()) {
        var byPrefix: [String: any StackService] = [:]
        for service in services { byPrefix[service.targetPrefix] = service }
        self.services = byPrefix
        self.metrics = metrics
        self.accountId = accountId
        self.region = region
        self.verifier = credentials.map { SigV4Verifier(secrets: $0, sessionTokens: sessionTokens) }
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
            let identity = try authenticate(request)
            guard let targetHeader else {
                throw AWSError(code: "UnknownOperationException",
                               message: "Missing X-Amz-Target header: this endpoint speaks the AWS JSON 1.0/1.1 protocols",
                               namespace: "com.amazon.coral.service")
            }
            guard let target, let service else { throw AWSError.unknownOperation(targetHeader) }
            if let contentType = request.header("Content-Type"), AWSJSONVersion(contentType: contentType) == nil {
                throw AWSError.serialization(
                    "Unsupported Content-Type '\(contentType)': expected \(service.jsonVersion.contentType)")
            }
            let input = try AWSJSONCodec.decodeBody(request.body)
            let context = ServiceContext(requestId: requestId, accountId: accountId, region: region,
                                         endpoint: endpoint, accessKeyId: identity)
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

    /// Verifies the signature when the stack was started with `--auth`; returns the access key id
    /// the request names (verified or not) for audit.
    private func authenticate(_ request: FrontDoorRequest) throws(AWSError) -> String? {
        guard let verifier else {
            return request.header("Authorization").flatMap(Self.accessKeyId(fromAuthorization:))
        }
        let sigRequest = SigV4Request(method: request.method, path: request.path, query: request.query,
                                      headers: request.headers, body: request.body)
        let now = clock.wallClockNow.wholeSeconds
        return try verifier.verify(sigRequest, nowUnixSeconds: now).accessKeyId
    }

    static func accessKeyId(fromAuthorization header: String) -> String? {
        guard let range = header.range(of: "Credential=") else { return nil }
        let rest = header[range.upperBound...]
        return rest.split(separator: "/").first.map(String.init)
    }
}
