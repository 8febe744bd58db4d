import Foundation
import JSON
@testable import Provider
import StackClient
import SignalboxTestSupport
import Testing

/// `[endpoints.NAME] board = URL`: the AWS APIs on one endpoint (moto here, standing in for
/// AWS), the breaker board on a `signalbox serve` elsewhere.
@Suite("A breaker board beside an endpoint that has none", .serialized,
       .enabled(if: motoServer != nil, "moto_server is not installed"))
struct BoardElsewhereTests {
    @Test("breakers come from the board, queues from the endpoint, and overrides reach the board")
    func boardElsewhere() async throws {
        try await withRunningStack { boardStack in
            let port = try freeLoopbackPort()
            let moto = try launchMoto(port: port)
            defer { kill(moto.processIdentifier, SIGKILL); moto.waitUntilExit() }

            let board = ExtensionClient(endpoint: boardStack)
            _ = try await board.request(.put, "/_signalbox/breakers/payment/payment-gateway",
                                        body: StackProviderTests.breakerSnapshot(state: "closed", rate: 10))
            var endpoint = try StackEndpoint(parsing: "http://127.0.0.1:\(port)")
            endpoint.boardURL = boardStack.url
            let provider = StackProvider(endpoint: EndpointDescription(name: "moto", board: boardStack.url?.absoluteString),
                                         stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(300), actor: "tester"))
            try await watching(provider) { watcher in
                _ = try await watcher.wait("moto answering") { $0.connection.isLive }
                _ = try await AWSClient(endpoint: endpoint).call(.sqs, "CreateQueue", ["QueueName": "on-moto"])
                let both = try await watcher.wait("moto's queue and the board's breaker") { s in
                    s.queues.contains { $0.name == "on-moto" } && s.breakers.count == 1
                }
                #expect(both.breakers.first?.id == "payment/payment-gateway")
                #expect(await !provider.streamIsLive, "the board's stream is not the endpoint's")
                let forced = try await provider.perform(.forceBreaker(service: "payment", dependency: "payment-gateway", .open,
                                                                      reason: "incident 7"))
                #expect(forced.contains("OPEN"))
                let listed = try await board.request(.get, "/_signalbox/breakers")
                #expect(listed["breakers"]?[0]?["override"]?["reason"] == "incident 7")
            }
        }
    }
}
