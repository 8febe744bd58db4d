/// AWS's published request-rate quotas for the calls the provider makes, as token buckets
/// (per account and region, shared with every other caller). Where AWS publishes none, the
/// entry says so and holds a bucket of our own, sized so that one console can never be the
/// reason an account is throttled. Keys are `Service Operation`, as `APIFailure.api` names them.
///
/// The console's own budget (`StackProviderOptions.pollingBudget`) is far below all of these
/// at steady state; the buckets bound the bursts: the first listing of a large account, a
/// burst of actions, many executions changing at once.
public struct AWSQuota: Sendable, Hashable {
    public var capacity: Double
    public var refillPerSecond: Double
    /// Where the figure comes from.
    public var source: String

    static let stepFunctions = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html "
        + "(Quotas related to API action throttling: one table for US East (N. Virginia), US West (Oregon) and Europe (Ireland), "
        + "one for all other Regions)"
    static let eventBridge = "https://docs.aws.amazon.com/eventbridge/latest/userguide/cloudwatch-limits-eventbridge.html "
        + "(every EventBridge API but PutEvents: 50 requests a second by default)"
    static let sqs = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-limits.html "
        + "(no rate quota published for ListQueues or GetQueueAttributes: our own bucket, 100 a second)"
    static let cloudMap = "https://docs.aws.amazon.com/cloud-map/latest/dg/cloud-map-limits.html "
        + "(a rate quota is published for DiscoverInstances only: our own bucket, 20 a second)"

    /// The Regions whose Step Functions quotas are the larger ones in AWS's table.
    static let largeStepFunctionsRegions: Set<String> = ["us-east-1", "us-west-2", "eu-west-1"]

    /// The table for `region` (Step Functions publishes two: its three largest Regions, and
    /// the rest). An API not in it is not limited here (the breaker board is ours).
    public static func table(region: String) -> [String: AWSQuota] {
        let large = largeStepFunctionsRegions.contains(region)
        func sfn(_ largeBucket: Double, _ largeRefill: Double, _ otherBucket: Double, _ otherRefill: Double) -> AWSQuota {
            large ? AWSQuota(capacity: largeBucket, refillPerSecond: largeRefill, source: stepFunctions)
                : AWSQuota(capacity: otherBucket, refillPerSecond: otherRefill, source: stepFunctions)
        }
        return [
            "Step Functions ListStateMachines": sfn(100, 5, 100, 5),
            "Step Functions DescribeStateMachine": sfn(200, 20, 200, 20),
            "Step Functions ListExecutions": sfn(200, 5, 100, 2),
            "Step Functions DescribeExecution": sfn(300, 15, 250, 10),
            "Step Functions GetExecutionHistory": sfn(400, 20, 400, 20),
            "Step Functions DescribeMapRun": sfn(200, 1, 200, 1),
            "EventBridge ListEventBuses": AWSQuota(capacity: 50, refillPerSecond: 50, source: eventBridge),
            "EventBridge ListRules": AWSQuota(capacity: 50, refillPerSecond: 50, source: eventBridge),
            "EventBridge ListTargetsByRule": AWSQuota(capacity: 50, refillPerSecond: 50, source: eventBridge),
            "SQS ListQueues": AWSQuota(capacity: 100, refillPerSecond: 100, source: sqs),
            "SQS GetQueueAttributes": AWSQuota(capacity: 100, refillPerSecond: 100, source: sqs),
            "Cloud Map ListNamespaces": AWSQuota(capacity: 20, refillPerSecond: 20, source: cloudMap),
            "Cloud Map ListServices": AWSQuota(capacity: 20, refillPerSecond: 20, source: cloudMap),
            "Cloud Map ListInstances": AWSQuota(capacity: 20, refillPerSecond: 20, source: cloudMap),
            "Cloud Map GetInstancesHealthStatus": AWSQuota(capacity: 20, refillPerSecond: 20, source: cloudMap),
        ]
    }

    /// The calls the provider makes against one account may use this share of each quota:
    /// the rest is for everything else that calls the same APIs (deployments, other consoles).
    public static let share = 0.5

    var bucket: TokenBucket { TokenBucket(capacity: capacity * Self.share, refill: refillPerSecond * Self.share) }
}
