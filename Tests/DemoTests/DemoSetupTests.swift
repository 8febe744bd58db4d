import Demo
import JSON
import StackClient
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
