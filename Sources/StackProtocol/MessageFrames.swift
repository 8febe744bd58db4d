import JSON

/// The EventBridge delivery that sent a message, when the stack knows it: the event, the bus
/// and rule it matched on, and the rule's target.
public struct MessageSender: Sendable, Hashable {
    public var eventId: String
    public var bus: String
    public var rule: String
    public var targetId: String

    public init(eventId: String, bus: String, rule: String, targetId: String) {
        self.eventId = eventId
        self.bus = bus
        self.rule = rule
        self.targetId = targetId
    }

    /// `{"eventId","bus","rule","targetId"}`
    public var json: JSONValue {
        ["eventId": .string(eventId), "bus": .string(bus), "rule": .string(rule), "targetId": .string(targetId)]
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(eventId: try fields.string("eventId"), bus: try fields.string("bus"), rule: try fields.string("rule"),
                  targetId: try fields.string("targetId"))
    }
}

/// The Step Functions execution whose `arn:aws:states:::sqs:sendMessage` task sent a message:
/// the execution and the Task state that sent it.
public struct MessageExecution: Sendable, Hashable {
    public var executionArn: String
    public var stateName: String

    public init(executionArn: String, stateName: String) {
        self.executionArn = executionArn
        self.stateName = stateName
    }

    /// `{"executionArn","stateName"}`
    public var json: JSONValue {
        ["executionArn": .string(executionArn), "stateName": .string(stateName)]
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(executionArn: try fields.string("executionArn"), stateName: try fields.string("stateName"))
    }
}

/// The `message` frame on `messages`: one thing that happened to one SQS message, after it was
/// committed. A message keeps its `messageId` from its send to its end (also in a dead-letter
/// queue), so a viewer can follow it by that id.
public struct QueueMessageChange: Sendable, Hashable {
    public enum Change: String, Sendable, Hashable, CaseIterable {
        /// Written to `queue` (SendMessage, a batch entry, an EventBridge delivery).
        case sent
        /// Handed out by a receive; `receiveCount` counts this one (2 and up: a retry).
        case received
        /// Deleted with a current receipt handle: consumed.
        case deleted
        /// Moved from `queue` to `deadLetterQueue` by a receive past `maxReceiveCount`.
        case deadLettered = "dead-lettered"
        /// Removed by the retention sweep, never consumed.
        case expired
    }

    /// The most of a body a `sent` frame carries, in UTF-8 bytes; a longer body is cut at a
    /// character boundary at or below it and marked `truncated`.
    public static let bodyLimit = 16 * 1024

    public var change: Change
    public var queue: String
    public var messageId: String
    /// When it happened, in Unix milliseconds (the stack's clock).
    public var time: Int64
    /// `sent` only: the body, or its first `bodyLimit` bytes.
    public var body: String?
    /// `sent` only: the body's whole size in UTF-8 bytes.
    public var bodySize: Int?
    /// `sent` only: `body` is the start of a longer body.
    public var truncated: Bool
    /// `sent` by an EventBridge delivery: which one.
    public var sender: MessageSender?
    /// `sent` by a Step Functions `sqs:sendMessage` task: its execution and state. A member of
    /// its own, not a kind of `sender`: a reader of an older version requires `sender.eventId`
    /// and would refuse the whole frame, where it skips a member it does not know.
    public var execution: MessageExecution?
    /// `sent` by an EventBridge delivery whose body is the event's envelope, byte for byte as
    /// the `event` frame carries it (a target with no input transformation): `body` is left
    /// out, since a viewer of `events` already holds it. Without this, each event would cross
    /// the stream once more per queue target.
    public var bodyIsEvent: Bool
    /// `received` and `dead-lettered`: the message's receive count.
    public var receiveCount: Int?
    /// `dead-lettered`: the queue it moved to.
    public var deadLetterQueue: String?

    public init(change: Change, queue: String, messageId: String, time: Int64, body: String? = nil, bodySize: Int? = nil,
                truncated: Bool = false, sender: MessageSender? = nil, execution: MessageExecution? = nil, bodyIsEvent: Bool = false,
                receiveCount: Int? = nil, deadLetterQueue: String? = nil) {
        self.change = change
        self.queue = queue
        self.messageId = messageId
        self.time = time
        self.body = body
        self.bodySize = bodySize
        self.truncated = truncated
        self.bodyIsEvent = bodyIsEvent
        self.sender = sender
        self.execution = execution
        self.receiveCount = receiveCount
        self.deadLetterQueue = deadLetterQueue
    }

    /// A `sent` change carrying `body` within `bodyLimit`; none when an EventBridge delivery
    /// sent the event's envelope itself (`eventText`, the text its `event` frame carries).
    public static func sent(queue: String, messageId: String, time: Int64, body: String, sender: MessageSender? = nil,
                            execution: MessageExecution? = nil, eventText: String? = nil) -> QueueMessageChange {
        let size = body.utf8.count
        if sender != nil, let eventText, body == eventText {
            return QueueMessageChange(change: .sent, queue: queue, messageId: messageId, time: time, bodySize: size,
                                      sender: sender, bodyIsEvent: true)
        }
        let kept = size <= bodyLimit ? body : clip(body, to: bodyLimit)
        return QueueMessageChange(change: .sent, queue: queue, messageId: messageId, time: time, body: kept, bodySize: size,
                                  truncated: size > bodyLimit, sender: sender, execution: execution)
    }

    /// The longest prefix of `text` of at most `limit` UTF-8 bytes that ends on a character
    /// boundary (a cut never splits a multi-byte sequence).
    static func clip(_ text: String, to limit: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > limit else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        // `end` is the first byte left out: step back while it continues a sequence.
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }

    /// `{"change","queue","messageId","time","body"?,"bodySize"?,"truncated"?,"sender"?,"execution"?,"bodyIsEvent"?,"receiveCount"?,"deadLetterQueue"?}`
    public var json: JSONValue {
        var object: JSONObject = ["change": .string(change.rawValue), "queue": .string(queue), "messageId": .string(messageId),
                                  "time": .number(Double(time))]
        if let body { object["body"] = .string(body) }
        if let bodySize { object["bodySize"] = .number(Double(bodySize)) }
        if change == .sent { object["truncated"] = .bool(truncated) }
        if let sender { object["sender"] = sender.json }
        if let execution { object["execution"] = execution.json }
        if bodyIsEvent { object["bodyIsEvent"] = true }
        if let receiveCount { object["receiveCount"] = .number(Double(receiveCount)) }
        if let deadLetterQueue { object["deadLetterQueue"] = .string(deadLetterQueue) }
        return .object(object)
    }

    /// `json`, written straight to bytes, member for member: a delivery to a queue sends one
    /// per target on the bus's hot path while someone watches `messages`.
    func write(to output: inout [UInt8]) {
        func member(_ name: String, _ text: String) {
            StreamFrameCodec.append(",\"\(name)\":", to: &output)
            StreamFrameCodec.appendString(text, to: &output)
        }
        func number(_ name: String, _ value: Int64) {
            StreamFrameCodec.append(",\"\(name)\":", to: &output)
            StreamFrameCodec.append(number: value, to: &output)
        }
        StreamFrameCodec.append("{\"change\":", to: &output)
        StreamFrameCodec.appendString(change.rawValue, to: &output)
        member("queue", queue)
        member("messageId", messageId)
        number("time", time)
        if let body { member("body", body) }
        if let bodySize { number("bodySize", Int64(bodySize)) }
        if change == .sent { StreamFrameCodec.append(truncated ? ",\"truncated\":true" : ",\"truncated\":false", to: &output) }
        if let sender {
            StreamFrameCodec.append(",\"sender\":{\"eventId\":", to: &output)
            StreamFrameCodec.appendString(sender.eventId, to: &output)
            member("bus", sender.bus)
            member("rule", sender.rule)
            member("targetId", sender.targetId)
            output.append(UInt8(ascii: "}"))
        }
        if let execution {
            StreamFrameCodec.append(",\"execution\":{\"executionArn\":", to: &output)
            StreamFrameCodec.appendString(execution.executionArn, to: &output)
            member("stateName", execution.stateName)
            output.append(UInt8(ascii: "}"))
        }
        if bodyIsEvent { StreamFrameCodec.append(",\"bodyIsEvent\":true", to: &output) }
        if let receiveCount { number("receiveCount", Int64(receiveCount)) }
        if let deadLetterQueue { member("deadLetterQueue", deadLetterQueue) }
        output.append(UInt8(ascii: "}"))
    }

    /// Whether this is the `sent` change of `delivery`'s message: its sender names that
    /// delivery's bus, rule and target (the event is the caller's to match).
    func sends(for delivery: DeliveryOutcome) -> Bool {
        guard let sender else { return false }
        return sender.targetId == delivery.targetId && sender.rule == delivery.rule && sender.bus == delivery.bus
    }

    /// Writes what `DeliveredMessage(self)` would write, without making it, and says whether it
    /// wrote anything (not for a change other than `sent`, or without its size, as that init).
    func writeDelivered(to output: inout [UInt8]) -> Bool {
        guard change == .sent, let bodySize else { return false }
        DeliveredMessage.write(queue: queue, messageId: messageId, time: time, body: body, bodySize: bodySize,
                               truncated: truncated, bodyIsEvent: bodyIsEvent, to: &output)
        return true
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        let name = try fields.string("change")
        guard let change = Change(rawValue: name) else {
            throw fields.failure("change", "must be one of \(Change.allCases.map(\.rawValue).joined(separator: ", ")), got \(name)")
        }
        let count = fields.optional("receiveCount") == nil ? nil : try fields.integer("receiveCount")
        let size = fields.optional("bodySize") == nil ? nil : try fields.integer("bodySize")
        self.init(change: change, queue: try fields.string("queue"), messageId: try fields.string("messageId"),
                  time: Int64(try fields.integer("time")), body: try fields.optionalString("body"), bodySize: size,
                  truncated: fields.optional("truncated") == nil ? false : try fields.bool("truncated"),
                  sender: try fields.optional("sender").map { value throws(StackProtocolError) in
                      try MessageSender(json: value, path: fields.fieldPath("sender"))
                  },
                  execution: try fields.optional("execution").map { value throws(StackProtocolError) in
                      try MessageExecution(json: value, path: fields.fieldPath("execution"))
                  },
                  bodyIsEvent: fields.optional("bodyIsEvent") == nil ? false : try fields.bool("bodyIsEvent"),
                  receiveCount: count, deadLetterQueue: try fields.optionalString("deadLetterQueue"))
    }
}

/// The `message-moved` frame on `messages`: a message move task (StartMessageMoveTask, a DLQ
/// redrive) took one message off `queue` and put it on `toQueue`, after that commit. As AWS
/// does, the moved message is a new one with a new id (`toMessageId`), a new enqueue time and
/// a fresh retention period; a viewer following `messageId` follows `toMessageId` from here.
///
/// A frame type of its own rather than a new `change` of `message`: readers of version 1
/// before it refuse an unknown `change` (the console skips the frame, but `signalbox tail`
/// stops on it), while every reader skips a frame type it does not know.
public struct QueueMessageMove: Sendable, Hashable {
    /// The queue it left (the dead-letter queue the task drains).
    public var queue: String
    public var messageId: String
    /// Unix milliseconds (the stack's clock).
    public var time: Int64
    public var toQueue: String
    public var toMessageId: String

    public init(queue: String, messageId: String, time: Int64, toQueue: String, toMessageId: String) {
        self.queue = queue
        self.messageId = messageId
        self.time = time
        self.toQueue = toQueue
        self.toMessageId = toMessageId
    }

    /// `{"queue","messageId","time","toQueue","toMessageId"}`
    public var json: JSONValue {
        ["queue": .string(queue), "messageId": .string(messageId), "time": .number(Double(time)),
         "toQueue": .string(toQueue), "toMessageId": .string(toMessageId)]
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(queue: try fields.string("queue"), messageId: try fields.string("messageId"), time: Int64(try fields.integer("time")),
                  toQueue: try fields.string("toQueue"), toMessageId: try fields.string("toMessageId"))
    }
}

/// The `queue-purged` and `queue-deleted` frames on `messages`: every message of `queue` went at
/// once (PurgeQueue, DeleteQueue), after that commit. One frame per purge or deletion with the
/// number removed, never one per message: a purge of 100,000 messages is one frame, not a flood
/// that would push every viewer's buffer over. Which messages went follows from the frames
/// before it: every message a viewer saw reach `queue` and not leave it (deleted, dead-lettered,
/// moved, expired) was removed here.
public struct QueueEmptied: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// PurgeQueue.
        case purged = "queue-purged"
        /// DeleteQueue: its messages went with it.
        case deleted = "queue-deleted"
    }

    /// Also the frame's `type`.
    public var reason: Reason
    public var queue: String
    /// Unix milliseconds (the stack's clock).
    public var time: Int64
    /// Messages removed (in flight and delayed ones included).
    public var count: Int

    public init(reason: Reason, queue: String, time: Int64, count: Int) {
        self.reason = reason
        self.queue = queue
        self.time = time
        self.count = count
    }

    /// `{"queue","time","count"}`
    public var json: JSONValue {
        ["queue": .string(queue), "time": .number(Double(time)), "count": .number(Double(count))]
    }

    init(reason: Reason, json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(reason: reason, queue: try fields.string("queue"), time: Int64(try fields.integer("time")),
                  count: try fields.integer("count"))
    }
}
