import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `signalbox tail --tap` and `signalbox tap --cleanup` as processes, against the two
/// endpoints without the live stream this machine has: `signalbox serve --no-stream` and
/// moto_server (standing in for AWS). Events put on a bus appear; a clean exit (SIGINT,
/// SIGTERM, the reader going away) leaves no `signalbox-tap-*` rule or queue; after `kill -9`
/// the expired tap is found and removed by `signalbox tap --cleanup`.
@Suite(.serialized) struct TapProcessTests {
    /// `signalbox tail --tap …` with stdout and stderr read as they come.
    static func tail(_ binary: String, _ endpoint: ServedEndpoint, environment: [String: String] = [:]) throws -> TailProcessTests.Tailing {
        try TailProcessTests.Tailing(binary: binary, arguments: ["--endpoint", endpoint.url, "--tap", "--format", "json"],
                                     environment: ServedEndpoint.environment(environment))
    }

    static func putEvents(_ endpoint: ServedEndpoint, bus: String = "default") throws {
        try endpoint.boto3("""
        events.put_events(Entries=[{"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps({"orderId": "ord-7"}), "EventBusName": "\(bus)"}])
        """)
    }

    /// Events appear, SIGINT (130) or SIGTERM (143) removes the tap; then `kill -9` leaves one
    /// that `signalbox tap --cleanup` removes once its short lifetime has passed.
    static func tapEndToEnd(binary: String, endpoint: ServedEndpoint, signal: Int32) async throws {
        try endpoint.boto3(#"events.create_event_bus(Name="orders")"#)
        let tail = try Self.tail(binary, endpoint)
        defer { if tail.process.isRunning { kill(tail.process.processIdentifier, SIGKILL) } }
        try await tail.waitFor("the tap") { tail.stderr.contains("through tap") }
        #expect(tail.stderr.contains("on default, orders"), "\(tail.stderr)")
        #expect(try endpoint.tapResources().count == 3, "one queue, a rule on each of two buses")
        try Self.putEvents(endpoint)
        try Self.putEvents(endpoint, bus: "orders")
        try await tail.waitFor("two events") { tail.lines.count >= 2 }
        let frames = try tail.lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(frames.allSatisfy { $0["type"] as? String == "event" })
        #expect(tail.lines.allSatisfy { $0.contains(#""orderId":"ord-7""#) && $0.contains(#""matched":[]"#) })

        kill(tail.process.processIdentifier, signal)
        #expect(try await tail.waitUntilDone() == 128 + signal)
        #expect(tail.stderr.contains("removed: target of rule signalbox-tap-") && tail.stderr.contains(", queue signalbox-tap-tester-"),
                "\(tail.stderr)")
        #expect(try endpoint.tapResources().isEmpty, "no signalbox-tap-* rule or queue remains")

        // A tail killed with -9 cannot clean up: its tap stays until it expires.
        let crashed = try Self.tail(binary, endpoint, environment: ["SIGNALBOX_TAP_LIFETIME": "1"])
        try await crashed.waitFor("the second tap") { crashed.stderr.contains("through tap") }
        kill(crashed.process.processIdentifier, SIGKILL)
        crashed.process.waitUntilExit()
        #expect(try endpoint.tapResources().count == 3)
        try await Task.sleep(for: .seconds(2))
        let listed = spawnAndWait(binary, ["tap", "--endpoint", endpoint.url], environment: ServedEndpoint.environment())
        #expect(listed.status == 0 && listed.output.contains("(expired)"), "\(listed.output)")
        #expect(try endpoint.tapResources().count == 3, "listing removes nothing")
        let cleaned = spawnAndWait(binary, ["tap", "--cleanup", "--endpoint", endpoint.url], environment: ServedEndpoint.environment())
        #expect(cleaned.status == 0, "\(cleaned.output)")
        #expect(cleaned.output.contains("removed queue signalbox-tap-tester-"), "\(cleaned.output)")
        #expect(cleaned.output.contains("removed rule signalbox-tap-") && cleaned.output.contains("on orders"), "\(cleaned.output)")
        #expect(try endpoint.tapResources().isEmpty)
    }

    @Test func tapOnAStackWithoutItsStream() async throws {
        let binary = try signalboxBinary()
        let endpoint = try ServedEndpoint(stack: binary, stream: false)
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        // Without --tap the stream's absence is named, with the way out.
        let refused = spawnAndWait(binary, ["tail", "--endpoint", endpoint.url], environment: ServedEndpoint.environment())
        #expect(refused.status == 1)
        #expect(refused.output.contains("has no live stream") && refused.output.contains("--tap"), "\(refused.output)")
        try await Self.tapEndToEnd(binary: binary, endpoint: endpoint, signal: SIGTERM)
    }

    @Test(.enabled(if: spawnAndWait("/usr/bin/env", ["python3", "-c", "import moto.server"]).status == 0, "moto is not installed"))
    func tapOnMoto() async throws {
        let binary = try signalboxBinary()
        let endpoint = try ServedEndpoint(moto: ())
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        try await Self.tapEndToEnd(binary: binary, endpoint: endpoint, signal: SIGINT)
    }

    @Test func theReaderGoingAwayRemovesTheTap() async throws {
        let binary = try signalboxBinary()
        let endpoint = try ServedEndpoint(stack: binary, stream: false)
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        let text = try await TailProcessTests.tailIntoHeadOne(binary, ["--tap", "--endpoint", endpoint.url, "--format", "json"],
                                                              environment: ServedEndpoint.environment()) {
            try Self.putEvents(endpoint)
        }
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix(#"{"v":1,"type":"event""#) == true, "\(text)")
        #expect(lines.last == "rc=0", "the tail exits 0 once its reader has gone, after removing its tap")
        #expect(try endpoint.tapResources().isEmpty, "no signalbox-tap-* rule or queue remains")
    }
}

extension ServedEndpoint {
    /// The `signalbox-tap-*` queues and rules (on every bus) the endpoint holds.
    func tapResources() throws -> [String] {
        let output = try boto3("""
        names = [u.rsplit("/", 1)[-1] for u in sqs.list_queues(QueueNamePrefix="signalbox-tap-").get("QueueUrls", [])]
        for bus in events.list_event_buses()["EventBuses"]:
            names += [bus["Name"] + "/" + r["Name"] for r in events.list_rules(NamePrefix="signalbox-tap-", EventBusName=bus["Name"])["Rules"]]
        print(json.dumps(names))
        """)
        return (try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String]) ?? []
    }
}
