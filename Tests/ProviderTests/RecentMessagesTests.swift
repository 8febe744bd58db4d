import Foundation
import StackProtocol
import Testing
@testable import Provider

@Suite("Recent messages from the messages topic")
struct RecentMessagesTests {
    @Test("frames of one message join into one entry, in order, with the body and sender of its send")
    func lifecycle() {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let frames: [StreamMessage] = [
            .message(.sent(queue: "orders", messageId: "m-1", time: 1_000, body: #"{"orderId":"ord-1"}"#,
                           sender: MessageSender(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q"))),
            .message(QueueMessageChange(change: .received, queue: "orders", messageId: "m-1", time: 2_000, receiveCount: 1)),
            .message(QueueMessageChange(change: .received, queue: "orders", messageId: "m-1", time: 3_000, receiveCount: 2)),
            .message(QueueMessageChange(change: .deadLettered, queue: "orders", messageId: "m-1", time: 4_000, receiveCount: 2,
                                        deadLetterQueue: "orders-dlq")),
            // A message whose send the console did not see.
            .message(QueueMessageChange(change: .deleted, queue: "orders", messageId: "m-0", time: 5_000)),
        ]
        for message in frames { #expect(state.apply(frame: .published(message, sequence: 1)) == .changed) }
        let snapshot = state.snapshot(connection: .connected(since: Date()), endpoint: EndpointDescription(name: "t"), at: Date())
        let messages = snapshot.recentMessages
        #expect(messages.messages.map(\.id) == ["m-1", "m-0"])
        let first = messages.message("m-1")
        #expect(first?.body == #"{"orderId":"ord-1"}"# && first?.sender?.rule == "to-orders")
        #expect(first?.changes.map(\.kind) == [.sent, .received, .received, .deadLettered])
        #expect(first?.changes.last?.deadLetterQueue == "orders-dlq")
        #expect(first?.changes[1].at == Date(timeIntervalSince1970: 2))
        #expect(messages.message("m-0")?.body == nil)
        #expect(messages.changesSeen == 5 && messages.evicted == 0)
    }

    @Test("bounded by count and by body bytes: the oldest go first, and are counted")
    func bounded() {
        var byCount = RecentMessages(limit: 100, bodyBudget: 1 << 30)
        for index in 0..<1_000 {
            byCount.apply(id: "m-\(index)", change: QueueMessage.Change(kind: .sent, at: Date(), queue: "q"), body: "b")
        }
        #expect(byCount.messages.count <= 100)
        #expect(byCount.messages.count + byCount.evicted == 1_000)
        #expect(byCount.messages.last?.id == "m-999")
        #expect(byCount.message("m-999")?.body == "b" && byCount.message("m-0") == nil)
        // A change to a held message still finds it after the front moved.
        let held = byCount.messages[0].id
        byCount.apply(id: held, change: QueueMessage.Change(kind: .deleted, at: Date(), queue: "q"))
        #expect(byCount.message(held)?.changes.count == 2)

        var byBytes = RecentMessages(limit: 10_000, bodyBudget: 64 * 1024)
        let body = String(repeating: "x", count: 16 * 1024)
        for index in 0..<50 {
            byBytes.apply(id: "m-\(index)", change: QueueMessage.Change(kind: .sent, at: Date(), queue: "q"), body: body)
        }
        #expect(byBytes.messages.count <= 4)
        #expect(byBytes.messages.count + byBytes.evicted == 50)
    }

    @Test("a redrive files the message under its new id, so its later changes join it; a purge ends what is on the queue, not what left it")
    func movesAndPurges() {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let execution = MessageExecution(executionArn: "arn:aws:states:us-east-1:000000000000:execution:ship:ord-1", stateName: "Notify")
        let frames: [StreamMessage] = [
            .message(.sent(queue: "ship", messageId: "m-1", time: 1_000, body: #"{"orderId":"ord-1"}"#, execution: execution)),
            .message(QueueMessageChange(change: .deadLettered, queue: "ship", messageId: "m-1", time: 2_000, receiveCount: 1,
                                        deadLetterQueue: "ship-dlq")),
            .messageMoved(QueueMessageMove(queue: "ship-dlq", messageId: "m-1", time: 3_000, toQueue: "ship", toMessageId: "m-1b")),
            .message(QueueMessageChange(change: .received, queue: "ship", messageId: "m-1b", time: 4_000, receiveCount: 1)),
            .message(.sent(queue: "ship", messageId: "m-2", time: 4_500, body: "consumed")),
            .message(QueueMessageChange(change: .deleted, queue: "ship", messageId: "m-2", time: 4_600)),
            .message(.sent(queue: "ship-dlq", messageId: "m-3", time: 4_700, body: "elsewhere")),
            .queueEmptied(QueueEmptied(reason: .purged, queue: "ship", time: 5_000, count: 7)),
            // Sent after the purge (its frame may come late): not purged.
            .message(.sent(queue: "ship", messageId: "m-4", time: 5_001, body: "later")),
            .queueEmptied(QueueEmptied(reason: .deleted, queue: "ship-dlq", time: 6_000, count: 1)),
        ]
        for message in frames { #expect(state.apply(frame: .published(message, sequence: 1)) == .changed) }
        let snapshot = state.snapshot(connection: .connected(since: Date()), endpoint: EndpointDescription(name: "t"), at: Date())
        let recent = snapshot.recentMessages
        #expect(recent.messages.map(\.id) == ["m-1", "m-2", "m-3", "m-4"], "the redriven message is one entry, under its first id")
        let first = recent.message("m-1")
        #expect(recent.message("m-1b")?.id == "m-1")
        #expect(first?.execution == execution && first?.sender == nil)
        #expect(first?.changes.map(\.kind) == [.sent, .deadLettered, .moved, .received, .purged])
        #expect(first?.changes[2].toQueue == "ship" && first?.changes[2].toMessageId == "m-1b")
        #expect(first?.end?.at == Date(timeIntervalSince1970: 5) && first?.currentQueue == nil)
        #expect(recent.message("m-2")?.changes.map(\.kind) == [.sent, .deleted], "consumed before the purge: not purged")
        #expect(recent.message("m-3")?.changes.map(\.kind) == [.sent, .queueDeleted])
        #expect(recent.message("m-4")?.changes.map(\.kind) == [.sent] && recent.message("m-4")?.currentQueue == "ship")
        #expect(recent.emptied == [
            QueueEmptiedSeen(queue: "ship", kind: .purged, at: Date(timeIntervalSince1970: 5), count: 7, held: 1),
            QueueEmptiedSeen(queue: "ship-dlq", kind: .queueDeleted, at: Date(timeIntervalSince1970: 6), count: 1, held: 1),
        ])
        #expect(recent.changesSeen == frames.count)
    }

    @Test("an event whose deliveries carry the messages they wrote (sentWithEvents) keeps the same messages as its sent frames would, bodies included")
    func sentWithEvents() throws {
        let envelope = #"{"version":"0","id":"e-1","detail-type":"Order Created","source":"shop.orders","account":"000000000000","time":"2026-12-07T10:00:00Z","region":"us-east-1","resources":[],"detail":{"orderId":"ord-1"}}"#
        let toOrders = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q", targetArn: "arn:aws:sqs:us-east-1:000000000000:orders",
                                       status: .delivered, sent: DeliveredMessage(queue: "orders", messageId: "m-1", time: 1_000,
                                                                                  bodySize: envelope.utf8.count, bodyIsEvent: true))
        let toAudit = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "audit", targetId: "a", targetArn: "arn:aws:sqs:us-east-1:000000000000:audit",
                                      status: .delivered, sent: DeliveredMessage(queue: "audit", messageId: "m-2", time: 1_000,
                                                                                 body: #"{"order":"ord-1"}"#, bodySize: 17))
        let failed = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "gone", targetId: "g", targetArn: "arn:aws:sqs:us-east-1:000000000000:gone",
                                     status: .retrying, errorCode: "QueueDoesNotExist")
        let event = BusEventFrame(bus: "default", event: EventEnvelope(text: envelope, summary: EventEnvelope.Summary(
            id: "e-1", source: "shop.orders", detailType: "Order Created", time: "2026-12-07T10:00:00Z", resources: [])),
                                  matched: [], deliveries: [toOrders, toAudit, failed])

        // As a viewer with sentWithEvents reads it off the wire: one frame.
        var carried = LiveState(eventLimit: 10, timelineLimit: 10)
        let text = StreamFrameCodec.encode(.published(.event(event), sequence: 1))
        #expect(text.contains(#""sent":{"queue":"orders","messageId":"m-1""#))
        for frame in try StreamFrameCodec.decodeMessage(text) { #expect(carried.apply(frame: frame) == .changed) }

        // As any other viewer reads it: the event without them, and a sent frame per message.
        var framed = LiveState(eventLimit: 10, timelineLimit: 10)
        let plain = StreamFrameCodec.encode(.published(.event(event), sequence: 1), withSent: false)
        #expect(!plain.contains(#""sent""#))
        for frame in try StreamFrameCodec.decodeMessage(plain) { _ = framed.apply(frame: frame) }
        for delivery in [toOrders, toAudit] {
            let change = try #require(delivery.sent).change(sender: delivery.sender)
            _ = framed.apply(frame: .published(.message(change), sequence: 1))
        }

        let now = Date()
        let recent = carried.snapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "t"), at: now).recentMessages
        let expected = framed.snapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "t"), at: now).recentMessages
        #expect(recent.messages.map(\.id) == ["m-1", "m-2"])
        #expect(recent == expected)
        #expect(recent.message("m-1")?.body == envelope, "the body left out is the event's envelope, which the frame holds")
        #expect(recent.message("m-1")?.sender == MessageSender(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q"))
        #expect(recent.message("m-2")?.body == #"{"order":"ord-1"}"# && recent.message("m-2")?.queue == "audit")
        #expect(recent.message("m-1")?.changes == [QueueMessage.Change(kind: .sent, at: Date(timeIntervalSince1970: 1), queue: "orders")])
        #expect(recent.changesSeen == 2)
    }

    /// `frame` written as the stack writes it and read back as the console's reader reads a
    /// batch: its deliveries' messages kept as text.
    static func readFromText(_ frame: BusEventFrame) throws -> BusEventFrame {
        let text = StreamFrameCodec.encode(.published(.event(frame), sequence: 1))
        guard case .published(.event(let read), _) = try #require(try StreamFrameCodec.decodeMessage(bytes: Array(("[" + text + "]").utf8)).first)
        else { throw StackProtocolError("not an event frame") }
        #expect(read.sentTexts != nil && read.outcomes.allSatisfy { $0.keptSent != nil && $0.sent == nil })
        #expect(read == frame, "the frame reads as written")
        return read
    }

    @Test("an event in the tail's ring does not keep the text of the messages it carried once the recent messages let them go")
    func ringKeepsNoMessageText() throws {
        var state = LiveState(eventLimit: 100, timelineLimit: 10)
        state.messages = RecentMessages(limit: 10)
        weak var firstTexts: SentTexts?
        for index in 0..<20 {
            let event = try Self.readFromText(Self.carryingEvent("e-\(index)", messages: "m\(index)", count: 3, time: 1_000))
            if index == 0 { firstTexts = event.sentTexts }
            _ = state.apply(frame: .published(.event(event), sequence: index))
        }
        #expect(state.messages.message("m0-1") == nil, "let go by the recent messages")
        #expect(state.events.first?.id == "e-0" && state.events.first?.deliveries.count == 3, "the event is held, its deliveries read")
        #expect(firstTexts == nil, "and the text of its messages is gone")
        #expect(state.messages.message("m19-2")?.body == "body 2" && state.messages.message("m19-0")?.queue == "q-0")
    }

    /// An event frame as a `sentWithEvents` viewer reads it: `count` deliveries to queue `q-i`,
    /// each carrying message `prefix-i` (the first's body the event itself).
    private static func carryingEvent(_ id: String, messages prefix: String, count: Int, time: Int64) -> BusEventFrame {
        let envelope = #"{"version":"0","id":"\#(id)","detail-type":"Order Created","source":"shop.orders","account":"000000000000","time":"2026-12-07T10:00:00Z","region":"us-east-1","resources":[],"detail":{"orderId":"ord-\#(id)"}}"#
        let deliveries = (0..<count).map { index in
            DeliveryOutcome(eventId: id, bus: "default", rule: "r-\(index)", targetId: "t", targetArn: "arn:aws:sqs:us-east-1:000000000000:q-\(index)",
                            status: .delivered,
                            sent: index == 0 ? DeliveredMessage(queue: "q-0", messageId: "\(prefix)-0", time: time, bodySize: envelope.utf8.count, bodyIsEvent: true)
                                : DeliveredMessage(queue: "q-\(index)", messageId: "\(prefix)-\(index)", time: time, body: "body \(index)", bodySize: 6))
        }
        return BusEventFrame(bus: "default", event: EventEnvelope(text: envelope, summary: EventEnvelope.Summary(
            id: id, source: "shop.orders", detailType: "Order Created", time: "2026-12-07T10:00:00Z", resources: [])),
                             matched: [], deliveries: deliveries)
    }

    @Test("messages kept inside their events — built whole, or kept as text by the stream's reader — read, change, purge and go exactly as messages applied one by one",
          arguments: [false, true])
    func carriedMessagesAsApplied(readFromText: Bool) throws {
        var carried = LiveState(eventLimit: 100, timelineLimit: 10)
        var framed = LiveState(eventLimit: 100, timelineLimit: 10)
        func both(_ message: StreamMessage) {
            #expect(carried.apply(frame: .published(message, sequence: 1)) == framed.apply(frame: .published(message, sequence: 1)))
        }
        // A `received` that comes before its event's frame (frames committed close together may
        // publish in either order): the carried send joins that entry.
        both(.message(QueueMessageChange(change: .received, queue: "q-1", messageId: "early-1", time: 900, receiveCount: 1)))
        for index in 0..<30 {
            let made = Self.carryingEvent("e-\(index)", messages: index == 3 ? "early" : "m\(index)", count: 3, time: Int64(1_000 + index))
            let event = readFromText ? try Self.readFromText(made) : made
            #expect(carried.apply(frame: .published(.event(event), sequence: index)) == .changed)
            var plain = made
            plain.deliveries = made.deliveries.map { var delivery = $0; delivery.sent = nil; return delivery }
            _ = framed.apply(frame: .published(.event(plain), sequence: index))
            for delivery in made.deliveries {
                _ = framed.apply(frame: .published(.message(try #require(delivery.sent).change(sender: delivery.sender)), sequence: index))
            }
        }
        // Later changes of carried messages, a move, and a purge of one queue.
        both(.message(QueueMessageChange(change: .received, queue: "q-2", messageId: "m7-2", time: 2_000, receiveCount: 1)))
        both(.message(QueueMessageChange(change: .deleted, queue: "q-2", messageId: "m7-2", time: 2_001)))
        both(.message(QueueMessageChange(change: .deadLettered, queue: "q-0", messageId: "m9-0", time: 2_002, receiveCount: 4,
                                         deadLetterQueue: "dlq")))
        both(.messageMoved(QueueMessageMove(queue: "dlq", messageId: "m9-0", time: 2_003, toQueue: "q-0", toMessageId: "m9-0b")))
        both(.message(QueueMessageChange(change: .received, queue: "q-0", messageId: "m9-0b", time: 2_004, receiveCount: 1)))
        both(.queueEmptied(QueueEmptied(reason: .purged, queue: "q-1", time: 2_005, count: 30)))

        let now = Date()
        let recent = carried.snapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "t"), at: now).recentMessages
        let expected = framed.snapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "t"), at: now).recentMessages
        #expect(recent.messages.count == 90)
        #expect(Array(recent.messages) == Array(expected.messages))
        #expect(recent == expected && recent.changesSeen == expected.changesSeen)
        for id in ["early-1", "m7-2", "m9-0", "m9-0b", "m12-0", "m29-2", "m0-1"] {
            #expect(recent.message(id) == expected.message(id), "\(id)")
        }
        #expect(recent.message("early-1")?.changes.map(\.kind) == [.received, .sent, .purged])
        #expect(recent.message("m7-2")?.changes.map(\.kind) == [.sent, .received, .deleted])
        #expect(recent.message("m9-0b")?.id == "m9-0" && recent.message("m9-0")?.changes.count == 4)
        #expect(recent.message("m12-0")?.body == Self.carryingEvent("e-12", messages: "m12", count: 1, time: 0).event.text)
        #expect(recent.message("nowhere") == nil)
    }

    @Test("carried messages are let go by count and by their bodies' bytes (an event's envelope counted per message it is the body of), kept whole or as text",
          arguments: [false, true])
    func carriedMessagesBounded(readFromText: Bool) throws {
        func carrying(_ id: String, messages prefix: String, count: Int) throws -> BusEventFrame {
            let made = Self.carryingEvent(id, messages: prefix, count: count, time: 1_000)
            return readFromText ? try Self.readFromText(made) : made
        }
        var recent = RecentMessages(limit: 50, bodyBudget: 1 << 30)
        for index in 0..<100 {
            let event = try carrying("e-\(index)", messages: "m\(index)", count: 5)
            recent.applyCarried(by: event.outcomes, texts: event.sentTexts, eventText: event.event.text)
        }
        #expect(recent.messages.count <= 50 && recent.messages.count + recent.evicted == 500)
        #expect(recent.messages.last?.id == "m99-4" && recent.message("m99-0")?.queue == "q-0" && recent.message("m0-0") == nil)
        // A change of a held carried message joins it after the front moved.
        let held = recent.messages[0].id
        recent.apply(id: held, change: QueueMessage.Change(kind: .deleted, at: Date(), queue: "q"))
        #expect(recent.message(held)?.changes.map(\.kind) == [.sent, .deleted])

        let envelopeBytes = Self.carryingEvent("e-0", messages: "m", count: 1, time: 0).event.text.utf8.count
        var byBytes = RecentMessages(limit: 10_000, bodyBudget: envelopeBytes * 10)
        for index in 0..<100 {
            let event = try carrying("e-\(index)", messages: "m\(index)", count: 1)
            byBytes.applyCarried(by: event.outcomes, texts: event.sentTexts, eventText: event.event.text)
        }
        #expect(byBytes.messages.count <= 10 && byBytes.messages.count + byBytes.evicted == 100)
        // Bodies of their own: "body N" (6 bytes) each, counted as read.
        var small = RecentMessages(limit: 10_000, bodyBudget: 60)
        for index in 0..<20 {
            let event = try carrying("e-\(index)", messages: "m\(index)", count: 3)
            small.applyCarried(by: Array(event.outcomes.dropFirst()), texts: event.sentTexts, eventText: event.event.text)
        }
        #expect(small.messages.count == 10 && small.messages.last?.body == "body 2")
    }

    @Test("a moved message let go frees its new id too; an unknown change from a newer stack is skipped")
    func evictionAndUnknown() throws {
        var recent = RecentMessages(limit: 10, bodyBudget: 1 << 20)
        recent.apply(id: "old", change: QueueMessage.Change(kind: .moved, at: Date(), queue: "dlq", toQueue: "q", toMessageId: "new"))
        for index in 0..<20 { recent.apply(id: "m-\(index)", change: QueueMessage.Change(kind: .sent, at: Date(), queue: "q"), body: "b") }
        #expect(recent.message("old") == nil && recent.message("new") == nil)
        recent.apply(id: "new", change: QueueMessage.Change(kind: .received, at: Date(), queue: "q", receiveCount: 1))
        #expect(recent.message("new")?.changes.map(\.kind) == [.received], "a fresh entry, not a stale position")

        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        let newer = try StreamFrameCodec.decode(#"{"v":1,"type":"message","topic":"messages","seq":1,"data":{"change":"archived","queue":"q","messageId":"m","time":1}}"#)
        #expect(state.apply(frame: newer) == .ignored)
    }
}
