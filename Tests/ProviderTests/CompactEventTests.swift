import Foundation
import JSON
@testable import Provider
import StackProtocol
import Testing

/// An event read from the stream keeps its frame's deliveries as the frame carried them
/// (`Deliveries.frame`) and builds the `Delivery` list only when read: it must read exactly as
/// an event built whole does, compare equal to it, and take a later outcome the same way.
@Suite struct CompactEventTests {
    static let envelope: JSONValue = ["version": "0", "id": "e-1", "detail-type": "Order Placed", "source": "shop.orders",
                                      "time": "2026-12-06T09:00:00Z", "resources": ["arn:aws:s3:::b"], "detail": ["n": 1]]

    static let outcomes = [
        DeliveryOutcome(eventId: "e-1", bus: "default", rule: "to-orders", targetId: "q", targetArn: "arn:aws:sqs:us-east-1:0:orders",
                        status: .delivered,
                        sent: DeliveredMessage(queue: "orders", messageId: "m-1", time: 1_000, bodySize: 10, bodyIsEvent: true)),
        DeliveryOutcome(eventId: "e-1", bus: "default", rule: "to-audit", targetId: "a", targetArn: "arn:aws:sqs:us-east-1:0:audit",
                        status: .retrying, errorCode: "Throttled", errorMessage: "slow down"),
        DeliveryOutcome(eventId: "e-1", bus: "default", rule: "to-gone", targetId: "g", targetArn: "arn:aws:sqs:us-east-1:0:gone",
                        status: .deadLettered, errorMessage: "no such queue"),
    ]

    static var frame: BusEventFrame {
        BusEventFrame(bus: "default", event: EventEnvelope(envelope), matched: [MatchedRule(bus: "default", rule: "to-orders")],
                      deliveries: outcomes)
    }

    /// The same event made whole, as the console's own fixtures and the demo make theirs.
    static var whole: FlowEvent {
        FlowEvent(id: "e-1", time: Date(timeIntervalSince1970: 1_796_547_600), eventBusName: "default", source: "shop.orders",
                  detailType: "Order Placed", resources: ["arn:aws:s3:::b"], matchedRules: ["to-orders"],
                  deliveries: [
                    Delivery(rule: "to-orders", targetId: "q", targetArn: "arn:aws:sqs:us-east-1:0:orders", status: .delivered),
                    Delivery(rule: "to-audit", targetId: "a", targetArn: "arn:aws:sqs:us-east-1:0:audit", status: .retrying,
                             error: "Throttled: slow down"),
                    Delivery(rule: "to-gone", targetId: "g", targetArn: "arn:aws:sqs:us-east-1:0:gone", status: .deadLettered,
                             error: "no such queue"),
                  ],
                  received: EventEnvelope(envelope))
    }

    @Test("an event read from its frame reads as the same event built whole: deliveries, errors, failures, equality")
    func readsAsBuiltWhole() {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        #expect(state.apply(frame: .published(.event(Self.frame), sequence: 1)) == .changed)
        guard let read = state.events.last else { Issue.record("no event"); return }
        guard case .frame = read.outcomes else { Issue.record("the frame's deliveries were built on arrival"); return }
        var whole = Self.whole
        whole.sequence = read.sequence
        #expect(read.deliveries == whole.deliveries)
        #expect(read.hasFailedDelivery && whole.hasFailedDelivery)
        #expect(read == whole && whole == read)
        #expect(Set([read, whole]).count == 1)
        // Not equal when a delivery reads differently.
        whole.deliveries[1].status = .failed
        #expect(read != whole)
    }

    @Test("a later outcome replaces its delivery on an event read from its frame, the others kept as read")
    func laterOutcome() {
        var state = LiveState(eventLimit: 10, timelineLimit: 10)
        _ = state.apply(frame: .published(.event(Self.frame), sequence: 1))
        let later = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "to-audit", targetId: "a",
                                    targetArn: "arn:aws:sqs:us-east-1:0:audit", status: .delivered)
        #expect(state.apply(frame: .published(.delivery(later), sequence: 2)) == .changed)
        var expected = Self.whole.deliveries
        expected[1] = Delivery(rule: "to-audit", targetId: "a", targetArn: "arn:aws:sqs:us-east-1:0:audit", status: .delivered)
        #expect(state.events.last?.deliveries == expected)
        // The message the first delivery carried still reads from the frame.
        #expect(state.messages.message("m-1")?.queue == "orders")
        #expect(state.messages.message("m-1")?.body == Self.frame.event.text)
    }
}
