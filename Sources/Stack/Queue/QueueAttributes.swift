import JSON
import Wire

/// The attributes of a queue that callers set, as SQS stores them: strings, validated against
/// AWS's ranges and rules when set. Read-only attributes (counts, timestamps, ARN) are computed.
struct QueueSettings: Sendable, Equatable {
    var values: [String: String] { didSet { sendLimits = SendLimits(values) } }
    /// The settings every send reads, parsed once rather than once per message.
    private(set) var sendLimits: SendLimits

    struct SendLimits: Sendable, Equatable {
        var delaySeconds: Int
        var maximumMessageSize: Int
        var retentionSeconds: Int

        init(_ values: [String: String]) {
            delaySeconds = QueueSettings.int(values, "DelaySeconds")
            maximumMessageSize = QueueSettings.int(values, "MaximumMessageSize")
            retentionSeconds = QueueSettings.int(values, "MessageRetentionPeriod")
        }
    }

    init(values: [String: String]) {
        self.values = values
        sendLimits = SendLimits(values)
    }

    static let standardDefaults: [String: String] = [
        "DelaySeconds": "0",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "0",
        "VisibilityTimeout": "30",
        "SqsManagedSseEnabled": "true",
    ]

    static let fifoDefaults: [String: String] = standardDefaults.merging([
        "FifoQueue": "true",
        "ContentBasedDeduplication": "false",
        "DeduplicationScope": "queue",
        "FifoThroughputLimit": "perQueue",
    ]) { $1 }

    static let settable: Set<String> = [
        "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "Policy",
        "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy",
        "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
        "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
    ]

    static let fifoOnly: Set<String> = ["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]

    static let readOnly: Set<String> = [
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
    ]

    static var all: Set<String> { settable.union(readOnly) }

    func int(_ name: String) -> Int { Self.int(values, name) }
    static func int(_ values: [String: String], _ name: String) -> Int { values[name].flatMap { Int($0) } ?? 0 }
    func bool(_ name: String) -> Bool { values[name] == "true" }

    var delaySeconds: Int { sendLimits.delaySeconds }
    var maximumMessageSize: Int { sendLimits.maximumMessageSize }
    var retentionSeconds: Int { sendLimits.retentionSeconds }
    var receiveWaitSeconds: Int { int("ReceiveMessageWaitTimeSeconds") }
    var visibilityTimeout: Int { int("VisibilityTimeout") }
    var contentBasedDeduplication: Bool { bool("ContentBasedDeduplication") }
    var deduplicationPerGroup: Bool { values["DeduplicationScope"] == "messageGroup" }

    /// The parsed redrive policy, when set.
    var redrive: RedrivePolicy? { values["RedrivePolicy"].flatMap { try? RedrivePolicy.parse($0) } }

    /// Validates and applies `changes`. `creating` allows `FifoQueue`; `fifo` says the queue type.
    mutating func apply(_ changes: [(String, String)], fifo: Bool, creating: Bool,
                        naming: QueueNaming) throws(AWSError) {
        for (name, value) in changes {
            guard Self.settable.contains(name) else {
                if Self.readOnly.contains(name) { throw QueueError.invalidAttributeName(name) }
                throw QueueError.invalidAttributeName(name)
            }
            if Self.fifoOnly.contains(name), !fifo {
                throw QueueError.invalidAttributeName(name)
            }
            switch name {
            case "DelaySeconds": try Self.checkInt(name, value, 0...900)
            case "MaximumMessageSize": try Self.checkInt(name, value, 1024...1_048_576)
            case "MessageRetentionPeriod": try Self.checkInt(name, value, 60...1_209_600)
            case "ReceiveMessageWaitTimeSeconds": try Self.checkInt(name, value, 0...20)
            case "VisibilityTimeout": try Self.checkInt(name, value, 0...43_200)
            case "KmsDataKeyReusePeriodSeconds": try Self.checkInt(name, value, 60...86_400)
            case "SqsManagedSseEnabled", "ContentBasedDeduplication": try Self.checkBool(name, value)
            case "FifoQueue":
                try Self.checkBool(name, value)
                guard creating else { throw QueueError.invalidAttributeName(name) }
                guard (value == "true") == fifo else {
                    throw QueueError.invalidAttributeValue("Invalid value for the parameter FifoQueue.")
                }
            case "DeduplicationScope":
                guard ["messageGroup", "queue"].contains(value) else {
                    throw QueueError.invalidAttributeValue("Invalid value for the parameter DeduplicationScope.")
                }
            case "FifoThroughputLimit":
                guard ["perQueue", "perMessageGroupId"].contains(value) else {
                    throw QueueError.invalidAttributeValue("Invalid value for the parameter FifoThroughputLimit.")
                }
            case "Policy":
                if !value.isEmpty {
                    guard let policy = try? JSONValue(parsing: value), policy.objectValue != nil else {
                        throw QueueError.invalidAttributeValue("Invalid value for the parameter Policy.")
                    }
                }
            case "RedrivePolicy":
                if !value.isEmpty {
                    let policy = try RedrivePolicy.parse(value)
                    guard naming.name(fromARN: policy.deadLetterTargetArn) != nil else {
                        throw QueueError.invalidParameter(
                            "Value \(value) for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist.")
                    }
                    // Stored as SQS returns it: `maxReceiveCount` a number even when given as a string.
                    values[name] = policy.json
                    continue
                }
            case "RedriveAllowPolicy":
                if !value.isEmpty { _ = try RedriveAllowPolicy.parse(value) }
            default: break
            }
            if value.isEmpty, ["Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"].contains(name) {
                values[name] = nil
            } else {
                values[name] = value
            }
        }
        if fifo, values["FifoThroughputLimit"] == "perMessageGroupId", values["DeduplicationScope"] == "queue",
           changes.contains(where: { $0.0 == "FifoThroughputLimit" || $0.0 == "DeduplicationScope" }) {
            throw QueueError.invalidAttributeValue(
                "Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId requires DeduplicationScope messageGroup.")
        }
    }

    static func checkInt(_ name: String, _ value: String, _ range: ClosedRange<Int>) throws(AWSError) {
        guard let number = Int(value), range.contains(number) else {
            throw QueueError.invalidAttributeValue("Invalid value for the parameter \(name).")
        }
    }

    static func checkBool(_ name: String, _ value: String) throws(AWSError) {
        guard value == "true" || value == "false" else {
            throw QueueError.invalidAttributeValue("Invalid value for the parameter \(name).")
        }
    }
}

/// `RedrivePolicy`: where messages go after `maxReceiveCount` receives.
struct RedrivePolicy: Sendable, Equatable {
    var deadLetterTargetArn: String
    var maxReceiveCount: Int

    static func parse(_ text: String) throws(AWSError) -> RedrivePolicy {
        func invalid(_ reason: String) -> AWSError {
            QueueError.invalidParameter("Value \(text) for parameter RedrivePolicy is invalid. Reason: \(reason)")
        }
        guard let value = try? JSONValue(parsing: text), value.objectValue != nil else {
            throw invalid("Redrive policy is not a valid JSON map.")
        }
        guard let arn = value["deadLetterTargetArn"]?.stringValue else {
            throw invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
        }
        let countValue = value["maxReceiveCount"]
        guard let count = countValue?.intValue ?? countValue?.stringValue.flatMap({ Int($0) }) else {
            throw invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
        }
        guard (1...1000).contains(count) else {
            throw invalid("Invalid value for maxReceiveCount: \(count), valid values are from 1 to 1000 both inclusive.")
        }
        return RedrivePolicy(deadLetterTargetArn: arn, maxReceiveCount: count)
    }

    /// The policy's text as SQS returns it.
    var json: String {
        JSONValue.object(["deadLetterTargetArn": .string(deadLetterTargetArn), "maxReceiveCount": .number(Double(maxReceiveCount))]).serialized
    }
}

/// `RedriveAllowPolicy`: which source queues may use this queue as their dead-letter queue.
struct RedriveAllowPolicy: Sendable, Equatable {
    enum Permission: String { case allowAll, denyAll, byQueue }
    var permission: Permission
    var sourceQueueArns: [String]

    static func parse(_ text: String) throws(AWSError) -> RedriveAllowPolicy {
        func invalid(_ reason: String) -> AWSError {
            QueueError.invalidParameter("Value \(text) for parameter RedriveAllowPolicy is invalid. Reason: \(reason)")
        }
        guard let value = try? JSONValue(parsing: text), value.objectValue != nil else {
            throw invalid("Amazon SQS can't parse the redrive allow policy as JSON.")
        }
        guard let permission = value["redrivePermission"]?.stringValue.flatMap(Permission.init(rawValue:)) else {
            throw invalid("redrivePermission must be one of allowAll, denyAll, byQueue.")
        }
        let arns = value["sourceQueueArns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        switch permission {
        case .byQueue:
            guard !arns.isEmpty, arns.count <= 10 else {
                throw invalid("byQueue requires between 1 and 10 sourceQueueArns.")
            }
        case .allowAll, .denyAll:
            guard arns.isEmpty else { throw invalid("sourceQueueArns is only allowed with byQueue.") }
        }
        return RedriveAllowPolicy(permission: permission, sourceQueueArns: arns)
    }

    func allows(_ sourceArn: String) -> Bool {
        switch permission {
        case .allowAll: true
        case .denyAll: false
        case .byQueue: sourceQueueArns.contains(sourceArn)
        }
    }
}
