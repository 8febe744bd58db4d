import JSON

/// What a viewer sends the stack on `/_signalbox/stream`. Each is answered with one frame:
/// `subscribe` with `subscribed` (or `error`, changing nothing), `ping` with `pong`.
public enum StreamRequest: Sendable, Hashable {
    /// Replaces the viewer's topics, and its event pattern (`nil`: every frame of the topics).
    /// The pattern is EventBridge's, as a JSON object or its text; frames whose subject does
    /// not match are not sent.
    case subscribe(topics: [StreamTopic], pattern: JSONValue?)
    case ping

    /// `{"type":"subscribe","topics":[…],"pattern":{…}?}` or `{"type":"ping"}`
    public var json: JSONValue {
        switch self {
        case .subscribe(let topics, let pattern):
            var object: JSONObject = ["type": "subscribe", "topics": .array(topics.map { .string($0.rawValue) })]
            if let pattern { object["pattern"] = pattern }
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
            self = .subscribe(topics: list.compactMap(\.stringValue).map { StreamTopic($0) }, pattern: pattern)
        case "ping":
            self = .ping
        default:
            throw StreamFailure(code: "BadRequest", message: "Unknown message type; expected subscribe or ping.")
        }
    }
}
