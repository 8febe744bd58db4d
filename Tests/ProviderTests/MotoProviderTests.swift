import Foundation
import JSON
@testable import Provider
import StackClient
import SignalboxTestSupport
import Testing

/// The provider against moto, an AWS-compatible endpoint without Signalbox's extensions: it
/// must poll, show what is there, and stay "connected" — no complaint about the missing stream
/// or breaker board.
@Suite("StackProvider against moto_server", .serialized, .enabled(if: motoServer != nil, "moto_server is not installed"))
struct MotoProviderTests {
    @Test("a queue and a rule made on moto show, the connection is connected, breakers empty")
    func pollsMoto() async throws {
        let port = try freeLoopbackPort()
        let moto = try launchMoto(port: port)
        defer { kill(moto.processIdentifier, SIGKILL) }
        let endpoint = try StackEndpoint(parsing: "http://127.0.0.1:\(port)")
        let provider = StackProvider(endpoint: EndpointDescription(name: "moto"), stack: endpoint,
                                     options: StackProviderOptions(refreshInterval: .milliseconds(300), actor: "tester"))
        try await watching(provider) { watcher in
            _ = try await watcher.wait("moto answering") { $0.connection.isLive }

            let aws = AWSClient(endpoint: endpoint)
            let url = try await aws.call(.sqs, "CreateQueue", ["QueueName": "moto-orders"])["QueueUrl"]?.stringValue ?? ""
            _ = try await aws.call(.sqs, "SendMessage", ["QueueUrl": .string(url), "MessageBody": "x"])
            _ = try await aws.call(.eventBridge, "PutRule", ["Name": "moto-rule", "EventPattern": #"{"source":["a"]}"#])
            _ = try await aws.call(.eventBridge, "PutTargets", ["Rule": "moto-rule", "Targets": [
                ["Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:moto-orders"]]])
            let snapshot = try await watcher.wait("moto's queue and rule") { s in
                s.queues.first { $0.name == "moto-orders" }?.visibleMessages == 1 && s.rules.contains { $0.name == "moto-rule" && !$0.targets.isEmpty }
            }
            #expect(snapshot.connection.label == "connected", "\(snapshot.connection)")
            #expect(snapshot.breakers.isEmpty)
            #expect(snapshot.recentEvents.isEmpty)
            #expect(await !provider.streamIsLive)
            // Breaker actions are refused with the reason, not sent to a board that is not there.
            do {
                _ = try await provider.perform(.forceBreaker(service: "a", dependency: "b", .open, reason: "x"))
                Issue.record("a breaker override against moto succeeded")
            } catch {
                #expect("\(error)".contains("breaker board"))
            }
        }
    }
}

/// `moto_server` on the PATH, if installed.
let motoServer: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin"
    return path.split(separator: ":").map { "\($0)/moto_server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()
