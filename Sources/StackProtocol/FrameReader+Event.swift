import JSON

extension FrameReader {
    /// The event of an `event` frame whose `data` object is at `data` (its header checked), if
    /// it is well formed. The envelope is kept as its text with the few members a list shows
    /// (`EventEnvelope(text:summary:)`), parsed only if someone opens it. The names every
    /// event repeats (bus, rules, targets, queues, source, detail-type) are shared through `strings`.
    static func event(in document: JSONDocument, data: Int32, strings: inout FrameStrings) -> BusEventFrame? {
        let f = fields
        guard let bus = string(document, data, f.bus, &strings),
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
                  let ruleBus = string(document, element, f.matchedBus, &strings),
                  let rule = string(document, element, f.matchedRule, &strings) else { return nil }
            matched.append(MatchedRule(bus: ruleBus, rule: rule))
            element = document.slots[Int(element)].next
        }
        var deliveries: [DeliveryOutcome] = []
        element = document.slots[Int(deliveryList)].first
        while element != JSONDocument.none {
            guard document.slots[Int(element)].kind == .object,
                  let deliveryBus = string(document, element, f.deliveryBus, &strings),
                  let rule = string(document, element, f.deliveryRule, &strings),
                  let targetId = string(document, element, f.targetId, &strings),
                  let targetArn = string(document, element, f.targetArn, &strings),
                  let status = deliveryStatus(document, element, f.status),
                  let errorCode = optionalString(document, element, f.errorCode),
                  let errorMessage = optionalString(document, element, f.errorMessage) else { return nil }
            var sent: DeliveredMessage?
            if let slot = document.member(element, node: Int32(f.sent)) {
                guard let message = deliveredMessage(in: document, at: slot, strings: &strings) else { return nil }
                sent = message
            }
            deliveries.append(DeliveryOutcome(eventId: id, bus: deliveryBus, rule: rule, targetId: targetId, targetArn: targetArn,
                                              status: status, errorCode: errorCode, errorMessage: errorMessage, sent: sent))
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
        let summary = EventEnvelope.Summary(id: id, source: string(document, envelope, f.source, &strings),
                                            detailType: string(document, envelope, f.detailType, &strings),
                                            time: string(document, envelope, f.time), resources: resources)
        return BusEventFrame(bus: bus, event: EventEnvelope(text: String(decoding: envelopeText, as: UTF8.self), summary: summary),
                             matched: matched, deliveries: deliveries)
    }

    /// The four `status` values' bytes, matched in place: a `String` per delivery only to
    /// compare it with four others was measurable at several deliveries per event.
    private static let statuses = DeliveryOutcome.Status.allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// A delivery's `status` member, if it is one of the four.
    private static func deliveryStatus(_ document: JSONDocument, _ object: Int32, _ node: Int) -> DeliveryOutcome.Status? {
        guard let slot = member(document, object, node, kind: .string) else { return nil }
        return document.withBytes(of: document.slots[Int(slot)]) { bytes in
            statuses.first { $0.1.elementsEqual(bytes) }?.0
        }
    }

    /// A delivery's `sent` member at `slot`, if well formed: what `DeliveredMessage(json:path:)` reads.
    private static func deliveredMessage(in document: JSONDocument, at slot: Int32, strings: inout FrameStrings) -> DeliveredMessage? {
        let f = fields
        guard document.slots[Int(slot)].kind == .object,
              let queue = string(document, slot, f.sentQueue, &strings),
              let messageId = string(document, slot, f.sentMessageId),
              let time = integer(document, slot, f.sentTime),
              let body = optionalString(document, slot, f.sentBody),
              let bodySize = integer(document, slot, f.sentBodySize),
              let truncated = optionalBool(document, slot, f.sentTruncated),
              let bodyIsEvent = optionalBool(document, slot, f.sentBodyIsEvent) else { return nil }
        return DeliveredMessage(queue: queue, messageId: messageId, time: Int64(time), body: body, bodySize: bodySize,
                                truncated: truncated, bodyIsEvent: bodyIsEvent)
    }
}
