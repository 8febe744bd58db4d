import Foundation
import Provider
import Terminal
import Testing
@testable import Console

/// What the console says about an AWS account: who and where in the status bar, the prod
/// suggestion, and the Circuits pane's plain statement that AWS has no breaker board.
@Suite struct AWSStatusTests {
    func screen(_ endpoint: EndpointDescription, readOnly: Bool = false, polling: PollingStatus? = nil) -> String {
        var snapshot = SystemSnapshot(connection: .connected(since: Fixtures.now), endpoint: endpoint, takenAt: Fixtures.now)
        snapshot.polling = polling
        return Fixtures.state(snapshot, readOnly: readOnly).frame(200, 40).textLines().joined(separator: "\n")
    }

    @Test("the status bar names the profile, account and region")
    func statusBar() {
        let text = screen(EndpointDescription(name: "aws", region: "eu-west-1", profile: "dev", account: "123456789012"))
        #expect(text.contains("aws │ profile dev · account 123456789012 · eu-west-1 │ ● connected"))
        #expect(!text.contains("--readonly suggested"))
    }

    @Test("the status bar names a stack's region, which selects what the console shows")
    func stackRegion() {
        let text = screen(EndpointDescription(name: "local", url: "http://127.0.0.1:4599", region: "eu-west-1"))
        #expect(text.contains("local http://127.0.0.1:4599 · eu-west-1 │ ● connected"))
        let unnamed = screen(EndpointDescription(name: "local", url: "http://127.0.0.1:4599"))
        #expect(unnamed.contains("local http://127.0.0.1:4599 │ ● connected"))
    }

    @Test("the status bar says what watching costs, that AWS throttles, and which listings were cut short at the page bound")
    func pollingCost() {
        let endpoint = EndpointDescription(name: "aws", region: "us-east-1", profile: "dev")
        let quiet = screen(endpoint, polling: PollingStatus(callsPerMinute: 212))
        #expect(quiet.contains("212 calls/min"))
        #expect(!quiet.contains("throttled") && !quiet.contains("cut short"))
        let busy = screen(endpoint, polling: PollingStatus(
            callsPerMinute: 260, throttled: ["SQS GetQueueAttributes"],
            cutLists: [.init(api: "EventBridge ListRules", shown: 2_000), .init(api: "SQS ListQueues", shown: 20_000)]))
        #expect(busy.contains("260 calls/min · throttled, backing off"))
        #expect(busy.contains("lists cut short: EventBridge ListRules (first 2000), SQS ListQueues (first 20000)"))
    }

    @Test("a prod profile suggests --readonly unless it is on")
    func prodSuggestion() {
        let prod = EndpointDescription(name: "prod", region: "us-east-1", profile: "acme-prod")
        #expect(screen(prod).contains("prod profile: --readonly suggested"))
        let readOnly = screen(prod, readOnly: true)
        #expect(readOnly.contains("READ-ONLY"))
        #expect(!readOnly.contains("suggested"))
    }

    @Test("Circuits says AWS has no breaker board, unless a board is configured")
    func circuits() {
        #expect(screen(EndpointDescription(name: "aws", profile: "dev")).contains("AWS has no breaker board."))
        let withBoard = screen(EndpointDescription(name: "aws", profile: "dev", board: "http://10.0.0.1:4599"))
        #expect(!withBoard.contains("AWS has no breaker board"))
        #expect(withBoard.contains("No circuit breakers reported."))
        #expect(screen(EndpointDescription(name: "moto", url: "http://127.0.0.1:5000")).contains("No circuit breakers reported."))
    }
}
