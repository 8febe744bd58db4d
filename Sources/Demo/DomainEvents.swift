import JSON
import StackClient

/// Publishes the services' domain events (`Payment Charged`, `Order Shipped`, …) to the bus,
/// with the order's correlation id in every detail so that one order can be followed across
/// events, queue messages and the saga.
struct DomainEvents: Sendable {
    let client: AWSClient
    let counters: DemoCounters

    func publish(source: String, detailType: String, order: JSONValue, _ fields: JSONObject = [:]) async {
        var detail: JSONObject = [
            "orderId": order["orderId"] ?? .null,
            "correlationId": order["correlationId"] ?? .null,
        ]
        for (key, value) in fields { detail[key] = value }
        do {
            let answer = try await client.call(.eventBridge, "PutEvents", ["Entries": [[
                "Source": .string(source), "DetailType": .string(detailType),
                "Detail": .string(JSONValue.object(detail).serialized), "EventBusName": .string(DemoNames.bus),
            ]]])
            if (answer["FailedEntryCount"]?.intValue ?? 0) > 0 {
                counters.callFailed("PutEvents \(detailType): \(answer["Entries"]?[0]?["ErrorMessage"]?.stringValue ?? "refused")")
            }
        } catch {
            counters.callFailed("PutEvents \(detailType): \(error)")
        }
    }
}
