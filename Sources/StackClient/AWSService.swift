import Wire

/// An AWS JSON service as a client addresses it: the `X-Amz-Target` prefix, the protocol
/// version and the SigV4 signing name.
public struct AWSService: Sendable, Hashable {
    public var targetPrefix: String
    public var version: AWSJSONVersion
    public var signingName: String

    public init(targetPrefix: String, version: AWSJSONVersion, signingName: String) {
        self.targetPrefix = targetPrefix
        self.version = version
        self.signingName = signingName
    }

    public static let sqs = AWSService(targetPrefix: "AmazonSQS", version: .v1_0, signingName: "sqs")
    public static let eventBridge = AWSService(targetPrefix: "AWSEvents", version: .v1_1, signingName: "events")
    public static let stepFunctions = AWSService(targetPrefix: "AWSStepFunctions", version: .v1_0, signingName: "states")
    public static let cloudMap = AWSService(targetPrefix: "Route53AutoNaming_v20170314", version: .v1_1,
                                            signingName: "servicediscovery")
}
