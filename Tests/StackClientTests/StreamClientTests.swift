import Foundation
import JSON
import StackClient
import SignalboxTestSupport
import Testing

@Suite("Live stream client against a running stack")
struct StreamClientTests {
    @Test("a subscriber filtered by a pattern receives only the matching events")
    func filteredEvents() async throws {
        try await withRunningStack { endpoint in
            let frames = try StreamClient(endpoint: endpoint)
                .frames(topics: ["events"], pattern: ["source": ["shop.orders"]])
            var iterator = frames.makeAsyncIterator()
            let first = try await iterator.next()
            #expect(first?["type"] == "subscribed")
            let client = AWSClient(endpoint: endpoint)
            _ = try await client.call(.eventBridge, "PutEvents", ["Entries": [
                ["Source": "shop.billing", "DetailType": "Ignored", "Detail": "{}"],
                ["Source": "shop.orders", "DetailType": "Order Created", "Detail": "{\"orderId\":\"o-1\"}"],
            ]])
            let event = try await iterator.next()
            #expect(event?["type"] == "event")
            #expect(event?["data"]?["event"]?["detail-type"] == "Order Created")
            #expect(event?["data"]?["event"]?["detail"]?["orderId"] == "o-1")
        }
    }

    @Test("the extension client reaches /_signalbox/health and reports unknown paths as errors")
    func extensionCalls() async throws {
        try await withRunningStack { endpoint in
            let extensions = ExtensionClient(endpoint: endpoint)
            let health = try await extensions.request(.get, "/_signalbox/health")
            #expect(health["status"] != nil)
            await #expect(throws: StackClientError.self) {
                _ = try await extensions.request(.get, "/_signalbox/no-such-thing")
            }
        }
    }
}
