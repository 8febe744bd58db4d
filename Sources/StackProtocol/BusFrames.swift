import JSON

/// An EventBridge event envelope (`version`, `id`, `detail-type`, `source`, `account`, `time`,
/// `region`, `resources`, `detail`: AWS's shape) with its compact text, made once.
///
/// Invariant: `text == value.serialized`. The bus serializes every event once when it is put;
/// the stream reuses that text rather than serializing the envelope again per frame. A reader
/// that decoded the envelope never pays for the text unless it asks.
public struct EventEnvelope: Sendable, Hashable {
    public let value: JSONValue
    private let serialized: String?

    public init(_ value: JSONValue) {
        self.value = value
        self.serialized = nil
    }

    /// `text` must be `value.serialized` (the caller made it so already).
    public init(_ value: JSONValue, serialized text: String) {
        self.value = value
        self.serialized = text
    }

    /// The envelope as compact JSON.
    public var text: String { serialized ?? value.serialized }

    public var id: String? { value["id"]?.stringValue }

    public static func == (lhs: EventEnvelope, rhs: EventEnvelope) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// A rule an event matched, on the bus it matched on (a bus-to-bus hop names the next bus).
public struct MatchedRule: Sendable, Hashable {
    public var bus: String
    public var rule: String

    public init(bus: String, rule: String) {
        self.bus = bus
        self.rule = rule
    }

    /// `{"bus","rule"}`
    public var json: JSONValue { ["bus": .string(bus), "rule": .string(rule)] }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(bus: try fields.string("bus"), rule: try fields.string("rule"))
    }
}

/// What became of one delivery of an event to one rule's target. Every delivery has exactly
/// one outcome; none is dropped unseen.
public struct DeliveryOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Committed into the target (queue message written, bus routed).
        case delivered
        /// Failed for now; retried per the target's RetryPolicy.
        case retrying
        /// Retries exhausted (or not retryable); sent to the target's dead-letter queue.
        case deadLettered = "dead-lettered"
        /// Retries exhausted and no usable dead-letter queue; kept as a failed delivery.
        case failed
    }

    public var eventId: String
    public var bus: String
    public var rule: String
    public var targetId: String
    public var targetArn: String
    public var status: Status
    public var errorCode: String?
    public var errorMessage: String?

    public init(eventId: String, bus: String, rule: String, targetId: String, targetArn: String, status: Status,
                errorCode: String? = nil, errorMessage: String? = nil) {
        self.eventId = eventId
        self.bus = bus
        self.rule = rule
        self.targetId = targetId
        self.targetArn = targetArn
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    /// Inside an `event` frame (the event names itself): `{"bus","rule","targetId","targetArn",
    /// "status","errorCode"?,"errorMessage"?}`.
    public var json: JSONValue {
        var object: JSONObject = [
            "bus": .string(bus), "rule": .string(rule), "targetId": .string(targetId),
            "targetArn": .string(targetArn), "status": .string(status.rawValue),
        ]
        if let errorCode { object["errorCode"] = .string(errorCode) }
        if let errorMessage { object["errorMessage"] = .string(errorMessage) }
        return .object(object)
    }

    /// A `delivery` frame's data: the same members, then `"eventId"`.
    public var deliveryFrameJSON: JSONValue {
        guard case .object(var object) = json else { return json }
        object["eventId"] = .string(eventId)
        return .object(object)
    }

    /// One outcome inside the `event` frame of `eventId`.
    init(json: JSONValue, eventId: String, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(eventId: eventId, bus: try fields.string("bus"), rule: try fields.string("rule"),
                  targetId: try fields.string("targetId"), targetArn: try fields.string("targetArn"),
                  status: try fields.enumeration("status", as: Status.self),
                  errorCode: try fields.optionalString("errorCode"), errorMessage: try fields.optionalString("errorMessage"))
    }

    /// A `delivery` frame's data.
    init(deliveryFrame json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        try self.init(json: json, eventId: try fields.string("eventId"), path: path)
    }
}

/// The `event` frame: an event put on `bus`, the rules it matched there and on buses it was
/// forwarded to, and each delivery's outcome as it stood when the put committed.
public struct BusEventFrame: Sendable, Hashable {
    public var bus: String
    public var event: EventEnvelope
    public var matched: [MatchedRule]
    public var deliveries: [DeliveryOutcome]

    public init(bus: String, event: EventEnvelope, matched: [MatchedRule], deliveries: [DeliveryOutcome]) {
        self.bus = bus
        self.event = event
        self.matched = matched
        self.deliveries = deliveries
    }

    /// `{"bus","event":{envelope},"matched":[{"bus","rule"}…],"deliveries":[outcome…]}`
    public var json: JSONValue {
        ["bus": .string(bus), "event": event.value, "matched": .array(matched.map(\.json)),
         "deliveries": .array(deliveries.map(\.json))]
    }

    /// `json`, written with the envelope's text spliced in.
    func write(to output: inout [UInt8]) {
        StreamFrameCodec.append("{\"bus\":", to: &output)
        StreamFrameCodec.appendString(bus, to: &output)
        StreamFrameCodec.append(",\"event\":", to: &output)
        StreamFrameCodec.append(event.text, to: &output)
        StreamFrameCodec.append(",\"matched\":", to: &output)
        StreamFrameCodec.append(.array(matched.map(\.json)), to: &output)
        StreamFrameCodec.append(",\"deliveries\":", to: &output)
        StreamFrameCodec.append(.array(deliveries.map(\.json)), to: &output)
        output.append(UInt8(ascii: "}"))
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        let envelope = try fields.require("event")
        guard case .object = envelope, let id = envelope["id"]?.stringValue else {
            throw fields.failure("event", "must be an event envelope with an \"id\"")
        }
        self.init(bus: try fields.string("bus"), event: EventEnvelope(envelope),
                  matched: try fields.list("matched") { item, path throws(StackProtocolError) in
                      try MatchedRule(json: item, path: path)
                  },
                  deliveries: try fields.list("deliveries") { item, path throws(StackProtocolError) in
                      try DeliveryOutcome(json: item, eventId: id, path: path)
                  })
    }
}
