import Demo
import Foundation
import JSON
import Provider
import StackProtocol
import Timekeeping

/// The demo's bus traffic as the live stream reports it, for the Flows tail's tests and
/// goldens: orders created, paid and shipped in turn, on the demo's bus with its rules and
/// targets (`DemoNames`); one delivery in seven retrying, one in eleven dead-lettered, one in
/// thirteen failed on a queue that is gone. Test data only.
extension DemoSnapshot {
    /// Event `i` of the traffic: one every 250 ms, ending at `now`'s second when `count` are made.
    public static func tailEvent(_ i: Int, start: Date) -> FlowEvent {
        let kinds: [(source: String, type: String)] = [(DemoNames.orderSource, DemoNames.orderCreated),
                                                        ("shop.payments", "Payment Charged"), ("shop.shipping", "Order Shipped")]
        let kind = kinds[i % kinds.count]
        let order = "ord-\(1000 + i / kinds.count)"
        let time = start.addingTimeInterval(Double(i) * 0.25 + 0.007)
        let detail: JSONValue = ["orderId": .string(order), "amount": .number(Double(20 + i % 7 * 5)), "currency": "EUR",
                                 "items": [["sku": .string("sku-\(i % 4)"), "qty": .number(Double(1 + i % 3))]]]
        let routes: [(rule: String, id: String, target: String)] = kind.type == DemoNames.orderCreated
            ? [(DemoNames.sagaRule, "saga", saga), (DemoNames.notificationRule, "q", notification), (DemoNames.analyticsRule, "q", analytics)]
            : [(DemoNames.analyticsRule, "q", analytics)]
        let deliveries = routes.enumerated().map { index, route -> Delivery in
            let status: Delivery.Status = index > 0 ? .delivered
                : i % 13 == 12 ? .failed : i % 11 == 10 ? .deadLettered : i % 7 == 6 ? .retrying : .delivered
            let error: String? = switch status {
            case .failed: "QueueDoesNotExist: The specified queue does not exist."
            case .deadLettered: "ThrottlingException: Rate exceeded (3 attempts)"
            case .retrying: "ServiceUnavailable: try again"
            case .delivered: nil
            }
            return Delivery(rule: route.rule, targetId: route.id, targetArn: route.target, status: status, error: error)
        }
        let envelope: JSONValue = ["version": "0", "id": .string("ev-\(String(format: "%05d", i))"), "detail-type": .string(kind.type),
                                   "source": .string(kind.source), "account": .string(account),
                                   "time": .string(time.formatted(.iso8601)), "region": "us-east-1", "resources": [], "detail": detail]
        return FlowEvent(id: "ev-\(String(format: "%05d", i))", time: time, eventBusName: DemoNames.bus, source: kind.source,
                         detailType: kind.type, detail: detail, matchedRules: routes.map(\.rule), deliveries: deliveries,
                         envelope: envelope)
    }

    /// The demo with `count` events of traffic in its tail ring (of `capacity`), the newest at
    /// `now`, and no rates counted (`tailWithRates` counts them).
    public static func tail(count: Int, capacity: Int = EventRing.defaultCapacity, now: Date = now) -> SystemSnapshot {
        var snapshot = demo(now: now)
        let start = now.addingTimeInterval(-Double(count) * 0.25)
        snapshot.recentEvents = EventRing((0..<count).map { tailEvent($0, start: start) }, capacity: capacity)
        snapshot.rates = TrafficRates()
        return snapshot
    }

    /// An event as hostile as the bus accepts: a 256 KB detail, control characters, an OSC 52
    /// clipboard write and bidi overrides in every field, a very long source.
    public static func hostileEvent(at time: Date) -> FlowEvent {
        let evil = "\u{1B}]52;c;cHduZWQ=\u{07}\u{202E}gnp.exe\u{202C}\r\n\u{0}"
        let long = String(repeating: "shop.", count: 400) + evil
        let blob = String(repeating: "x", count: 256 * 1024 - 200)
        let detail: JSONValue = ["orderId": .string("ord-\u{202E}evil\u{1B}[2J"), "note": .string(evil), "blob": .string(blob)]
        let envelope: JSONValue = ["version": "0", "id": .string("ev-\u{1B}[31mred"), "detail-type": .string("Bad\u{1B}[2J" + evil),
                                   "source": .string(long), "account": .string(account), "time": .string(time.formatted(.iso8601)),
                                   "region": "us-east-1", "resources": [.string(evil)], "detail": detail]
        return FlowEvent(id: "ev-\u{1B}[31mred", time: time, eventBusName: "bus\u{202E}evil", source: long, detailType: "Bad\u{1B}[2J" + evil,
                         detail: detail, resources: [evil], matchedRules: ["rule\u{7}" + evil],
                         deliveries: [Delivery(rule: "rule\u{7}", targetId: "q", targetArn: "arn:aws:sqs:us-east-1:0:q\u{1B}[2J" + evil,
                                               status: .failed, error: "Boom\u{1B}]52;c;AAAA\u{07}" + evil)],
                         envelope: envelope)
    }
}

extension DemoSnapshot {
    /// The tail of `count` events with the rates the provider would have counted from their
    /// frames, one event every 250 ms up to `now`; a few frames dropped along the way.
    public static func tailWithRates(count: Int, now: Date = now) -> SystemSnapshot {
        var snapshot = tail(count: count, now: now)
        snapshot.liveStream = true
        let clock = ManualClock()
        let start = now.addingTimeInterval(-Double(count) * 0.25)
        var rates = TrafficRates(at: clock.now)
        var last = start
        for event in snapshot.recentEvents {
            clock.advance(by: .milliseconds(Int64((event.time.timeIntervalSince(last) * 1000).rounded())))
            last = event.time
            rates.record(event.streamFrame, at: clock.now, date: event.time)
        }
        snapshot.rates = rates
        return snapshot
    }
}
