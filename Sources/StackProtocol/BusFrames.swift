import JSON
import Synchronization

/// An EventBridge event envelope (`version`, `id`, `detail-type`, `source`, `account`, `time`,
/// `region`, `resources`, `detail`: AWS's shape) with its compact text, made once.
///
/// Invariant: `text == value.serialized` whichever of the two came first. The bus serializes
/// every event once when it is put, and the stream splices that text into each frame. A viewer
/// that decoded a batch keeps the envelope as its text and the few members a list shows
/// (`summary`), and parses the rest (`value`) only when something asks for it — at thousands of
/// events a second most envelopes are never opened. Equality and hashing are by text.
public struct EventEnvelope: Sendable, Hashable {
    /// The members a viewer lists, read without parsing `detail`.
    public struct Summary: Sendable, Hashable {
        public var id: String?
        public var source: String?
        public var detailType: String?
        /// `time` as written (RFC 3339).
        public var time: String?
        public var resources: [String]

        public init(id: String?, source: String?, detailType: String?, time: String?, resources: [String]) {
            self.id = id
            self.source = source
            self.detailType = detailType
            self.time = time
            self.resources = resources
        }

        init(_ value: JSONValue) {
            self.init(id: value["id"]?.stringValue, source: value["source"]?.stringValue,
                      detailType: value["detail-type"]?.stringValue, time: value["time"]?.stringValue,
                      resources: value["resources"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
    }

    /// The text, and the value once parsed (shared by copies, so each envelope is parsed at most once).
    private final class Storage: Sendable {
        let text: String
        let parsed: Mutex<JSONValue?>

        init(text: String, value: JSONValue?) {
            self.text = text
            self.parsed = Mutex(value)
        }
    }

    private let storage: Storage
    public let summary: Summary

    public init(_ value: JSONValue) {
        self.init(value, serialized: value.serialized)
    }

    /// `text` must be `value.serialized` (the caller made it so already).
    public init(_ value: JSONValue, serialized text: String) {
        storage = Storage(text: text, value: value)
        summary = Summary(value)
    }

    /// An envelope read from a frame: its text, and the members `summary` holds (read with it).
    /// `value` parses `text` when first asked.
    public init(text: String, summary: Summary) {
        storage = Storage(text: text, value: nil)
        self.summary = summary
    }

    /// The envelope as compact JSON.
    public var text: String { storage.text }

    /// The envelope as a value; `.null` if the text was not JSON (a reader that kept the text
    /// checked it was an object when it read the frame).
    public var value: JSONValue {
        storage.parsed.withLock { parsed in
            if let parsed { return parsed }
            let value = (try? JSONValue(parsing: Array(storage.text.utf8))) ?? .null
            parsed = value
            return value
        }
    }

    public var id: String? { summary.id }

    public static func == (lhs: EventEnvelope, rhs: EventEnvelope) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
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
    /// The message a delivery to a queue wrote, in an `event` frame for a viewer that asked
    /// for it (`sentWithEvents`); nil otherwise, and in `delivery` frames. Nil too for a
    /// delivery taken from a frame a stream reader read (`BusEventFrame.outcomes`), whose
    /// message stays in the frame's `sentTexts` (`keptSent` says where): the frame's
    /// `deliveries` read it.
    public var sent: DeliveredMessage? {
        get { if case .message(let message) = carried { message } else { nil } }
        set { carried = newValue.map(Carried.message) ?? .none }
    }

    /// How the delivery holds the message it wrote, if it carries one.
    enum Carried: Sendable {
        case none
        case message(DeliveredMessage)
        /// Kept as its text by the frame the delivery was read from.
        case kept(SentText)
    }

    var carried: Carried

    /// Where this delivery's message lies in its frame's `sentTexts`, when a stream reader kept it as text.
    public var keptSent: SentText? { if case .kept(let text) = carried { text } else { nil } }

    /// Whether the delivery carries the message it wrote, in either form.
    public var hasSent: Bool { if case .none = carried { false } else { true } }

    public init(eventId: String, bus: String, rule: String, targetId: String, targetArn: String, status: Status,
                errorCode: String? = nil, errorMessage: String? = nil, sent: DeliveredMessage? = nil) {
        self.init(eventId: eventId, bus: bus, rule: rule, targetId: targetId, targetArn: targetArn, status: status,
                  errorCode: errorCode, errorMessage: errorMessage, carried: sent.map(Carried.message) ?? .none)
    }

    init(eventId: String, bus: String, rule: String, targetId: String, targetArn: String, status: Status,
         errorCode: String?, errorMessage: String?, carried: Carried) {
        self.eventId = eventId
        self.bus = bus
        self.rule = rule
        self.targetId = targetId
        self.targetArn = targetArn
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.carried = carried
    }

    /// Equal member for member; a message kept by a frame compares as carried, unread (its
    /// frame compares them read: `BusEventFrame.==`).
    public static func == (a: DeliveryOutcome, b: DeliveryOutcome) -> Bool {
        a.eventId == b.eventId && a.bus == b.bus && a.rule == b.rule && a.targetId == b.targetId && a.targetArn == b.targetArn
            && a.status == b.status && a.errorCode == b.errorCode && a.errorMessage == b.errorMessage
            && a.hasSent == b.hasSent && a.sent == b.sent
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventId)
        hasher.combine(rule)
        hasher.combine(targetId)
        hasher.combine(status)
    }

    /// The delivery that sent `sent`, as the message's `sender` names it.
    public var sender: MessageSender { MessageSender(eventId: eventId, bus: bus, rule: rule, targetId: targetId) }

    /// Inside an `event` frame (the event names itself): `{"bus","rule","targetId","targetArn",
    /// "status","errorCode"?,"errorMessage"?,"sent"?}`.
    public var json: JSONValue {
        var object: JSONObject = [
            "bus": .string(bus), "rule": .string(rule), "targetId": .string(targetId),
            "targetArn": .string(targetArn), "status": .string(status.rawValue),
        ]
        if let errorCode { object["errorCode"] = .string(errorCode) }
        if let errorMessage { object["errorMessage"] = .string(errorMessage) }
        if let sent { object["sent"] = sent.json }
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
                  errorCode: try fields.optionalString("errorCode"), errorMessage: try fields.optionalString("errorMessage"),
                  sent: try fields.optional("sent").map { value throws(StackProtocolError) in
                      try DeliveredMessage(json: value, path: fields.fieldPath("sent"))
                  })
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
    /// The deliveries as held: in a frame a stream reader read, their `sent` members stay in
    /// `sentTexts` (each delivery's `keptSent` says where) until read.
    public private(set) var outcomes: [DeliveryOutcome]
    /// The text of the deliveries' `sent` members, when a stream reader kept them so.
    public private(set) var sentTexts: SentTexts?

    /// Each delivery with the message it carried: `outcomes`, with any message kept as text read.
    public var deliveries: [DeliveryOutcome] {
        get {
            guard let sentTexts else { return outcomes }
            return outcomes.map { outcome in
                guard case .kept(let text) = outcome.carried else { return outcome }
                var read = outcome
                read.carried = .message(sentTexts.message(text))
                return read
            }
        }
        set {
            outcomes = newValue
            sentTexts = nil
        }
    }

    public init(bus: String, event: EventEnvelope, matched: [MatchedRule], deliveries: [DeliveryOutcome]) {
        self.bus = bus
        self.event = event
        self.matched = matched
        self.outcomes = deliveries
        self.sentTexts = nil
    }

    /// A frame as a stream reader read it: `outcomes` whose kept messages lie in `sentTexts`.
    init(bus: String, event: EventEnvelope, matched: [MatchedRule], outcomes: [DeliveryOutcome], sentTexts: SentTexts?) {
        self.bus = bus
        self.event = event
        self.matched = matched
        self.outcomes = outcomes
        self.sentTexts = sentTexts
    }

    /// Whether a delivery carries the message it sent (the frame differs by `sentWithEvents`).
    public var carriesSent: Bool { outcomes.contains { $0.hasSent } }

    /// Equal when they read the same: deliveries compared with their messages read.
    public static func == (a: BusEventFrame, b: BusEventFrame) -> Bool {
        guard a.bus == b.bus, a.event == b.event, a.matched == b.matched else { return false }
        if a.sentTexts == nil && b.sentTexts == nil { return a.outcomes == b.outcomes }
        return a.deliveries == b.deliveries
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bus)
        hasher.combine(event)
        hasher.combine(matched)
        hasher.combine(outcomes)
    }

    /// `{"bus","event":{envelope},"matched":[{"bus","rule"}…],"deliveries":[outcome…]}`
    public var json: JSONValue {
        ["bus": .string(bus), "event": event.value, "matched": .array(matched.map(\.json)),
         "deliveries": .array(deliveries.map(\.json))]
    }

    /// `json`, written with the envelope's text spliced in and the rest written straight to
    /// bytes, member for member as `json`; without `withSent`, the deliveries' `sent` members
    /// are left out (what a viewer that did not ask for them has always received).
    func write(to output: inout [UInt8], withSent: Bool = true) {
        let deliveries = self.deliveries
        Self.write(bus: bus, eventText: event.text, matched: matched, deliveries: deliveries[...], to: &output,
                   sent: withSent ? { index, output in
                       guard let sent = deliveries[index].sent else { return false }
                       sent.write(to: &output)
                       return true
                   } : nil)
    }

    /// The whole `event` frame numbered `sequence`, written from the parts the bus holds when an
    /// event's put commits, without making a `BusEventFrame` (one event frame per event on the
    /// bus's hot path): byte for byte what `StreamFrameCodec.encode(.published(.event(frame),
    /// sequence:), withSent:)` writes for the frame of these parts whose delivered deliveries
    /// carry, as `sent`, the change in `carried` that names them as its sender (a change's
    /// `sender` names its delivery by bus, rule and target). `carried` is left out without
    /// `withSent`.
    public static func encodeFrame(sequence: Int, bus: String, eventText: String, matched: [MatchedRule],
                                   deliveries: ArraySlice<DeliveryOutcome>, carried: [QueueMessageChange],
                                   withSent: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512 + eventText.utf8.count)
        StreamFrameCodec.writePublishedHead(type: "event", topic: .events, sequence: sequence, to: &output)
        write(bus: bus, eventText: eventText, matched: matched, deliveries: deliveries, to: &output,
              sent: withSent && !carried.isEmpty ? { index, output in
                  guard let match = carriedIndex(for: deliveries[index], in: carried) else { return false }
                  return carried[match].writeDelivered(to: &output)
              } : nil)
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// Whether the frame of these parts differs for a viewer with `sentWithEvents` (some
    /// delivery carries a message): as `carriesSent` of the frame `encodeFrame` writes.
    public static func carriesSent(deliveries: ArraySlice<DeliveryOutcome>, carried: [QueueMessageChange]) -> Bool {
        !carried.isEmpty && deliveries.contains { carriedIndex(for: $0, in: carried) != nil }
    }

    /// The change in `carried` that `delivery` carries, by index: the first naming it as its
    /// sender, for a delivered delivery, when that change is a `sent` with its size (what
    /// `DeliveredMessage(_:)` takes).
    static func carriedIndex(for delivery: DeliveryOutcome, in carried: [QueueMessageChange]) -> Int? {
        guard delivery.status == .delivered, let index = carried.firstIndex(where: { $0.sends(for: delivery) }),
              carried[index].change == .sent, carried[index].bodySize != nil else { return nil }
        return index
    }

    /// The frame's data from its parts. `sent`, given a delivery's index in `deliveries`,
    /// writes the message it carries and says whether it wrote one (nil: none carried).
    private static func write(bus: String, eventText: String, matched: [MatchedRule], deliveries: ArraySlice<DeliveryOutcome>,
                              to output: inout [UInt8], sent: ((Int, inout [UInt8]) -> Bool)?) {
        StreamFrameCodec.append("{\"bus\":", to: &output)
        StreamFrameCodec.appendString(bus, to: &output)
        StreamFrameCodec.append(",\"event\":", to: &output)
        StreamFrameCodec.append(eventText, to: &output)
        StreamFrameCodec.append(",\"matched\":[", to: &output)
        for (index, rule) in matched.enumerated() {
            StreamFrameCodec.append(index == 0 ? "{\"bus\":" : ",{\"bus\":", to: &output)
            StreamFrameCodec.appendString(rule.bus, to: &output)
            StreamFrameCodec.append(",\"rule\":", to: &output)
            StreamFrameCodec.appendString(rule.rule, to: &output)
            output.append(UInt8(ascii: "}"))
        }
        StreamFrameCodec.append("],\"deliveries\":[", to: &output)
        for index in deliveries.indices {
            let delivery = deliveries[index]
            StreamFrameCodec.append(index == deliveries.startIndex ? "{\"bus\":" : ",{\"bus\":", to: &output)
            StreamFrameCodec.appendString(delivery.bus, to: &output)
            StreamFrameCodec.append(",\"rule\":", to: &output)
            StreamFrameCodec.appendString(delivery.rule, to: &output)
            StreamFrameCodec.append(",\"targetId\":", to: &output)
            StreamFrameCodec.appendString(delivery.targetId, to: &output)
            StreamFrameCodec.append(",\"targetArn\":", to: &output)
            StreamFrameCodec.appendString(delivery.targetArn, to: &output)
            StreamFrameCodec.append(",\"status\":", to: &output)
            StreamFrameCodec.appendString(delivery.status.rawValue, to: &output)
            if let code = delivery.errorCode {
                StreamFrameCodec.append(",\"errorCode\":", to: &output)
                StreamFrameCodec.appendString(code, to: &output)
            }
            if let message = delivery.errorMessage {
                StreamFrameCodec.append(",\"errorMessage\":", to: &output)
                StreamFrameCodec.appendString(message, to: &output)
            }
            if let sent {
                // The member's name first; taken back when the delivery carries nothing.
                let mark = output.count
                StreamFrameCodec.append(",\"sent\":", to: &output)
                if !sent(index, &output) { output.removeSubrange(mark...) }
            }
            output.append(UInt8(ascii: "}"))
        }
        StreamFrameCodec.append("]}", to: &output)
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
