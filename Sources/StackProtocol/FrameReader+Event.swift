import JSON

extension FrameReader {
    /// The event of an `event` frame whose `data` object is at `data` (its header checked), if
    /// it is well formed. The envelope is kept as its text with the few members a list shows
    /// (`EventEnvelope(text:summary:)`), parsed only if someone opens it. The names every
    /// event repeats (bus, rules, targets, source, detail-type, and its `time`: a busy bus puts
    /// thousands in the same second) are shared through `strings`. Each delivery's `sent`
    /// member is checked and kept as its text (`SentTexts`, `keptSent`), not read.
    static func event(in document: JSONDocument, data: Int32, strings: inout FrameStrings) -> BusEventFrame? {
        let f = fields
        guard let bus = string(document, data, f.bus, &strings),
              let envelope = member(document, data, f.event, kind: .object),
              let envelopeText = document.text(of: envelope),
              let id = string(document, envelope, f.id),
              let matchedList = member(document, data, f.matched, kind: .array),
              let deliveryList = member(document, data, f.deliveries, kind: .array)
        else { return nil }

        // Sized to what they hold: the tail's ring keeps each event's deliveries, and an
        // array grown one element at a time holds up to twice its count.
        var matched: [MatchedRule] = []
        matched.reserveCapacity(elements(of: matchedList, in: document))
        var element = document.slots[Int(matchedList)].first
        while element != JSONDocument.none {
            guard document.slots[Int(element)].kind == .object,
                  let ruleBus = string(document, element, f.matchedBus, &strings),
                  let rule = string(document, element, f.matchedRule, &strings) else { return nil }
            matched.append(MatchedRule(bus: ruleBus, rule: rule))
            element = document.slots[Int(element)].next
        }
        var deliveries: [DeliveryOutcome] = []
        deliveries.reserveCapacity(elements(of: deliveryList, in: document))
        var sentBytes: [UInt8] = []
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
            var carried = DeliveryOutcome.Carried.none
            if let slot = document.member(element, node: Int32(f.sent)) {
                if sentBytes.isEmpty { sentBytes.reserveCapacity(sentTextBytes(deliveryList, in: document)) }
                guard let text = keptSent(in: document, at: slot, into: &sentBytes) else { return nil }
                carried = .kept(text)
            }
            deliveries.append(DeliveryOutcome(eventId: id, bus: deliveryBus, rule: rule, targetId: targetId, targetArn: targetArn,
                                              status: status, errorCode: errorCode, errorMessage: errorMessage, carried: carried))
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
                                            time: string(document, envelope, f.time, &strings), resources: resources)
        return BusEventFrame(bus: bus, event: EventEnvelope(text: String(decoding: envelopeText, as: UTF8.self), summary: summary),
                             matched: matched, outcomes: deliveries, sentTexts: sentBytes.isEmpty ? nil : SentTexts(bytes: sentBytes))
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

    /// The elements of the array at `list`.
    private static func elements(of list: Int32, in document: JSONDocument) -> Int {
        var count = 0
        var element = document.slots[Int(list)].first
        while element != JSONDocument.none {
            count += 1
            element = document.slots[Int(element)].next
        }
        return count
    }

    /// The bytes the `sent` members of the deliveries at `list` take as text (ids with escapes
    /// take a few more).
    private static func sentTextBytes(_ list: Int32, in document: JSONDocument) -> Int {
        var total = 0
        var element = document.slots[Int(list)].first
        while element != JSONDocument.none {
            if document.slots[Int(element)].kind == .object, let sent = document.member(element, node: Int32(fields.sent)) {
                total += Int(document.slots[Int(sent)].count)
            }
            element = document.slots[Int(element)].next
        }
        return total
    }
}
