import Foundation
import JSON
import StackClient
import SignalboxTestSupport
import StackProtocol
import Testing
import Wire

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

    @Test("against a stack run with --auth the stream is signed with the endpoint's credentials and shows that key's account")
    func signedUnderAuth() async throws {
        try await withRunningStack(configure: { configuration in
            configuration.credentials = ["AKIDA": "secret-a", "AKIDB": "secret-b"]
            configuration.accounts = ["AKIDB": "111122223333"]
        }) { open in
            var a = open, b = open
            a.credentials = AWSCredentials(accessKeyId: "AKIDA", secretAccessKey: "secret-a")
            b.credentials = AWSCredentials(accessKeyId: "AKIDB", secretAccessKey: "secret-b")
            var framesA = try StreamClient(endpoint: a).frames(topics: [.events]).makeAsyncIterator()
            var framesB = try StreamClient(endpoint: b).frames(topics: [.events]).makeAsyncIterator()
            let subscribed = StreamFrame.subscribed(StreamSubscribed(topics: [.events], filtered: false, buffer: 1024))
            #expect(try await framesA.next() == subscribed)
            #expect(try await framesB.next() == subscribed)
            for (endpoint, source) in [(a, "from.a"), (b, "from.b")] {
                _ = try await AWSClient(endpoint: endpoint).call(.eventBridge, "PutEvents", ["Entries": [
                    ["Source": .string(source), "DetailType": "t", "Detail": "{}"],
                ]])
            }
            // Each key's stream is its own account's: A sees A's event first, B sees B's.
            let firstA = try await framesA.next(), firstB = try await framesB.next()
            for (frame, source, account) in [(firstA, "from.a", "000000000000"), (firstB, "from.b", "111122223333")] {
                guard case .published(.event(let event), _)? = frame else {
                    Issue.record("expected an event frame for \(source), got \(String(describing: frame))")
                    continue
                }
                #expect(event.event.value["source"]?.stringValue == source)
                #expect(event.event.value["account"]?.stringValue == account)
            }
            // A key the stack does not know is refused at the upgrade.
            var stranger = open
            stranger.credentials = AWSCredentials(accessKeyId: "AKIDX", secretAccessKey: "nope")
            var refused = try StreamClient(endpoint: stranger).frames(topics: [.events]).makeAsyncIterator()
            await #expect(throws: (any Error).self) { _ = try await refused.next() }
        }
    }
}
