import Chaos
@testable import Demo
import JSON
import StackClient
import SignalboxTestSupport
import Testing

@Suite(.serialized) struct DemoSetupTests {
    @Test func setupIsIdempotent() async throws {
        try await withRunningStack { endpoint in
            let client = AWSClient(endpoint: endpoint)
            let first = try await DemoSetup(client: client).run()
            let second = try await DemoSetup(client: client).run()
            #expect(first == second)
            // The bus starts the saga itself (rule → state machine target).
            #expect(first.sagaTrigger == .rule)
            #expect(Set(first.activityArns.keys) == Set(DemoNames.Activity.all))
            #expect(Set(first.serviceIds.keys) == Set(DemoNames.services))

            let rules = try await client.call(.eventBridge, "ListRules", ["EventBusName": "shop-bus"])
            let names = Set((rules["Rules"]?.arrayValue ?? []).compactMap { $0["Name"]?.stringValue })
            #expect(names == [DemoNames.sagaRule, DemoNames.notificationRule, DemoNames.analyticsRule])
            let targets = try await client.call(.eventBridge, "ListTargetsByRule",
                                                ["Rule": .string(DemoNames.analyticsRule), "EventBusName": "shop-bus"])
            #expect(targets["Targets"]?.arrayValue?.count == 1)

            let attributes = try await client.call(.sqs, "GetQueueAttributes", [
                "QueueUrl": .string(first.analyticsQueueURL), "AttributeNames": ["RedrivePolicy"],
            ])
            let policy = try JSONValue(parsing: try #require(attributes["Attributes"]?["RedrivePolicy"]?.stringValue))
            #expect(policy["deadLetterTargetArn"]?.stringValue?.hasSuffix(":analytics-dlq") == true)
            #expect(policy["maxReceiveCount"]?.doubleValue == 3 || policy["maxReceiveCount"]?.stringValue == "3")

            let machines = try await client.call(.stepFunctions, "ListStateMachines", [:])
            #expect(machines["stateMachines"]?.arrayValue?.filter { $0["name"] == "order-saga" }.count == 1)
            let namespaces = try await client.call(.cloudMap, "ListNamespaces", [:])
            #expect(namespaces["Namespaces"]?.arrayValue?.filter { $0["Name"] == "shop.local" }.count == 1)
            let services = try await client.call(.cloudMap, "ListServices", [:])
            #expect(services["Services"]?.arrayValue?.count == DemoNames.services.count)
        }
    }

    @Test func orderRatesAreValidated() throws {
        #expect(try OrderRate(parsing: "20/s") == OrderRate(count: 20, per: .second))
        #expect(try OrderRate(parsing: "5/m").interval == .seconds(12))
        #expect(try OrderRate(parsing: "30/h").perSecond == 30.0 / 3600)
        for bad in ["", "20", "20/", "/s", "0/s", "-1/s", "1.5/s", "20/d", "20/s/s", "501/s", "twenty/s"] {
            #expect(throws: DemoError.self, "\(bad)") { _ = try OrderRate(parsing: bad) }
        }
    }
}

@Suite struct DemoLogLineTests {
    @Test func errorsFromTheEndpointBecomeOneShortLine() {
        let html = "HTTP500: <!doctype html>\n<html lang=en>\r\n<title>500\u{1B}[2J Internal</title>\t" + String(repeating: "x", count: 400)
        let line = DemoSystem.oneLine(html)
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}") && !line.contains("\t"))
        #expect(line.hasPrefix("HTTP500: <!doctype html> <html lang=en> <title>500 [2J Internal</title>"))
        #expect(line.count == 161 && line.hasSuffix("…"))
    }

    @Test func countsLineShowsTotalsTheNewOrdersAndTheChaos() throws {
        let line = DemoSystem.countsLine(now: [.ordersPlaced: 12, .shipped: 7, .callErrors: 3],
                                         previous: [.ordersPlaced: 7, .callErrors: 1], breaker: "open",
                                         chaos: try ChaosSpec(parsing: "payment.error=0.5"), lastError: "boom")
        #expect(line.hasPrefix("demo: orders 12 (+5)"))
        #expect(line.contains("shipped 7"))
        #expect(line.contains("| breaker open | chaos payment.error=0.5 | 2 failed calls, last: boom"))
    }
}
