import JSON
import Wire

/// One AWS-compatible service behind the front door (SQS, EventBridge, Step Functions, Cloud Map).
///
/// The front door routes `X-Amz-Target: <targetPrefix>.<Operation>` here after the body parsed
/// as a JSON object and the signature (if required) verified, so a service only deals with
/// operations and their input. Errors are `AWSError`s in the service's own codes; anything else
/// thrown is a bug and becomes a 500 `InternalFailure`.
public protocol StackService: Sendable {
    /// The `X-Amz-Target` prefix, e.g. `AmazonSQS`.
    var targetPrefix: String { get }
    var jsonVersion: AWSJSONVersion { get }
    /// Whether errors also carry the `x-amzn-query-error` header (awsQueryCompatible services).
    var queryCompatible: Bool { get }

    func handle(operation: String, input: JSONValue, context: ServiceContext) async throws(AWSError) -> JSONValue

    /// Background work (message move tasks, deliveries, recovery after a restart). It is
    /// cancelled when the server stops; returning early is fine and does not stop the server.
    func runBackground() async

    /// The gauges this service adds to `/metrics`, sampled when it is scraped. (Counters are
    /// counted as things happen, on the stack's `StackMetrics`.)
    func gaugeReadings() async -> [GaugeReading]

    /// Called once when a graceful shutdown starts (SIGTERM): finish waiting requests now (long
    /// polls answer empty) so the server stops promptly instead of after their full wait.
    func beginShutdown() async
}

extension StackService {
    public var queryCompatible: Bool { false }
    public func runBackground() async {}
    public func gaugeReadings() async -> [GaugeReading] { [] }
    public func beginShutdown() async {}
}

/// What a service knows about the request it is handling.
public struct ServiceContext: Sendable {
    /// The `x-amzn-RequestId` the response will carry.
    public var requestId: String
    public var accountId: String
    public var region: String
    /// The base URL clients reach the stack at, e.g. `http://127.0.0.1:4599` (queue URLs).
    public var endpoint: String
    /// The access key id that signed the request, when one was given.
    public var accessKeyId: String?

    public init(requestId: String, accountId: String, region: String, endpoint: String, accessKeyId: String? = nil) {
        self.requestId = requestId
        self.accountId = accountId
        self.region = region
        self.endpoint = endpoint
        self.accessKeyId = accessKeyId
    }
}
