import Foundation
import JSON
import Provider

/// Executions of the seed's order saga recorded from a real `signalbox serve --demo` run
/// (`Sagas/order-saga-*.json`: the ListExecutions entry and the whole GetExecutionHistory),
/// and one still running in ChargePayment, cut from the happy path's history.
enum SagaFixtures {
    static let machineArn = "arn:aws:states:us-east-1:000000000000:stateMachine:order-saga"

    static func recorded(_ name: String) -> (execution: JSONValue, events: [JSONValue]) {
        let url = Bundle.module.url(forResource: "order-saga-" + name, withExtension: "json", subdirectory: "Sagas")!
        let value = try! JSONValue(parsing: String(contentsOf: url, encoding: .utf8))
        return (value["execution"]!, value["events"]!.arrayValue!)
    }

    static func execution(_ name: String, keepEvents: Int? = nil) -> Execution {
        let (listed, events) = recorded(name)
        let kept = keepEvents.map { Array(events.prefix($0)) } ?? events
        let timeline = TimelineEntry.entries(fromHistory: kept)
        let running = keepEvents != nil
        return Execution(name: (running ? "stuck-" : "") + listed["name"]!.stringValue!,
                         arn: listed["executionArn"]!.stringValue! + (running ? "-stuck" : ""), stateMachineName: "order-saga",
                         status: running ? .running : Execution.Status(rawValue: listed["status"]!.stringValue!)!,
                         startDate: Date(timeIntervalSince1970: listed["startDate"]!.doubleValue!),
                         stopDate: running ? nil : listed["stopDate"]?.doubleValue.map(Date.init(timeIntervalSince1970:)),
                         currentState: timeline.last(where: { $0.type.hasSuffix("StateEntered") })?.stateName, timeline: timeline)
    }

    /// The happy path, a payment failure, a shipping failure, and a saga stuck in ChargePayment
    /// (its history ends at the payment call's LambdaFunctionStarted).
    static func snapshot() -> SystemSnapshot {
        let executions = [execution("happy", keepEvents: 9), execution("happy"), execution("payment-failure"),
                          execution("shipping-failure")]
        return SystemSnapshot(connection: .connected(since: now.addingTimeInterval(-600)),
                              endpoint: EndpointDescription(name: "local", url: "http://127.0.0.1:4599"), takenAt: now,
                              stateMachines: [StateMachine(name: "order-saga", arn: machineArn, definition: Fixtures.orderSagaDefinition)],
                              executions: executions)
    }

    /// Six minutes after the stuck saga's last event.
    static var now: Date {
        let events = recorded("happy").events
        return Date(timeIntervalSince1970: events[8]["timestamp"]!.doubleValue!).addingTimeInterval(360)
    }
}
