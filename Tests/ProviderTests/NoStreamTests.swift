import Foundation
import JSON
@testable import Provider
import SignalboxTestSupport
import StackClient
import StackProtocol
import Testing

/// `signalbox serve --no-stream`: the stack without its live stream, seen as AWS is seen.
@Suite("A stack without its live stream")
struct NoStreamTests {
    @Test("the stream's path is refused as absent (not a failure), health and the AWS APIs still answer")
    func streamPathIsAbsent() async throws {
        try await withRunningStack(configure: { $0.liveStream = false }) { endpoint in
            _ = try await ExtensionClient(endpoint: endpoint).health()
            let batches = try StreamClient(endpoint: endpoint).frameBatches(topics: [.events])
            do {
                for try await _ in batches { Issue.record("a frame came from a stack without a stream") }
                Issue.record("the stream ended without saying it is absent")
            } catch StackClientError.noExtension(let absence) {
                #expect(absence.path == ExtensionPaths.stream)
            }
            _ = try await AWSClient(endpoint: endpoint).call(.sqs, "CreateQueue", ["QueueName": "still-served"])
        }
    }

    @Test("the provider polls, says why there is no stream, and does not ask for it again")
    func providerFallsBackToPolling() async throws {
        try await withRunningStack(configure: { $0.liveStream = false }) { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            _ = try await aws.call(.sqs, "CreateQueue", ["QueueName": "polled"])
            let provider = StackProvider(endpoint: EndpointDescription(name: "no-stream"), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), actor: "tester"))
            try await watching(provider) { watcher in
                let snapshot = try await watcher.wait("the queue, polled, and the stream said absent") { s in
                    s.queues.contains { $0.name == "polled" } && s.liveStreamAbsent != nil
                }
                #expect(!snapshot.liveStream)
                #expect(snapshot.liveStreamAbsent?.contains("no live stream") == true, "\(snapshot.liveStreamAbsent ?? "")")
                #expect(snapshot.connection.label == "connected", "\(snapshot.connection)")
                // Polls go on and the stream stays off: a queue made later shows up, still without it.
                _ = try await aws.call(.sqs, "CreateQueue", ["QueueName": "polled-later"])
                let later = try await watcher.wait("the later queue") { $0.queues.contains { $0.name == "polled-later" } }
                #expect(!later.liveStream && later.liveStreamAbsent != nil)
                #expect(await !provider.streamIsLive)
            }
        }
    }
}
