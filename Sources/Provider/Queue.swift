import Foundation

/// An SQS queue with the attributes an operator triages by (`GetQueueAttributes`).
public struct Queue: Sendable, Hashable {
    public var name: String
    public var url: String
    public var arn: String
    public var isFIFO: Bool
    /// `ApproximateNumberOfMessages`: waiting to be received.
    public var visibleMessages: Int
    /// `ApproximateNumberOfMessagesNotVisible`: received, not yet deleted.
    public var inFlightMessages: Int
    /// `ApproximateNumberOfMessagesDelayed`.
    public var delayedMessages: Int
    /// Age of the oldest message, when the provider knows it.
    public var oldestMessageAge: Duration?
    public var visibilityTimeout: Int
    /// From `RedrivePolicy`: where failed messages go, and after how many receives.
    public var deadLetterTargetArn: String?
    public var maxReceiveCount: Int?
    /// ARNs of queues whose `RedrivePolicy` points here: non-empty means this is a DLQ.
    public var deadLetterSourceArns: [String]
    /// When the counts were read (`GetQueueAttributes`); nil when not known. Polling within a
    /// budget reads a queue off screen only now and then, so its counts can be old: a view
    /// says how old once they are past `countsStaleAfter`. The live stream's counts are pushed
    /// within a second of changing, and are current while it is up.
    public var countsReadAt: Date?

    /// Counts older than this are shown with their age.
    public static let countsStaleAfter: TimeInterval = 15

    public init(name: String, url: String, arn: String, isFIFO: Bool = false, visibleMessages: Int = 0,
                inFlightMessages: Int = 0, delayedMessages: Int = 0, oldestMessageAge: Duration? = nil,
                visibilityTimeout: Int = 30, deadLetterTargetArn: String? = nil, maxReceiveCount: Int? = nil,
                deadLetterSourceArns: [String] = [], countsReadAt: Date? = nil) {
        self.name = name
        self.url = url
        self.arn = arn
        self.isFIFO = isFIFO
        self.visibleMessages = visibleMessages
        self.inFlightMessages = inFlightMessages
        self.delayedMessages = delayedMessages
        self.oldestMessageAge = oldestMessageAge
        self.visibilityTimeout = visibilityTimeout
        self.deadLetterTargetArn = deadLetterTargetArn
        self.maxReceiveCount = maxReceiveCount
        self.deadLetterSourceArns = deadLetterSourceArns
        self.countsReadAt = countsReadAt
    }

    /// How old the counts are at `now`, when past `countsStaleAfter`; nil while fresh or unknown.
    public func staleCountsAge(at now: Date) -> TimeInterval? {
        guard let countsReadAt else { return nil }
        let age = now.timeIntervalSince(countsReadAt)
        return age > Self.countsStaleAfter ? age : nil
    }

    public var isDeadLetterQueue: Bool { !deadLetterSourceArns.isEmpty }
}
