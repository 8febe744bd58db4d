import JSON

/// Reads `event` frames straight from a stream message's text, without a `JSONValue` per
/// envelope: what a viewer needs to keep up with a busy bus (issue #15: a console ingests
/// 20,000 events a second on well under a core).
///
/// The message is parsed once as a `JSONDocument` that keeps only the members an event frame's
/// reader looks at; every envelope stays as its own text (`EventEnvelope(text:summary:)`), parsed
/// only if someone opens it. Anything that does not look exactly like a well-formed version-1
/// `event` frame — another frame type, a missing or mistyped member — answers nil, and the
/// caller decodes that frame the general way, which gives the same frames and the same errors.
enum EventFrameReader {
    /// The kept members, and their nodes in the field tree.
    struct Fields: Sendable {
        var tree = JSONFieldTree()
        var version = 0, type = 0, topic = 0, sequence = 0, data = 0
        var bus = 0, event = 0, matched = 0, deliveries = 0
        var id = 0, source = 0, detailType = 0, time = 0, resources = 0
        var matchedBus = 0, matchedRule = 0
        var deliveryBus = 0, deliveryRule = 0, targetId = 0, targetArn = 0, status = 0, errorCode = 0, errorMessage = 0

        init() {
            let root = JSONFieldTree.root
            version = tree.child("v", of: root)
            type = tree.child("type", of: root)
            topic = tree.child("topic", of: root)
            sequence = tree.child("seq", of: root)
            data = tree.child("data", of: root)
            bus = tree.child("bus", of: data)
            event = tree.child("event", of: data)
            id = tree.child("id", of: event)
            source = tree.child("source", of: event)
            detailType = tree.child("detail-type", of: event)
            time = tree.child("time", of: event)
            resources = tree.child("resources", of: event)
            matched = tree.child("matched", of: data)
            matchedBus = tree.child("bus", of: matched)
            matchedRule = tree.child("rule", of: matched)
            deliveries = tree.child("deliveries", of: data)
            deliveryBus = tree.child("bus", of: deliveries)
            deliveryRule = tree.child("rule", of: deliveries)
            targetId = tree.child("targetId", of: deliveries)
            targetArn = tree.child("targetArn", of: deliveries)
            status = tree.child("status", of: deliveries)
            errorCode = tree.child("errorCode", of: deliveries)
            errorMessage = tree.child("errorMessage", of: deliveries)
        }
    }

    static let fields = Fields()

    /// The frame at `slot` (an element of a batch, or the root) if it is a well-formed `event`
    /// frame of this version; nil otherwise.
    static func frame(in document: JSONDocument, at slot: Int32) -> StreamFrame? {
        let f = fields
        guard document.slots[Int(slot)].kind == .object,
              number(document, slot, f.version) == Double(StreamFrameCodec.version),
              string(document, slot, f.type) == "event",
              string(document, slot, f.topic) == StreamTopic.events.rawValue,
              let sequence = number(document, slot, f.sequence), let seq = JSONValue.number(sequence).intValue,
              let data = member(document, slot, f.data, kind: .object),
              let bus = string(document, data, f.bus),
              let envelope = member(document, data, f.event, kind: .object),
              let envelopeText = document.text(of: envelope),
              let id = string(document, envelope, f.id),
              let matchedList = member(document, data, f.matched, kind: .array),
              let deliveryList = member(document, data, f.deliveries, kind: .array)
        else { return nil }

        var matched: [MatchedRule] = []
        var element = document.slots[Int(matchedList)].first
        while element != JSONDocument.none {
            guard document.slots[Int(element)].kind == .object,
                  let ruleBus = string(document, element, f.matchedBus),
                  let rule = string(document, element, f.matchedRule) else { return nil }
            matched.append(MatchedRule(bus: ruleBus, rule: rule))
            element = document.slots[Int(element)].next
        }
        var deliveries: [DeliveryOutcome] = []
        element = document.slots[Int(deliveryList)].first
        while element != JSONDocument.none {
            guard document.slots[Int(element)].kind == .object,
                  let deliveryBus = string(document, element, f.deliveryBus),
                  let rule = string(document, element, f.deliveryRule),
                  let targetId = string(document, element, f.targetId),
                  let targetArn = string(document, element, f.targetArn),
                  let status = string(document, element, f.status).flatMap(DeliveryOutcome.Status.init(rawValue:)),
                  let errorCode = optionalString(document, element, f.errorCode),
                  let errorMessage = optionalString(document, element, f.errorMessage) else { return nil }
            deliveries.append(DeliveryOutcome(eventId: id, bus: deliveryBus, rule: rule, targetId: targetId, targetArn: targetArn,
                                              status: status, errorCode: errorCode, errorMessage: errorMessage))
            element = document.slots[Int(element)].next
        }

        var resources: [String] = []
        if let list = member(document, envelope, f.resources, kind: .array) {
            var item = document.slots[Int(list)].first
            while item != JSONDocument.none {
                if let text = document.string(item) { resources.append(text) }
                item = document.slots[Int(item)].next
            }
        }
        let summary = EventEnvelope.Summary(id: id, source: string(document, envelope, f.source),
                                            detailType: string(document, envelope, f.detailType),
                                            time: string(document, envelope, f.time), resources: resources)
        let frame = BusEventFrame(bus: bus, event: EventEnvelope(text: String(decoding: envelopeText, as: UTF8.self), summary: summary),
                                  matched: matched, deliveries: deliveries)
        return .published(.event(frame), sequence: seq)
    }

    // MARK: members

    private static func member(_ document: JSONDocument, _ object: Int32, _ node: Int, kind: JSONDocument.Kind) -> Int32? {
        guard let slot = document.member(object, node: Int32(node)), document.slots[Int(slot)].kind == kind else { return nil }
        return slot
    }

    private static func string(_ document: JSONDocument, _ object: Int32, _ node: Int) -> String? {
        member(document, object, node, kind: .string).flatMap(document.string)
    }

    private static func number(_ document: JSONDocument, _ object: Int32, _ node: Int) -> Double? {
        member(document, object, node, kind: .number).map { document.slots[Int($0)].number }
    }

    /// A member that may be absent or null; nil (the frame is not read here) when it is
    /// something other than a string.
    private static func optionalString(_ document: JSONDocument, _ object: Int32, _ node: Int) -> Optional<String?> {
        guard let slot = document.member(object, node: Int32(node)) else { return .some(nil) }
        switch document.slots[Int(slot)].kind {
        case .null: return .some(nil)
        case .string: return .some(document.string(slot))
        default: return nil
        }
    }
}
