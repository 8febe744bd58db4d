/// What setup found or created on the endpoint: the identifiers the services need.
public struct DemoResources: Sendable, Hashable {
    public var busName: String
    public var stateMachineArn: String
    /// Activity name (`payment-charge`) → activity ARN.
    public var activityArns: [String: String]
    public var notificationQueueURL: String
    public var analyticsQueueURL: String
    public var analyticsDeadLetterQueueURL: String
    public var namespaceId: String
    /// Service name (`payment`) → Cloud Map service id.
    public var serviceIds: [String: String]
    /// How orders reach the saga: the bus rule (normal), or, on an endpoint whose bus cannot
    /// target state machines, the order service starting each execution itself.
    public var sagaTrigger: SagaTrigger

    public enum SagaTrigger: String, Sendable, Hashable {
        case rule
        case direct
    }
}
