import Foundation
import JSON
@testable import Provider
import StackClient
import SignalboxTestSupport
import Testing

/// What the topology map needs from a snapshot, against a real stack: each state machine's
/// definition (for its task edges) and whether the live stream is up (measured or estimated
/// rates).
@Suite("Snapshot for the topology map", .serialized)
struct TopologySnapshotTests {
    static let role: JSONValue = "arn:aws:iam::000000000000:role/saga"
    static let definition = #"{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:payment-charge","End":true}}}"#

    @Test("a snapshot carries each machine's definition and says the live stream is up")
    func snapshotCarriesDefinitions() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            _ = try await aws.call(.stepFunctions, "CreateStateMachine", ["name": "order-saga", "roleArn": Self.role,
                                                                          "definition": .string(Self.definition)])
            let provider = StackProvider(endpoint: EndpointDescription(name: "test", url: endpoint.url?.absoluteString), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), actor: "tester",
                                                                       requestTimeout: .seconds(5)))
            try await watching(provider) { watcher in
                let snapshot = try await watcher.wait("the definition and the stream") { s in
                    s.stateMachines.first?.definition != nil && s.liveStream
                }
                #expect(snapshot.stateMachines.first?.definition == Self.definition)
            }
        }
    }

    /// No list call says a machine changed: the provider describes a held definition again once
    /// it is `definitionRefresh` old, so the map's task edges follow an UpdateStateMachine.
    @Test("a machine updated in place (UpdateStateMachine) gets its new definition")
    func updatedDefinitionIsReadAgain() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let arn = try await aws.call(.stepFunctions, "CreateStateMachine", ["name": "order-saga", "roleArn": Self.role,
                                                                                "definition": .string(Self.definition)])["stateMachineArn"]
            let provider = StackProvider(endpoint: EndpointDescription(name: "test", url: endpoint.url?.absoluteString), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), actor: "tester",
                                                                       requestTimeout: .seconds(5),
                                                                       definitionRefresh: 0.4))
            try await watching(provider) { watcher in
                _ = try await watcher.wait("the first definition") { $0.stateMachines.first?.definition == Self.definition }

                let updated = Self.definition.replacingOccurrences(of: "payment-charge", with: "payment-refund")
                _ = try await aws.call(.stepFunctions, "UpdateStateMachine", ["stateMachineArn": arn ?? .null, "definition": .string(updated)])
                let snapshot = try await watcher.wait("the updated definition") { $0.stateMachines.first?.definition == updated }
                #expect(snapshot.stateMachines.count == 1)
            }
        }
    }
}
