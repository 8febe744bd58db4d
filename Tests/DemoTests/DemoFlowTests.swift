import Chaos
import Demo
import JSON
import StackClient
import SignalboxTestSupport
import Testing

/// The demo running against a real stack: orders flow through the saga, and injected faults
/// have the effects an operator is meant to see.
@Suite(.serialized) struct DemoFlowTests {
    /// Runs a demo on `endpoint` for the length of `body`; the demo is stopped and awaited
    /// before this returns, so the stack's shutdown never waits on its pollers.
    func withDemo<T: Sendable>(_ endpoint: StackEndpoint, chaos: String?, rate: String = "4/s",
                               _ body: @Sendable (DemoSystem, AWSClient) async throws -> T) async throws -> T {
        let system = DemoSystem(endpoint: endpoint, options: DemoOptions(
            rate: try OrderRate(parsing: rate), chaos: try chaos.map { try ChaosSpec(parsing: $0) },
            pollersPerActivity: 2))
        let running = Task { try await system.run() }
        let result: Result<T, any Error>
        do { result = .success(try await body(system, AWSClient(endpoint: endpoint))) } catch { result = .failure(error) }
        running.cancel()
        _ = await running.result
        return try result.get()
    }

    func executions(_ client: AWSClient, status: String) async throws -> [JSONValue] {
        let machines = try await client.call(.stepFunctions, "ListStateMachines", [:])
        guard let arn = machines["stateMachines"]?.arrayValue?.first(where: { $0["name"] == "order-saga" })?["stateMachineArn"]
        else { return [] }
        let page = try await client.call(.stepFunctions, "ListExecutions", ["stateMachineArn": arn, "statusFilter": .string(status)])
        return page["executions"]?.arrayValue ?? []
    }

    func history(_ client: AWSClient, _ executionArn: JSONValue) async throws -> [JSONValue] {
        try await client.call(.stepFunctions, "GetExecutionHistory", ["executionArn": executionArn, "maxResults": 1000])["events"]?
            .arrayValue ?? []
    }

    @Test func anOrderFlowsThroughTheSagaToSucceeded() async throws {
        try await withRunningStack { endpoint in
            try await withDemo(endpoint, chaos: nil) { system, client in
                let done = try await eventually("a SUCCEEDED order saga") {
                    try await executions(client, status: "SUCCEEDED").first
                }
                let described = try await client.call(.stepFunctions, "DescribeExecution", ["executionArn": done["executionArn"]!])
                let input = try JSONValue(parsing: try #require(described["input"]?.stringValue))
                let output = try JSONValue(parsing: try #require(described["output"]?.stringValue))
                // The correlation id travels from the event through every step.
                let correlation = try #require(input["correlationId"]?.stringValue)
                #expect(output["correlationId"]?.stringValue == correlation)
                #expect(output["orderId"] == input["orderId"])
                #expect(output["reservationId"]?.stringValue != nil)
                #expect(output["paymentId"]?.stringValue != nil)
                #expect(output["trackingNumber"]?.stringValue != nil)
                // Notification and analytics consume the queues the rules feed.
                _ = try await eventually("notifications and analytics") {
                    system.counters[.notified] > 0 && system.counters[.analyzed] > 0 ? true : nil
                }
                #expect(system.counters[.ordersPlaced] > 0)
            }
        }
    }

    @Test func failingPaymentsCompensateInventory() async throws {
        try await withRunningStack { endpoint in
            try await withDemo(endpoint, chaos: "payment.error=1") { system, client in
                let failed = try await eventually("a FAILED order saga") {
                    try await executions(client, status: "FAILED").first
                }
                let events = try await history(client, failed["executionArn"]!)
                let entered = events.compactMap { $0["stateEnteredEventDetails"]?["name"]?.stringValue }
                #expect(entered.contains("ChargePayment"))
                #expect(entered.contains("CompensateInventory"))
                #expect(!entered.contains("ShipOrder"))
                // The compensation still knows the order: the correlation id survives the failure.
                let described = try await client.call(.stepFunctions, "DescribeExecution", ["executionArn": failed["executionArn"]!])
                let input = try JSONValue(parsing: try #require(described["input"]?.stringValue))
                let released = try #require(events.first { $0["stateExitedEventDetails"]?["name"] == "CompensateInventory" })
                let output = try JSONValue(parsing: try #require(released["stateExitedEventDetails"]?["output"]?.stringValue))
                #expect(output["correlationId"] == input["correlationId"])
                #expect(output["inventoryReleased"] == true)
                #expect(system.counters[.shipped] == 0)
                // Every charge fails, so the payment breaker opens and short-circuits.
                _ = try await eventually("the payment breaker to open") {
                    system.counters[.shortCircuited] > 0 ? true : nil
                }
            }
        }
    }

    @Test func poisonMessagesEndInTheDeadLetterQueue() async throws {
        try await withRunningStack { endpoint in
            try await withDemo(endpoint, chaos: "analytics.poison=1") { system, client in
                let dlq = try await eventually("analytics-dlq to fill") { () -> Int? in
                    let url = try await client.call(.sqs, "GetQueueUrl", ["QueueName": "analytics-dlq"])["QueueUrl"]!
                    let attributes = try await client.call(.sqs, "GetQueueAttributes", [
                        "QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"],
                    ])
                    let count = Int(attributes["Attributes"]?["ApproximateNumberOfMessages"]?.stringValue ?? "0") ?? 0
                    return count > 0 ? count : nil
                }
                #expect(dlq > 0)
                #expect(system.counters[.analyzed] == 0)
            }
        }
    }

    @Test func aDownServiceGoesUnhealthyAndRecovers() async throws {
        try await withRunningStack { endpoint in
            try await withDemo(endpoint, chaos: "inventory.down", rate: "1/s") { system, client in
                let resources = try await DemoSetup(client: client).run()
                let serviceId = JSONValue.string(resources.serviceIds["inventory"]!)
                @Sendable func status() async throws -> String? {
                    let answer = try await client.call(.cloudMap, "GetInstancesHealthStatus", ["ServiceId": serviceId])
                    return answer["Status"]?["inventory-1"]?.stringValue
                }
                _ = try await eventually("inventory-1 to turn UNHEALTHY") { try await status() == "UNHEALTHY" ? true : nil }
                #expect(system.counters[.reserved] == 0)
                // Removing the fault through the stack's chaos extension: the demo follows it.
                _ = try await ExtensionClient(endpoint: endpoint).request(.delete, "/_signalbox/chaos")
                _ = try await eventually("inventory-1 to be HEALTHY again") { try await status() == "HEALTHY" ? true : nil }
                _ = try await eventually("reservations to resume") { system.counters[.reserved] > 0 ? true : nil }
            }
        }
    }

    /// Each service calls its dependency through its own breaker; a dependency's fault opens
    /// that breaker on the board and leaves the others closed.
    @Test func eachDependencyFaultOpensItsOwnBreakerOnTheBoard() async throws {
        try await withRunningStack { endpoint in
            try await withDemo(endpoint, chaos: "carrier-api.error=1,mail-provider.down") { system, client in
                let board = ExtensionClient(endpoint: endpoint)
                @Sendable func states() async throws -> [String: String] {
                    let answer = try await board.request(.get, "/_signalbox/breakers")
                    var states: [String: String] = [:]
                    for entry in answer["breakers"]?.arrayValue ?? [] {
                        guard let service = entry["breaker"]?["service"]?.stringValue,
                              let dependency = entry["breaker"]?["dependency"]?.stringValue,
                              let state = entry["breaker"]?["state"]?.stringValue else { continue }
                        states[service + "/" + dependency] = state
                    }
                    return states
                }
                let open = try await eventually("shipping's and notification's breakers to open") { () -> [String: String]? in
                    let now = try await states()
                    return now["shipping/carrier-api"] == "open" && now["notification/mail-provider"] == "open" ? now : nil
                }
                #expect(Set(open.keys) == ["inventory/warehouse-db", "payment/payment-gateway", "shipping/carrier-api",
                                           "notification/mail-provider"])
                #expect(open["payment/payment-gateway"] == "closed")
                #expect(open["inventory/warehouse-db"] == "closed")
                #expect(system.counters[.shipped] == 0)
                #expect(system.counters[.notified] == 0)
            }
        }
    }

    /// The instances say what each service publishes and consumes, for the topology map.
    @Test func instancesCarryWhatTheyPublishAndConsume() async throws {
        try await withRunningStack { endpoint in
            try await withDemo(endpoint, chaos: nil, rate: "1/s") { _, client in
                let resources = try await DemoSetup(client: client).run()
                @Sendable func attributes(_ service: String) async throws -> JSONValue? {
                    let answer = try await client.call(.cloudMap, "ListInstances",
                                                       ["ServiceId": .string(resources.serviceIds[service]!)])
                    return answer["Instances"]?.arrayValue?.first?["Attributes"]
                }
                let payment = try await eventually("payment-1 registered") { try await attributes("payment") }
                #expect(payment["signalbox:publishes"] == "shop-bus")
                #expect(payment["signalbox:consumes"] == "payment-charge,payment-refund")
                let notification = try await eventually("notification-1 registered") { try await attributes("notification") }
                #expect(notification["signalbox:consumes"] == "notification")
                #expect(notification["signalbox:publishes"] == nil)
            }
        }
    }
}
