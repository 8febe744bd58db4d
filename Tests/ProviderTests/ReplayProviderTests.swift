import Foundation
import JSON
@testable import Provider
import StackClient
import SignalboxTestSupport
import Testing

/// Archives and replays through the provider, against a real stack: listed with the buses,
/// a replay started as an operator's action, its progress read back, the replayed events in
/// the tail; and an endpoint that refuses ListArchives still shows its buses.
@Suite("archives and replays through the provider", .serialized)
struct ReplayProviderTests {
    @Test("an archive is listed with its bus; StartReplay from the provider completes, and the replayed events reach the tail")
    func replayFromTheProvider() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let bus = try #require(try await aws.call(.eventBridge, "DescribeEventBus", [:])["Arn"]?.stringValue)
            _ = try await aws.call(.eventBridge, "CreateArchive", ["ArchiveName": "everything", "EventSourceArn": .string(bus),
                                                                   "RetentionDays": 3])
            let start = Date()
            for index in 0..<5 {
                _ = try await aws.call(.eventBridge, "PutEvents", ["Entries": [[
                    "Source": "shop.orders", "DetailType": "Order Created", "Detail": .string(#"{"orderId":"ord-\#(index)"}"#),
                ]]])
            }
            let provider = StackProvider(endpoint: EndpointDescription(name: "test", url: endpoint.url?.absoluteString), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), actor: "tester",
                                                                       requestTimeout: .seconds(5)))
            provider.watch([.flows])
            try await watching(provider) { watcher in
                let listed = try await watcher.wait("the archive with its events") { s in
                    s.archives.first?.eventCount == 5 && s.liveStream
                }
                let archive = try #require(listed.archives.first)
                #expect(archive.name == "everything")
                #expect(archive.busArn == bus)
                #expect(archive.retentionDays == 3)
                #expect(archive.state == "ENABLED")
                #expect(listed.archives(ofBus: bus).map(\.name) == ["everything"])
                #expect(listed.archivesUnavailable == nil)

                let request = ReplayRequest(name: "again", archiveArn: archive.arn, busArn: bus,
                                            from: start.addingTimeInterval(-60), to: Date().addingTimeInterval(1))
                let said = try await provider.perform(.startReplay(request))
                #expect(said.contains("replay again"), "\(said)")

                let done = try await watcher.wait("the replay completed, its events in the tail") { s in
                    s.replays.first?.state == "COMPLETED"
                        && s.recentEvents.filter { $0.envelope["replay-name"]?.stringValue == "again" }.count == 5
                }
                let replay = try #require(done.replays.first)
                #expect(replay.archiveArn == archive.arn)
                #expect(replay.progress == 1)
                #expect(done.replays(intoBus: bus).map(\.name) == ["again"])

                // StartReplay's own refusals reach the operator in the service's words.
                await #expect {
                    _ = try await provider.perform(.startReplay(ReplayRequest(name: "again", archiveArn: archive.arn, busArn: bus,
                                                                              from: request.from, to: request.to)))
                } throws: { error in
                    "\(error)".contains("StartReplay") && "\(error)".contains("already exists")
                }
            }
        }
    }

    @Test("an endpoint that refuses ListArchives: the buses and rules stand, and the snapshot says why archives are missing")
    func archivesRefused() async throws {
        try await withRunningStack { endpoint in
            _ = try await AWSClient(endpoint: endpoint).call(.eventBridge, "PutRule", ["Name": "r", "EventPattern": #"{"source":["a"]}"#])
            let proxy = AWSProxy(target: endpoint.url!.absoluteString) { api in
                api == "AWSEvents.ListArchives"
                    ? .answer(status: 400, body: #"{"__type":"AccessDeniedException","message":"not authorized to perform: events:ListArchives"}"#)
                    : .forward
            }
            try await proxy.serve { url in
                let provider = try StackProvider(url: url, name: "denied", options: StackProviderOptions(refreshInterval: .milliseconds(200),
                                                                                                         useLiveStream: false))
                provider.watch([.topology])
                try await watching(provider) { watcher in
                    let snapshot = try await watcher.wait("the rule, and why the archives are missing") { s in
                        s.rules.contains { $0.name == "r" } && s.archivesUnavailable != nil
                    }
                    #expect(snapshot.archivesUnavailable?.contains("AccessDeniedException") == true)
                    #expect(snapshot.connection.label == "connected", "a refused optional listing does not degrade the connection")
                    #expect(proxy.calls["AWSEvents.ListReplays"] == nil, "no replays are asked for without an archive")
                    // A refusal is not asked again every poll: the rules are listed three more times,
                    // the archives not at all (until `ProviderCore.archivesRetry`), and the reason stays.
                    let rulesListed = proxy.calls["AWSEvents.ListRules"] ?? 0
                    _ = try await eventually("three more EventBridge polls") {
                        (proxy.calls["AWSEvents.ListRules"] ?? 0) >= rulesListed + 3 ? true : nil
                    }
                    #expect(proxy.calls["AWSEvents.ListArchives"] == 1)
                    #expect(await watcher.latest?.archivesUnavailable?.contains("AccessDeniedException") == true)
                }
            }
        }
    }
}
