import JSON

/// The SQS message a delivery to a queue wrote, carried by the delivery in its `event` frame
/// for a viewer that subscribed with `sentWithEvents` (`docs/stream.md`): what the `sent`
/// frame of that message says besides its sender, which the delivery and its event already
/// name. Such a viewer gets one frame per event instead of one plus one per queue reached.
///
/// `body` follows the `sent` frame's rules: absent with `bodyIsEvent` (the body is the event's
/// envelope, which the frame holds), else the body or its first `QueueMessageChange.bodyLimit`
/// bytes (`truncated`).
public struct DeliveredMessage: Sendable, Hashable {
    public var queue: String
    public var messageId: String
    /// Unix milliseconds (the stack's clock), as the `sent` frame's `time`.
    public var time: Int64
    public var body: String?
    public var bodySize: Int
    public var truncated: Bool
    public var bodyIsEvent: Bool

    public init(queue: String, messageId: String, time: Int64, body: String? = nil, bodySize: Int, truncated: Bool = false,
                bodyIsEvent: Bool = false) {
        self.queue = queue
        self.messageId = messageId
        self.time = time
        self.body = body
        self.bodySize = bodySize
        self.truncated = truncated
        self.bodyIsEvent = bodyIsEvent
    }

    /// What a `sent` change of a delivery says; nil for any other change (or one without its size).
    public init?(_ change: QueueMessageChange) {
        guard change.change == .sent, let size = change.bodySize else { return nil }
        self.init(queue: change.queue, messageId: change.messageId, time: change.time, body: change.body, bodySize: size,
                  truncated: change.truncated, bodyIsEvent: change.bodyIsEvent)
    }

    /// The `sent` change this stands for, sent by `sender`: the frame a viewer without
    /// `sentWithEvents` receives, member for member.
    public func change(sender: MessageSender) -> QueueMessageChange {
        QueueMessageChange(change: .sent, queue: queue, messageId: messageId, time: time, body: body, bodySize: bodySize,
                           truncated: truncated, sender: sender, bodyIsEvent: bodyIsEvent)
    }

    /// `{"queue","messageId","time","body"?,"bodySize","truncated","bodyIsEvent"?}`
    public var json: JSONValue {
        var object: JSONObject = ["queue": .string(queue), "messageId": .string(messageId), "time": .number(Double(time))]
        if let body { object["body"] = .string(body) }
        object["bodySize"] = .number(Double(bodySize))
        object["truncated"] = .bool(truncated)
        if bodyIsEvent { object["bodyIsEvent"] = true }
        return .object(object)
    }

    /// `json`, written straight to bytes, member for member (one per queue an event reaches).
    func write(to output: inout [UInt8]) {
        Self.write(queue: queue, messageId: messageId, time: time, body: body, bodySize: bodySize, truncated: truncated,
                   bodyIsEvent: bodyIsEvent, to: &output)
    }

    /// `json` of the message with these members: the one writer of it, for a `DeliveredMessage`
    /// and for the `sent` change it stands for (`QueueMessageChange.writeDelivered`).
    static func write(queue: String, messageId: String, time: Int64, body: String?, bodySize: Int, truncated: Bool,
                      bodyIsEvent: Bool, to output: inout [UInt8]) {
        StreamFrameCodec.append("{\"queue\":", to: &output)
        StreamFrameCodec.appendString(queue, to: &output)
        StreamFrameCodec.append(",\"messageId\":", to: &output)
        StreamFrameCodec.appendString(messageId, to: &output)
        StreamFrameCodec.append(",\"time\":", to: &output)
        StreamFrameCodec.append(number: time, to: &output)
        if let body {
            StreamFrameCodec.append(",\"body\":", to: &output)
            StreamFrameCodec.appendString(body, to: &output)
        }
        StreamFrameCodec.append(",\"bodySize\":", to: &output)
        StreamFrameCodec.append(number: Int64(bodySize), to: &output)
        StreamFrameCodec.append(truncated ? ",\"truncated\":true" : ",\"truncated\":false", to: &output)
        if bodyIsEvent { StreamFrameCodec.append(",\"bodyIsEvent\":true", to: &output) }
        output.append(UInt8(ascii: "}"))
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(queue: try fields.string("queue"), messageId: try fields.string("messageId"),
                  time: Int64(try fields.integer("time")), body: try fields.optionalString("body"),
                  bodySize: try fields.integer("bodySize"),
                  truncated: fields.optional("truncated") == nil ? false : try fields.bool("truncated"),
                  bodyIsEvent: fields.optional("bodyIsEvent") == nil ? false : try fields.bool("bodyIsEvent"))
    }
}
