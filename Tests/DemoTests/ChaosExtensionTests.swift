import Chaos
import CircuitBreaker
import Demo
import JSON
import StackClient
import SignalboxTestSupport
import Testing

/// `/_signalbox/chaos` on a real stack, and the demo's side of the extensions.
@Suite(.serialized) struct ChaosExtensionTests {
    @Test func putGetDeleteAndRefusals() async throws {
        try await withRunningStack { endpoint in
            let client = ExtensionClient(endpoint: endpoint)
            let empty = try await client.request(.get, "/_signalbox/chaos")
            #expect(empty == ["spec": "", "faults": []])

            let put = try await client.request(.put, "/_signalbox/chaos", body: ["spec": "payment.error=0.5, inventory.down"])
            #expect(put["spec"] == "payment.error=0.5,inventory.down")
            #expect(put["faults"]?.arrayValue?.count == 2)

            // Every bad body is a 400 ValidationException naming the fault, and changes nothing.
            let bad: [(JSONValue, String)] = [
                (["spec": "paymnet.error=0.5"], "paymnet.error=0.5"),
                (["spec": "payment.error=2"], "payment.error=2"),
                (["spec": 3], "spec"),
                (["nothing": "here"], "spec"),
                ([1, 2], "JSON object"),
            ]
            for (body, mention) in bad {
                do {
                    _ = try await client.request(.put, "/_signalbox/chaos", body: body)
                    Issue.record("\(body) was accepted")
                } catch let error as StackClientError {
                    guard case .service(let aws) = error else { Issue.record("\(error)"); continue }
                    #expect(aws.status == 400)
                    #expect(aws.code == "ValidationException")
                    #expect(aws.message.contains(mention), "\(aws.message)")
                }
            }
            #expect(try await client.request(.get, "/_signalbox/chaos")["spec"] == "payment.error=0.5,inventory.down")

            let deleted = try await client.request(.delete, "/_signalbox/chaos")
            #expect(deleted == ["spec": "", "faults": []])
        }
    }

    @Test func chaosControlFollowsTheEndpoint() async throws {
        try await withRunningStack { endpoint in
            let client = ExtensionClient(endpoint: endpoint)
            let control = ChaosControl(try ChaosSpec(parsing: "shipping.error=0.1"))
            #expect(await control.publish(to: client) == .stored)
            #expect(try await client.request(.get, "/_signalbox/chaos")["spec"] == "shipping.error=0.1")
            let following = Task { await control.follow(client, interval: .milliseconds(100)) }
            _ = try await client.request(.put, "/_signalbox/chaos", body: ["spec": "payment.down"])
            let followed = try? await eventually("the control to follow the endpoint") {
                control.current.isDown("payment") ? true : nil
            }
            // Ended before the stack stops: a poll still in flight when the server shuts down
            // once held this test for 600 s (seen twice under load, not reproduced alone).
            following.cancel()
            await following.value
            #expect(followed == true)
            #expect(control.current.errorProbability("shipping") == 0)
        }
    }

    @Test func withoutAnExtensionTheStartingSpecStays() async throws {
        // AWS itself: no URL, so no extensions.
        let aws = StackEndpoint(url: nil)
        let control = ChaosControl(try ChaosSpec(parsing: "payment.error=0.2"))
        #expect(await control.publish(to: ExtensionClient(endpoint: aws)) == .noExtension)
        await control.follow(ExtensionClient(endpoint: aws))  // returns at once
        #expect(control.current.errorProbability("payment") == 0.2)
    }

    @Test func breakerReportingStopsQuietlyWithoutABoard() async throws {
        let breaker = try CircuitBreaker(id: BreakerID(service: "payment", dependency: "payment-gateway"))
        let aws = BreakerReporter(client: ExtensionClient(endpoint: StackEndpoint(url: nil)), breaker: breaker)
        #expect(await aws.run() == .noBoard)
        #expect(aws.path == "/_signalbox/breakers/payment/payment-gateway")
    }
}

/// The reporter against the stack's real breaker board.
@Suite(.serialized) struct BreakerReporterTests {
    @Test func anOverrideOnTheBoardReachesTheBreakerAndIsReportedBack() async throws {
        try await withRunningStack { endpoint in
            let client = ExtensionClient(endpoint: endpoint)
            let breaker = try CircuitBreaker(id: BreakerID(service: "payment", dependency: "payment-gateway"))
            let reporter = BreakerReporter(client: client, breaker: breaker)
            #expect(await reporter.reportOnce() == .reported(applied: nil))
            let entry = try await client.request(.get, reporter.path)
            #expect(entry["breaker"]?["state"] == "closed")

            _ = try await client.request(.post, reporter.path + "/override", body: [
                "mode": "force-closed", "reason": "gateway fixed", "actor": "alice",
            ])
            guard case .reported(let applied?) = await reporter.reportOnce() else {
                Issue.record("the override was not applied")
                return
            }
            #expect(applied.mode == .forceClosed && applied.actor == "alice")
            #expect(breaker.state == .forcedClosed)
            // Applying is idempotent: the board repeats the override, nothing changes.
            #expect(await reporter.reportOnce() == .reported(applied: nil))
            #expect(try await client.request(.get, reporter.path)["breaker"]?["state"] == "forced-closed")
            let audit = try await client.request(.get, "/_signalbox/breakers/audit")
            #expect(audit["entries"]?.arrayValue?.contains { $0["actor"] == "alice" && $0["mode"] == "force-closed" } == true)

            _ = try await client.request(.post, reporter.path + "/override", body: [
                "mode": "automatic", "reason": "incident over", "actor": "alice",
            ])
            _ = await reporter.reportOnce()
            #expect(breaker.state == .closed)
        }
    }
}
