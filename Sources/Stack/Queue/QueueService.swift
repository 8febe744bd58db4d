import Foundation
import GRDB
import JSON
import StackProtocol
import Timekeeping
import Wire

/// Amazon SQS on the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.*`), durable in the
/// stack's store: a 200 for SendMessage means the message is committed.
public final class QueueService: StackService {
    public let targetPrefix = "AmazonSQS"
    public let jsonVersion = AWSJSONVersion.v1_0
    public let queryCompatible = true

    let store: StackStore
    let engine: QueueEngine
    let wake: WakeBoard
    /// Message times are its wall clock's Unix milliseconds; waits and sweeps sleep on it.
    let clock: any TimeSource
    /// The live stream's `messages` topic (QueueService+Stream.swift).
    let hub: StreamHub?

    public static var migrations: [StoreMigration] { QueueSchema.migrations }

    /// `defaultRegion` is the server's default region, whose queue URLs name no region (nil:
    /// `region` is it).
    public init(store: StackStore, accountId: String, region: String, defaultRegion: String? = nil,
                clock: any TimeSource = SystemClock(), hub: StreamHub? = nil) {
        self.store = store
        self.engine = QueueEngine(naming: QueueNaming(accountId: accountId, region: region,
                                                      regionalURLs: defaultRegion.map { $0 != region } ?? false))
        self.clock = clock
        self.wake = WakeBoard(clock: clock)
        self.hub = hub
    }

    var naming: QueueNaming { engine.naming }

    public func handle(operation: String, input: JSONValue, context: ServiceContext) async throws(AWSError) -> JSONValue {
        let input = QueueInput(input)
        switch operation {
        case "CreateQueue": return try await createQueue(input, context)
        case "GetQueueUrl": return try await getQueueUrl(input, context)
        case "ListQueues": return try await listQueues(input, context)
        case "DeleteQueue": return try await empty(input, .deleted) { engine, db, name, now in try engine.deleteQueue(db, name: name) }
        case "PurgeQueue": return try await empty(input, .purged) { engine, db, name, now in try engine.purge(db, name: name, now: now) }
        case "GetQueueAttributes": return try await getQueueAttributes(input)
        case "SetQueueAttributes": return try await setQueueAttributes(input)
        case "TagQueue": return try await tagQueue(input)
        case "UntagQueue": return try await untagQueue(input)
        case "ListQueueTags": return try await listQueueTags(input)
        case "AddPermission": return try await addPermission(input)
        case "RemovePermission": return try await removePermission(input)
        case "SendMessage": return try await sendMessage(input, context)
        case "SendMessageBatch": return try await sendMessageBatch(input, context)
        case "ReceiveMessage": return try await receiveMessage(input)
        case "DeleteMessage": return try await deleteMessage(input)
        case "DeleteMessageBatch": return try await deleteMessageBatch(input)
        case "ChangeMessageVisibility": return try await changeMessageVisibility(input)
        case "ChangeMessageVisibilityBatch": return try await changeMessageVisibilityBatch(input)
        case "ListDeadLetterSourceQueues": return try await listDeadLetterSourceQueues(input, context)
        case "StartMessageMoveTask": return try await startMessageMoveTask(input)
        case "ListMessageMoveTasks": return try await listMessageMoveTasks(input)
        case "CancelMessageMoveTask": return try await cancelMessageMoveTask(input)
        default: throw QueueError.unknownOperation(operation)
        }
    }

    // MARK: Queues

    private func queueName(_ input: QueueInput) throws(AWSError) -> String {
        try naming.name(fromURL: input.requiredString("QueueUrl"))
    }

    /// PurgeQueue and DeleteQueue: `body` removes every message of the queue and answers how
    /// many; a viewer of `messages` is told once, with that count (QueueService+Stream.swift).
    private func empty(_ input: QueueInput, _ reason: QueueEmptied.Reason,
                       _ body: @escaping @Sendable (QueueEngine, Database, String, Int64) throws -> Int) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let engine = self.engine, now = clock.wallClockNow.milliseconds, watching = watchesMessages
        let removed = try await store.write { db in try body(engine, db, name, now) }
        if watching { publish(QueueEmptied(reason: reason, queue: name, time: now, count: removed)) }
        return [:]
    }

    private func createQueue(_ input: QueueInput, _ context: ServiceContext) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("QueueName")
        let attributes = try input.stringMap("Attributes") ?? []
        var tagList = try input.stringMap("tags") ?? []
        if tagList.isEmpty { tagList = try input.stringMap("Tags") ?? [] }
        let tags = tagList
        let engine = self.engine, now = clock.wallClockNow.milliseconds
        let created = try await store.write { db in
            try engine.createQueue(db, name: name, attributes: attributes, tags: tags, now: now)
        }
        return ["QueueUrl": .string(naming.url(created, endpoint: context.endpoint))]
    }

    private func getQueueUrl(_ input: QueueInput, _ context: ServiceContext) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("QueueName")
        if let owner = try input.string("QueueOwnerAWSAccountId"), owner != naming.accountId {
            throw QueueError.queueDoesNotExist()
        }
        guard QueueNaming.isValidName(name) else { throw QueueError.queueDoesNotExist() }
        _ = try await store.read { db in try QueueRecord.load(db, name: name) }
        return ["QueueUrl": .string(naming.url(name, endpoint: context.endpoint))]
    }

    private func listQueues(_ input: QueueInput, _ context: ServiceContext) async throws(AWSError) -> JSONValue {
        let prefix = try input.string("QueueNamePrefix")
        let maxResults = try input.int("MaxResults", in: 1...1000, reason: "MaxResults must be an integer between 1 and 1000.")
        let after = try input.string("NextToken").map { token throws(AWSError) -> String in
            guard let data = Data(base64Encoded: token), let name = String(data: data, encoding: .utf8) else {
                throw QueueError.invalidParameter("Invalid NextToken value.")
            }
            return name
        }
        if maxResults == nil, after != nil { throw QueueError.invalidParameter("MaxResults is required with NextToken.") }
        let limit = maxResults ?? 1000
        let engine = self.engine
        let page = try await store.read { db in try engine.listQueues(db, prefix: prefix, after: after, limit: limit) }
        var out: JSONObject = [:]
        if !page.names.isEmpty {
            out["QueueUrls"] = .array(page.names.map { .string(naming.url($0, endpoint: context.endpoint)) })
        }
        if page.more, maxResults != nil, let last = page.names.last {
            out["NextToken"] = .string(Data(last.utf8).base64EncodedString())
        }
        return .object(out)
    }

    private func getQueueAttributes(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let requested = try input.stringList("AttributeNames") ?? []
        let engine = self.engine, now = clock.wallClockNow.milliseconds
        let attributes = try await store.read { db in
            try engine.attributes(db, name: name, requested: requested, now: now)
        }
        guard !attributes.isEmpty else { return [:] }
        var object = JSONObject()
        for key in attributes.keys.sorted() { object[key] = .string(attributes[key]!) }
        return ["Attributes": .object(object)]
    }

    private func setQueueAttributes(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        guard let changes = try input.stringMap("Attributes") else { throw QueueError.missingParameter("Attributes") }
        let engine = self.engine, now = clock.wallClockNow.milliseconds
        try await store.write { db in try engine.setAttributes(db, name: name, changes: changes, now: now) }
        return [:]
    }

    private func tagQueue(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        guard let tags = try input.stringMap("Tags"), !tags.isEmpty else { throw QueueError.missingParameter("Tags") }
        let engine = self.engine
        try await store.write { db in try engine.tag(db, name: name, tags: tags) }
        return [:]
    }

    private func untagQueue(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        guard let keys = try input.stringList("TagKeys"), !keys.isEmpty else { throw QueueError.missingParameter("TagKeys") }
        let engine = self.engine
        try await store.write { db in try engine.untag(db, name: name, keys: keys) }
        return [:]
    }

    private func listQueueTags(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let tags = try await store.read { db in try QueueRecord.load(db, name: name).tags }
        guard !tags.isEmpty else { return [:] }
        var object = JSONObject()
        for key in tags.keys.sorted() { object[key] = .string(tags[key]!) }
        return ["Tags": .object(object)]
    }

    private func addPermission(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let label = try input.requiredString("Label")
        let accounts = try input.stringList("AWSAccountIds") ?? []
        let actions = try input.stringList("Actions") ?? []
        let engine = self.engine
        try await store.write { db in
            try engine.addPermission(db, name: name, label: label, accounts: accounts, actions: actions)
        }
        return [:]
    }

    private func removePermission(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let label = try input.requiredString("Label")
        let engine = self.engine
        try await store.write { db in try engine.removePermission(db, name: name, label: label) }
        return [:]
    }

    private func listDeadLetterSourceQueues(_ input: QueueInput, _ context: ServiceContext) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let maxResults = try input.int("MaxResults", in: 1...1000, reason: "MaxResults must be an integer between 1 and 1000.")
        let after = try input.string("NextToken").flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        let engine = self.engine
        var names = try await store.read { db in try engine.deadLetterSources(db, name: name) }
        if let after { names = names.filter { $0 > after } }
        let limit = maxResults ?? 1000
        var out: JSONObject = ["queueUrls": .array(names.prefix(limit).map { .string(naming.url($0, endpoint: context.endpoint)) })]
        if maxResults != nil, names.count > limit, let last = names.prefix(limit).last {
            out["NextToken"] = .string(Data(last.utf8).base64EncodedString())
        }
        return .object(out)
    }

    // MARK: Messages

    private func outgoing(_ entry: QueueInput) throws(AWSError) -> OutgoingMessage {
        guard let body = try entry.string("MessageBody") else { throw QueueError.missingParameter("MessageBody") }
        var traceHeader: String?
        if let system = entry.value["MessageSystemAttributes"], system != .null {
            guard let object = system.objectValue else {
                throw AWSError.serialization("MessageSystemAttributes must be a map")
            }
            for (name, member) in object {
                guard name == "AWSTraceHeader" else {
                    throw QueueError.invalidParameter(
                        "Message system attribute name '\(name)' is invalid. The only supported name is AWSTraceHeader.")
                }
                let attribute = try MessageAttributes.parseValue(member, name: name)
                guard attribute.dataType == "String", let value = attribute.stringValue else {
                    throw QueueError.invalidParameter("Message system attribute 'AWSTraceHeader' must have DataType String.")
                }
                traceHeader = value
            }
        }
        return OutgoingMessage(
            body: body, attributes: try MessageAttributes.parse(entry.value["MessageAttributes"]),
            traceHeader: traceHeader, delaySeconds: try entry.int("DelaySeconds"),
            groupId: try entry.string("MessageGroupId"), deduplicationId: try entry.string("MessageDeduplicationId"))
    }

    private func sentJSON(_ sent: SentMessage) -> JSONObject {
        var out: JSONObject = ["MessageId": .string(sent.messageId), "MD5OfMessageBody": .string(sent.md5OfBody)]
        if let md5 = sent.md5OfAttributes { out["MD5OfMessageAttributes"] = .string(md5) }
        if let md5 = sent.md5OfSystemAttributes { out["MD5OfMessageSystemAttributes"] = .string(md5) }
        if let sequence = sent.sequenceNumber { out["SequenceNumber"] = .string(sequence) }
        return out
    }

    private func sendMessage(_ input: QueueInput, _ context: ServiceContext) async throws(AWSError) -> JSONValue {
        try await sendMessage(input, context, execution: nil)
    }

    /// SendMessage; `execution`, when a Step Functions task sends it, is named on its `sent` frame.
    func sendMessage(_ input: QueueInput, _ context: ServiceContext, execution: MessageExecution?) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let message = try outgoing(input)
        let sender = context.accessKeyId ?? context.accountId
        let engine = self.engine, now = clock.wallClockNow.milliseconds
        let sent = try await store.write { db in
            let queue = try QueueRecord.load(db, name: name)
            try engine.validate(message, queue: queue)
            return try engine.send(db, queue: queue, message: message, senderId: sender, now: now)
        }
        await wake.signal(name)
        if watchesMessages, !sent.duplicate {
            publish([.sent(queue: name, messageId: sent.messageId, time: now, body: message.body, execution: execution)])
        }
        return .object(sentJSON(sent))
    }

    /// Checks a batch's shape: 1–10 entries with distinct, well-formed `Id`s.
    private func batchEntries(_ input: QueueInput, member: String, noun: String) throws(AWSError) -> [QueueInput] {
        let entries = try input.objects(member) ?? []
        guard !entries.isEmpty else { throw QueueError.emptyBatch(noun) }
        guard entries.count <= 10 else { throw QueueError.tooManyEntries(entries.count) }
        var seen = Set<String>()
        var out: [QueueInput] = []
        for entry in entries {
            let entry = QueueInput(entry)
            let id = try entry.requiredString("Id")
            guard !id.isEmpty, id.utf8.count <= 80, id.utf8.allSatisfy({ byte in
                (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }) else { throw QueueError.invalidBatchEntryId(id) }
            guard seen.insert(id).inserted else { throw QueueError.idsNotDistinct(id) }
            out.append(entry)
        }
        return out
    }

    private static func failure(_ id: String, _ error: AWSError) -> JSONValue {
        ["Id": .string(id), "SenderFault": .bool(error.fault == .sender),
         "Code": .string(error.queryCode ?? error.code), "Message": .string(error.message)]
    }

    private func sendMessageBatch(_ input: QueueInput, _ context: ServiceContext) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let entries = try batchEntries(input, member: "Entries", noun: "SendMessageBatchRequestEntry")
        var parsed: [(id: String, message: Result<OutgoingMessage, AWSError>)] = []
        var total = 0
        for entry in entries {
            let id = try entry.requiredString("Id")
            do throws(AWSError) {
                let message = try outgoing(entry)
                total += message.body.utf8.count + message.attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.size }
                parsed.append((id, .success(message)))
            } catch {
                parsed.append((id, .failure(error)))
            }
        }
        guard total <= 1_048_576 else { throw QueueError.batchTooLong(1_048_576) }
        let sender = context.accessKeyId ?? context.accountId
        let engine = self.engine, now = clock.wallClockNow.milliseconds
        let batch = parsed
        let results = try await store.write { db -> [(String, Result<SentMessage, AWSError>)] in
            let queue = try QueueRecord.load(db, name: name)
            var results: [(String, Result<SentMessage, AWSError>)] = []
            for (id, message) in batch {
                switch message {
                case .failure(let error): results.append((id, .failure(error)))
                case .success(let message):
                    do {
                        try engine.validate(message, queue: queue)
                        results.append((id, .success(try engine.send(db, queue: queue, message: message, senderId: sender, now: now))))
                    } catch let error as AWSError {
                        results.append((id, .failure(error)))
                    }
                }
            }
            return results
        }
        await wake.signal(name)
        if watchesMessages {
            let bodies = Dictionary(batch.compactMap { id, message in (try? message.get()).map { (id, $0.body) } }, uniquingKeysWith: { a, _ in a })
            publish(results.compactMap { id, result in
                guard case .success(let sent) = result, !sent.duplicate, let body = bodies[id] else { return nil }
                return .sent(queue: name, messageId: sent.messageId, time: now, body: body)
            })
        }
        var successful: [JSONValue] = [], failed: [JSONValue] = []
        for (id, result) in results {
            switch result {
            case .success(let sent):
                var object = sentJSON(sent)
                object.updateValue(.string(id), forKey: "Id", insertingAt: 0)
                successful.append(.object(object))
            case .failure(let error): failed.append(Self.failure(id, error))
            }
        }
        return ["Successful": .array(successful), "Failed": .array(failed)]
    }

    static let systemAttributeNames: Set<String> = [
        "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
        "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn",
    ]

    private func receiveMessage(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let limit = try input.int("MaxNumberOfMessages", in: 1...10,
                                  reason: "Must be between 1 and 10, if provided.") ?? 1
        let requestedVisibility = try input.int("VisibilityTimeout", in: 0...43_200,
                                                reason: "VisibilityTimeout must be an integer between 0 and 43200.")
        let requestedWait = try input.int("WaitTimeSeconds", in: 0...20,
                                          reason: "WaitTimeSeconds must be >= 0 and <= 20, if provided.")
        let systemNames = Set((try input.stringList("AttributeNames") ?? []) + (try input.stringList("MessageSystemAttributeNames") ?? []))
        let attributeNames = try input.stringList("MessageAttributeNames") ?? []
        let attemptId = try input.string("ReceiveRequestAttemptId")
        if let attemptId { try QueueEngine.checkFifoToken(attemptId, parameter: "ReceiveRequestAttemptId") }
        let engine = self.engine
        // The queue's settings are read inside each receive's own write: no separate read
        // (and no extra hop to the reader pool) before the first attempt.
        let started = clock.wallClockNow.milliseconds
        var messages: [ReceivedMessage] = []
        while true {
            let now = clock.wallClockNow.milliseconds
            let watching = watchesMessages
            // A receive lost to a power loss only makes its messages visible again: at-least-once.
            let (received, waitSeconds, moved) = try await store.write(durability: .committed) { db in
                let queue = try QueueRecord.load(db, name: name)
                let wait = requestedWait ?? queue.settings.receiveWaitSeconds
                let fifoAttempt = queue.fifo ? attemptId : nil
                if let fifoAttempt, let repeated = try engine.repeatedAttempt(db, queue: queue, attemptId: fifoAttempt, now: now) {
                    return (repeated, wait, [QueueMessageChange]())
                }
                let visibility = requestedVisibility ?? queue.settings.visibilityTimeout
                var moved: [QueueMessageChange]? = watching ? [] : nil
                let messages = try engine.receive(db, queue: queue, limit: limit, visibility: visibility, now: now, moved: &moved)
                if let fifoAttempt, !messages.isEmpty {
                    try engine.recordAttempt(db, queue: queue, attemptId: fifoAttempt, messages: messages, now: now)
                }
                return (messages, wait, moved ?? [])
            }
            messages = received
            if watching {
                publish(moved + received.map { message in
                    QueueMessageChange(change: .received, queue: name, messageId: message.messageId, time: now,
                                       receiveCount: message.system["ApproximateReceiveCount"].flatMap { Int($0) })
                })
            }
            let deadline = started + Int64(waitSeconds) * 1000
            if !messages.isEmpty || now >= deadline || Task.isCancelled { break }
            if await wake.closed { break }
            let next = try await store.read { db in try engine.nextVisibleAt(db, queue: name, now: now) }
            let until = min(deadline, next ?? deadline)
            await wake.wait(queue: name, timeout: .milliseconds(max(1, until - now)))
        }
        guard !messages.isEmpty else { return [:] }
        let allSystem = systemNames.contains("All")
        return ["Messages": .array(messages.map { message in
            var object: JSONObject = [
                "MessageId": .string(message.messageId), "ReceiptHandle": .string(message.receiptHandle),
                "MD5OfBody": .string(message.md5OfBody), "Body": .string(message.body),
            ]
            let system = message.system.filter { allSystem || systemNames.contains($0.key) }
            if !system.isEmpty {
                var attributes = JSONObject()
                for key in system.keys.sorted() { attributes[key] = .string(system[key]!) }
                object["Attributes"] = .object(attributes)
            }
            let selected = MessageAttributes.select(message.attributes, names: attributeNames)
            if !selected.isEmpty {
                object["MD5OfMessageAttributes"] = .string(MessageAttributes.md5(selected))
                var attributes = JSONObject()
                for key in selected.keys.sorted() { attributes[key] = selected[key]!.json }
                object["MessageAttributes"] = .object(attributes)
            }
            return .object(object)
        })]
    }

    /// A delete on a standard queue lost to a power loss means the message may be received
    /// once more, which SQS's at-least-once delivery allows; a FIFO queue promises exactly-once
    /// processing, so its deletes reach the disk before the answer.
    static func deleteDurability(_ queueName: String) -> WriteDurability {
        queueName.hasSuffix(".fifo") ? .synced : .committed
    }

    private func deleteMessage(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let text = try input.requiredString("ReceiptHandle")
        let engine = self.engine, watching = watchesMessages
        let deleted = try await store.write(durability: Self.deleteDurability(name)) { db in
            // As SQS: a queue that does not exist is named before the handle is looked at.
            let queue = try QueueRecord.load(db, name: name)
            let handle = try ReceiptHandle.decode(text, queue: name)
            return try engine.delete(db, queue: queue, handle: handle, naming: watching)
        }
        if let deleted { publish([QueueMessageChange(change: .deleted, queue: name, messageId: deleted, time: clock.wallClockNow.milliseconds)]) }
        return [:]
    }

    private func deleteMessageBatch(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let entries = try batchEntries(input, member: "Entries", noun: "DeleteMessageBatchRequestEntry")
        var parsed: [(String, Result<ReceiptHandle, AWSError>)] = []
        for entry in entries {
            let id = try entry.requiredString("Id")
            do throws(AWSError) {
                parsed.append((id, .success(try ReceiptHandle.decode(entry.requiredString("ReceiptHandle"), queue: name))))
            } catch {
                parsed.append((id, .failure(error)))
            }
        }
        let engine = self.engine, watching = watchesMessages
        let batch = parsed
        let deleted = try await store.write(durability: Self.deleteDurability(name)) { db in
            let queue = try QueueRecord.load(db, name: name)
            var deleted: [String] = []
            for case (_, .success(let handle)) in batch {
                if let id = try engine.delete(db, queue: queue, handle: handle, naming: watching) { deleted.append(id) }
            }
            return deleted
        }
        if !deleted.isEmpty {
            let now = clock.wallClockNow.milliseconds
            publish(deleted.map { QueueMessageChange(change: .deleted, queue: name, messageId: $0, time: now) })
        }
        var successful: [JSONValue] = [], failed: [JSONValue] = []
        for (id, result) in parsed {
            switch result {
            case .success: successful.append(["Id": .string(id)])
            case .failure(let error): failed.append(Self.failure(id, error))
            }
        }
        return ["Successful": .array(successful), "Failed": .array(failed)]
    }

    private func changeMessageVisibility(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let text = try input.requiredString("ReceiptHandle")
        guard let timeout = try input.int("VisibilityTimeout", in: 0...43_200,
                                          reason: "VisibilityTimeout must be an integer between 0 and 43200.") else {
            throw QueueError.missingParameter("VisibilityTimeout")
        }
        let engine = self.engine, now = clock.wallClockNow.milliseconds
        try await store.write { db in
            let queue = try QueueRecord.load(db, name: name)
            let handle = try ReceiptHandle.decode(text, queue: name)
            try engine.changeVisibility(db, queue: queue, handle: handle, timeout: timeout, now: now)
        }
        if timeout == 0 { await wake.signal(name) }
        return [:]
    }

    private func changeMessageVisibilityBatch(_ input: QueueInput) async throws(AWSError) -> JSONValue {
        let name = try queueName(input)
        let entries = try batchEntries(input, member: "Entries", noun: "ChangeMessageVisibilityBatchRequestEntry")
        var parsed: [(String, Result<(ReceiptHandle, Int), AWSError>)] = []
        for entry in entries {
            let id = try entry.requiredString("Id")
            do throws(AWSError) {
                let handle = try ReceiptHandle.decode(entry.requiredString("ReceiptHandle"), queue: name)
                guard let timeout = try entry.int("VisibilityTimeout", in: 0...43_200,
                                                  reason: "VisibilityTimeout must be an integer between 0 and 43200.") else {
                    throw QueueError.missingParameter("VisibilityTimeout")
                }
                parsed.append((id, .success((handle, timeout))))
            } catch {
                parsed.append((id, .failure(error)))
            }
        }
        let engine = self.engine, now = clock.wallClockNow.milliseconds
        let batch = parsed
        let results = try await store.write { db -> [(String, AWSError?)] in
            let queue = try QueueRecord.load(db, name: name)
            var results: [(String, AWSError?)] = []
            for (id, entry) in batch {
                switch entry {
                case .failure(let error): results.append((id, error))
                case .success(let (handle, timeout)):
                    do {
                        try engine.changeVisibility(db, queue: queue, handle: handle, timeout: timeout, now: now)
                        results.append((id, nil))
                    } catch let error as AWSError {
                        results.append((id, error))
                    }
                }
            }
            return results
        }
        await wake.signal(name)
        var successful: [JSONValue] = [], failed: [JSONValue] = []
        for (id, error) in results {
            if let error { failed.append(Self.failure(id, error)) } else { successful.append(["Id": .string(id)]) }
        }
        return ["Successful": .array(successful), "Failed": .array(failed)]
    }

    // MARK: Background and metrics

    public func runBackground() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.runMoveTasks() }
            group.addTask { await self.sweepExpired() }
        }
    }

    /// Deletes messages past their retention period once a minute (receives also drop them).
    private func sweepExpired() async {
        while !Task.isCancelled {
            try? await deleteExpired()
            try? await clock.sleep(for: .seconds(60))
        }
    }

    /// One pass of the retention sweep: messages and deduplication entries past their time.
    func deleteExpired() async throws(AWSError) {
        let now = clock.wallClockNow.milliseconds
        let watching = watchesMessages
        let expired = try await store.write { db in
            let expired = watching
                ? try Row.fetchAll(db, sql: "SELECT queue, id FROM sqs_message WHERE expires_at <= ?", arguments: [now])
                    .map { (queue: $0[0] as String, id: $0[1] as String) }
                : []
            try QueueEngine.deleteMessages(db, where: "expires_at <= ?", arguments: [now])
            try db.execute(sql: "DELETE FROM sqs_dedup WHERE expires_at <= ?", arguments: [now])
            return expired
        }
        publish(expired.map { QueueMessageChange(change: .expired, queue: $0.queue, messageId: $0.id, time: now) })
    }

    public func beginShutdown() async {
        await wake.close()
    }

    public func gaugeReadings() async -> [GaugeReading] {
        let now = clock.wallClockNow.milliseconds
        let rows = (try? await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT q.name,
                  COALESCE(SUM(m.visible_at <= ?1), 0),
                  COALESCE(SUM(m.visible_at > ?1 AND m.receipt IS NOT NULL), 0),
                  COALESCE(SUM(m.visible_at > ?1 AND m.receipt IS NULL), 0)
                FROM sqs_queue q LEFT JOIN sqs_message m ON m.queue = q.name AND m.expires_at > ?1
                GROUP BY q.name ORDER BY q.name
                """, arguments: [now]).map { row in (row[0] as String, row[1] as Int, row[2] as Int, row[3] as Int) }
        }) ?? []
        var readings = [GaugeReading(.sqsLongPollsWaiting, await wake.waiting)]
        for (queue, visible, inFlight, delayed) in rows {
            readings.append(GaugeReading(.sqsMessages, [("queue", queue), ("state", "visible")], visible))
            readings.append(GaugeReading(.sqsMessages, [("queue", queue), ("state", "in_flight")], inFlight))
            readings.append(GaugeReading(.sqsMessages, [("queue", queue), ("state", "delayed")], delayed))
        }
        return readings
    }
}
