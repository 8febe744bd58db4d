import JSON
import Wire

/// Where a target's events go. Queues and buses are delivered inside the PutEvents
/// transaction; other services are reached through a `BusTargetSink` registered for their ARN
/// service (Step Functions, with the saga service), the one seam new target kinds plug into.
/// API destinations are HTTP calls, which never run inside a store transaction: the
/// transaction writes them to the outbox and the HTTP dispatcher makes the call after it.
enum BusTargetKind: Sendable, Equatable {
    case queue(name: String)
    case bus(name: String)
    /// A bus of another account or region: handed to the outbox in the delivering transaction
    /// (that bus's store is not this one) and forwarded by the retry worker.
    case remoteBus(partition: StackPartition, name: String)
    /// A queue of another account in this region (AWS delivers to those when the queue's policy
    /// lets the rule in): handed to the outbox like a remote bus, its policy checked on arrival.
    case remoteQueue(partition: StackPartition, name: String)
    case sink(service: String)
    case apiDestination(arn: String)

    /// Whether the target lives in another partition's store, so the outbox worker delivers it.
    var isInOtherPartition: Bool {
        switch self {
        case .remoteBus, .remoteQueue: true
        default: false
        }
    }
}

/// A target as PutTargets accepted it, with what delivery needs parsed out once.
struct BusTarget: Sendable, Equatable {
    var id: String
    var arn: String
    /// The target exactly as given (members AWS accepts but the stack does not act on are kept).
    var spec: JSONValue
    var input: String?
    var inputPath: String?
    var transformer: InputTransformer?
    var maximumRetryAttempts: Int
    var maximumEventAgeSeconds: Int
    var deadLetterArn: String?
    /// `RoleArn`: the execution role EventBridge assumes for the target (a queue of another
    /// account may grant that role rather than the whole account).
    var roleArn: String?
    var messageGroupId: String?
    /// `HttpParameters`: what an API-destination call adds to its URL and headers.
    var httpParameters: TargetHttpParameters

    /// Whether the target receives the event itself (no `Input`, `InputPath` or `InputTransformer`).
    var deliversEventText: Bool { input == nil && inputPath == nil && transformer == nil }

    static let defaultRetryAttempts = 185
    static let defaultEventAgeSeconds = 86_400

    /// Validates one target of a PutTargets call; errors name the target.
    init(_ value: JSONValue) throws(AWSError) {
        let input = BusInput(value)
        let id = try input.name("Id")
        let arn = try input.requiredString("Arn")
        guard !arn.isEmpty, arn.utf8.count <= 1600 else {
            throw BusError.constraint(arn, member: "targets.arn", "Member must have length between 1 and 1600")
        }
        let constant = try input.string("Input")
        let inputPath = try input.string("InputPath")
        let transformerInput = try input.object("InputTransformer")
        let given = [constant != nil, inputPath != nil, transformerInput != nil].filter { $0 }.count
        guard given <= 1 else {
            throw BusError.validation("Only one of Input, InputPath, or InputTransformer must be provided for target \(id).")
        }
        if let text = constant {
            guard text.utf8.count <= 8192, (try? JSONValue(parsing: text)) != nil else {
                throw BusError.validation("Target \(id): Input is not a valid JSON text.")
            }
        }
        if let path = inputPath {
            guard path.utf8.count <= 256, JSONPathLite(path) != nil else {
                throw BusError.validation("Target \(id): InputPath is not a valid JSON path: \(path)")
            }
        }
        var transformer: InputTransformer?
        if let transformerInput { transformer = try InputTransformer(transformerInput, targetId: id) }
        self.id = id
        self.arn = arn
        self.spec = value
        self.input = constant
        self.inputPath = inputPath
        self.transformer = transformer
        let retry = try input.object("RetryPolicy")
        maximumRetryAttempts = try retry?.int("MaximumRetryAttempts", in: 0...185) ?? Self.defaultRetryAttempts
        maximumEventAgeSeconds = try retry?.int("MaximumEventAgeInSeconds", in: 60...86_400) ?? Self.defaultEventAgeSeconds
        deadLetterArn = try input.object("DeadLetterConfig")?.string("Arn")
        roleArn = try input.string("RoleArn")
        messageGroupId = try input.object("SqsParameters")?.string("MessageGroupId")
        httpParameters = try input.object("HttpParameters").map { parameters throws(AWSError) in
            try TargetHttpParameters(parameters)
        } ?? TargetHttpParameters()
    }

    func kind(naming: BusNaming) -> BusTargetKind? {
        Self.kind(arn: arn, naming: naming)
    }

    /// Whether `arn` is an SQS queue of another region: AWS delivers to queues of its own
    /// region only, and refuses such a target at PutTargets.
    static func isQueueOfOtherRegion(_ arn: String, naming: BusNaming) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && parts[2] == "sqs" && String(parts[3]) != naming.region
    }

    static func kind(arn: String, naming: BusNaming) -> BusTargetKind? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[2].isEmpty else { return nil }
        switch parts[2] {
        case "sqs":
            guard String(parts[3]) == naming.region, !parts[5].isEmpty else { return nil }
            if String(parts[4]) == naming.accountId { return .queue(name: String(parts[5])) }
            guard StackPartition.isValidAccountId(parts[4]) else { return nil }
            return .remoteQueue(partition: StackPartition(accountId: String(parts[4]), region: naming.region), name: String(parts[5]))
        case "events":
            if naming.apiDestinationName(fromArn: arn) != nil { return .apiDestination(arn: arn) }
            if let local = naming.busName(fromArn: arn) { return .bus(name: local) }
            return naming.foreignBus(fromArn: arn).map { .remoteBus(partition: $0.partition, name: $0.bus) }
        default:
            return .sink(service: String(parts[2]))
        }
    }
}
