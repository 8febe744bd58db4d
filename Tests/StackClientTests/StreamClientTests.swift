import Foundation
import JSON
import StackClient
import SignalboxTestSupport
import StackProtocol
import Testing

@Suite("Live stream client against a running stack")
struct StreamClientTests {
    @Test("a subscriber filtered by a pattern receives only the matching events")
    func filteredEvents() async throws {
        try await withRunningStack { endpoint in
            let frames = try StreamClient(endpoint: endpoint)
                .frames(topics: [.events], pattern: ["source": ["shop.orders"]])
            var iterator = frames.makeAsyncIterator()
            let first = try await iterator.next()
            #expect(first == .subscribed(StreamSubscribed(topics: [.events], filtered: true, buffer: 1024)))
            let client = AWSClient(endpoint: endpoint)
            _ = try await client.call(.eventBridge, "PutEvents", ["Entries": [
                ["Source": "shop.billing", "DetailType": "Ignored", "Detail": "{}"],
                ["Source": "shop.orders", "DetailType": "Order Created", "Detail": "{\"orderId\":\"o-1\"}"],
            ]])
            guard case .published(.event(let event), _)? = try await iterator.next() else {
                Issue.record("expected an event frame")
                return
            }
            #expect(event.event.value["detail-type"] == "Order Created")
            #expect(event.event.value["detail"]?["orderId"] == "o-1")
        }
    }

    @Test("the extension client reaches /_signalbox/health and reports unknown paths as no extension")
    func extensionCalls() async throws {
        try await withRunningStack { endpoint in
            let extensions = ExtensionClient(endpoint: endpoint)
            let health = try await extensions.health()
            #expect(health.status == "ok")
            #expect(health.services.contains("AmazonSQS"))
            await #expect(throws: StackClientError.self) {
                _ = try await extensions.request(.get, "/_signalbox/no-such-thing")
            }
            do throws(StackClientError) {
                _ = try await extensions.request(.get, "/_signalbox/no-such-thing")
            } catch {
                guard case .noExtension(let absence) = error else { Issue.record("expected noExtension, got \(error)"); return }
                #expect(absence.path == "/_signalbox/no-such-thing")
            }
        }
    }

    @Test("against AWS itself the stream and the extensions say there is no extension")
    func awsHasNone() async throws {
        let aws = StackEndpoint(url: nil)
        #expect {
            _ = try StreamClient(endpoint: aws).frames(topics: StreamTopic.all)
        } throws: { error in
            if case .noExtension? = error as? StackClientError { true } else { false }
        }
        do throws(StackClientError) {
            _ = try await ExtensionClient(endpoint: aws).breakerBoard()
            Issue.record("AWS answered a breaker board")
        } catch {
            guard case .noExtension(let absence) = error else { Issue.record("expected noExtension, got \(error)"); return }
            #expect(absence.path == "/_signalbox/breakers")
        }
    }
}
