import Foundation
import Provider
import StackProtocol
import Timekeeping

extension FlowEvent {
    /// The `event` frame the stack's stream would have sent for this event, its deliveries
    /// with their outcomes: what a provider counts rates from. Test data.
    public var streamFrame: StreamFrame {
        let outcomes = deliveries.map { delivery in
            DeliveryOutcome(eventId: id, bus: eventBusName, rule: delivery.rule, targetId: delivery.targetId,
                            targetArn: delivery.targetArn, status: DeliveryOutcome.Status(rawValue: delivery.status.rawValue) ?? .delivered)
        }
        return .published(.event(BusEventFrame(bus: eventBusName, event: EventEnvelope(envelope), matched: [], deliveries: outcomes)),
                          sequence: sequence)
    }
}

extension TrafficRates {
    /// The rates a provider would have counted had `events`' frames arrived at the events' own
    /// times, read at `now`: an event counts in the window's last 10 s when it is less than
    /// 10 s old. Test data.
    public static func counting(_ events: some Sequence<FlowEvent>, now: Date) -> TrafficRates {
        // The clock's second turns just after `now`, so `now - 10 s` falls in the eleventh
        // second back (outside a 10 s window) and `now - 9.9 s` in the tenth (inside).
        let origin: Int64 = 1_000_999_000_000
        var rates = TrafficRates(at: MonotonicInstant(nanosecondsSinceOrigin: origin))
        for event in events.sorted(by: { $0.time < $1.time }) {
            let offset = Int64((event.time.timeIntervalSince(now) * 1e9).rounded())
            rates.record(event.streamFrame, at: MonotonicInstant(nanosecondsSinceOrigin: origin + offset), date: event.time)
        }
        return rates
    }
}
