import JSON

/// What a viewer sends the stack on `/_signalbox/stream`. Each is answered with one frame:
/// `subscribe` with `subscribed` (or `error`, changing nothing), `ping` with `pong`.
public enum StreamRequest: Sendable, Hashable {
    /// Replaces the viewer's topics, and its event pattern (`nil`: every frame of the topics).
    /// The pattern is EventBridge's, as a JSON object or its text; frames whose subject does
    /// not match are not sent. `sentWithEvents` asks that a delivery to a queue carry the
    /// message it wrote in its `event` frame (`DeliveredMessage`) in place of that message's
    /// own `sent` frame, when the viewer receives both topics (`docs/stream.md`).
    case subscribe(topics: [StreamTopic], pattern: JSONValue?, sentWithEvents: Bool = false)
    case ping

    /// `{"type":"subscribe","topics":[…],"pattern":{…}?,"sentWithEvents":true?}` or `{"type":"ping"}`
    public var json: JSONValue {
        switch self {
        case .subscribe(let topics, let pattern, let sentWithEvents):
            var object: JSONObject = ["type": "subscribe", "topics": .array(topics.map { .string($0.rawValue) })]
            if let pattern { object["pattern"] = pattern }
            if sentWithEvents { object["sentWithEvents"] = true }
            return .object(object)
        case .ping:
            return ["type": "ping"]
        }
    }

    public var text: String { json.serialized }

    /// Reads a viewer's message; the error is what the stack answers (code `BadRequest`).
    public init(text: String) throws(StreamFailure) {
        guard case .object(let message)? = try? JSONValue(parsing: text) else {
            throw StreamFailure(code: "BadRequest", message: "Messages must be JSON objects.")
        }
        switch message["type"]?.stringValue {
        case "subscribe":
            guard let list = message["topics"]?.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw StreamFailure(code: "BadRequest", message: "subscribe needs \"topics\": a list of topic names.")
            }
            // JSON null means no pattern (`JSONValue` is nil-literal-expressible: test, not map).
            var pattern: JSONValue?
            if let given = message["pattern"], given != .null { pattern = given }
            var sentWithEvents = false
            if let given = message["sentWithEvents"], given != .null {
                guard case .bool(let flag) = given else {
                    throw StreamFailure(code: "BadRequest", message: "subscribe's \"sentWithEvents\" must be true or false.")
                }
                sentWithEvents = flag
            }
            self = .subscribe(topics: list.compactMap(\.stringValue).map { StreamTopic($0) }, pattern: pattern,
                              sentWithEvents: sentWithEvents)
        case "ping":
            self = .ping
        default:
            throw StreamFailure(code: "BadRequest", message: "Unknown message type; expected subscribe or ping.")
        }
    }
}
