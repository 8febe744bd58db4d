import Foundation
import Provider
import Terminal
import Testing
@testable import Console

/// What the console says about an AWS account: who and where in the status bar, the prod
/// suggestion, and the Circuits pane's plain statement that AWS has no breaker board.
@Suite struct AWSStatusTests {
    func screen(_ endpoint: EndpointDescription, readOnly: Bool = false) -> String {
        let snapshot = SystemSnapshot(connection: .connected(since: Fixtures.now), endpoint: endpoint, takenAt: Fixtures.now)
        return Fixtures.state(snapshot, readOnly: readOnly).frame(200, 40).textLines().joined(separator: "\n")
    }

    @Test("the status bar names the profile, account and region")
    func statusBar() {
        let text = screen(EndpointDescription(name: "aws", region: "eu-west-1", profile: "dev", account: "123456789012"))
        #expect(text.contains("aws │ profile dev · account 123456789012 · eu-west-1 │ ● connected"))
        #expect(!text.contains("--readonly suggested"))
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
