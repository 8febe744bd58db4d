import Wire

/// An AWS JSON service as a client addresses it: the `X-Amz-Target` prefix, the protocol
/// version and the SigV4 signing name.
public struct AWSService: Sendable, Hashable {
    public var targetPrefix: String
    public var version: AWSJSONVersion
    public var signingName: String
    /// The SDK service id, which names the service's endpoint overrides:
    /// `AWS_ENDPOINT_URL_<ID upper-cased>` and the `[services NAME]` sub-key (lower-cased).
    public var serviceId: String
    /// The host prefix of AWS's own endpoint (`https://PREFIX.REGION.amazonaws.com`).
    public var endpointPrefix: String

    public init(targetPrefix: String, version: AWSJSONVersion, signingName: String,
                serviceId: String, endpointPrefix: String? = nil) {
        self.targetPrefix = targetPrefix
        self.version = version
        self.signingName = signingName
        self.serviceId = serviceId
        self.endpointPrefix = endpointPrefix ?? signingName
    }

    // Ids and prefixes as botocore's service models (1.43) give them.
    public static let sqs = AWSService(targetPrefix: "AmazonSQS", version: .v1_0, signingName: "sqs", serviceId: "SQS")
    public static let eventBridge = AWSService(targetPrefix: "AWSEvents", version: .v1_1, signingName: "events",
                                               serviceId: "EventBridge")
    public static let stepFunctions = AWSService(targetPrefix: "AWSStepFunctions", version: .v1_0, signingName: "states",
                                                 serviceId: "SFN")
    public static let cloudMap = AWSService(targetPrefix: "Route53AutoNaming_v20170314", version: .v1_1,
                                            signingName: "servicediscovery", serviceId: "ServiceDiscovery")
    /// The four services the console watches, for resolving their endpoints together.
    public static let watched: [AWSService] = [.sqs, .eventBridge, .stepFunctions, .cloudMap]
}
