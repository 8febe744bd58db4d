import Foundation
import Testing

/// The topology map in a real terminal, on the demo with half of payment's calls failing
/// (`signalbox serve --demo --chaos payment.error=0.5`): the operator sees the order flowing
/// order → shop-bus → order-saga → payment, payment's breaker turning OPEN on its edge, and
/// rates that move; from the map, payment's breaker in the Circuits pane filtered to it.
@Suite(.serialized) struct TopologyEndToEndTests {
    /// The rate labels on screen (`2.4/s`, `~0.6/s`), top to bottom.
    static func rates(_ screen: String) -> [String] {
        screen.split(separator: " ").map(String.init).filter { word in
            word.hasSuffix("/s") && word.dropLast(2).allSatisfy { $0.isNumber || $0 == "." || $0 == "~" || $0 == "k" }
        }
    }

    @Test func demoMapShowsTheFlowTheOpenBreakerAndChangingRates() async throws {
        let binary = try signalboxBinary()
        let port = try freePort()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-map-\(UUID().uuidString)").path
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-config-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let console = "unset NO_COLOR; XDG_CONFIG_HOME=\(shellQuote(config)) \(shellQuote(binary)) console "
            + "--endpoint http://127.0.0.1:\(port) --refresh-ms 500; echo \"EXIT=$?\"; sleep 600"
        // Wide enough for the whole demo map when zoomed.
        let tmux = try TmuxSession(command: "sh -c " + shellQuote(console), columns: 260, rows: 60)
        defer { tmux.kill() }
        let serve = "\(shellQuote(binary)) serve --demo --chaos payment.error=0.5 --port \(port) --data \(shellQuote(data)) 2>&1; sleep 600"
        tmux.run(["new-window", "-d", "-t", "t:9", "sh -c " + shellQuote(serve)])
        try await tmux.waitFor(text: "● connected", timeout: 90)
        tmux.send("1")
        tmux.send("z")

        // The path of an order, drawn from what the APIs say.
        try await tmux.waitFor(all: ["◆ order ", "≡ shop-bus ", "⚙ order-saga ", "▸ payment-charge ", "◆ payment ", "◎ payment-gateway "],
                               timeout: 90)
        // Payment's breaker turns OPEN on its edge to payment-gateway: the only breaker the chaos
        // makes fail, so the only `⚡ OPEN` the map can draw. Where the edge is drawn depends on
        // the order the APIs answered in (the layout keeps nodes where they first appeared), so
        // the label is looked for on the map, not at a fixed place beside the two boxes.
        let open = try await tmux.waitFor("payment's breaker OPEN on its edge", timeout: 120) { screen in
            screen.contains("⚡ OPEN")
        }
        #expect(open.contains("rates: live stream, last 10 s"))
        #expect(open.contains("⇢ payment-gateway") || open.contains("⇢ payment-ga"))

        // Rates are counted over a sliding 10 s: the labels change as orders flow.
        let first = Self.rates(tmux.capture())
        #expect(!first.isEmpty)
        try await tmux.waitFor("the rate labels to change", timeout: 60) { screen in
            let now = Self.rates(screen)
            return !now.isEmpty && now != first
        }

        // From the map to payment's breaker: filter the map to the dependency, open its detail,
        // and Enter there opens the Circuits pane filtered to it; Esc comes back to the detail.
        tmux.send("/")
        tmux.type("payment-gateway")
        tmux.send("Enter")
        try await tmux.waitFor(text: "1 of ")
        tmux.send("Enter")
        try await tmux.waitFor(text: "Enter: the Circuits pane filtered to /payment-gateway")
        tmux.send("Enter")
        let circuits = try await tmux.waitFor(all: ["Circuits /payment-gateway", "Topology › payment-gateway › Circuits", "BREAKER"])
        let rows = circuits.split(separator: "\n").filter { $0.contains("payment-gateway") && $0.contains(" payment ") }
        #expect(rows.count == 1)
        #expect(!circuits.contains("warehouse-db") && !circuits.contains("carrier-api") && !circuits.contains("mail-provider"))
        tmux.send("Escape")
        try await tmux.waitFor(all: ["Into it", "circuit breaker"])

        tmux.send("q")
        let screen = try await tmux.waitFor(text: "EXIT=")
        #expect(screen.contains("EXIT=0"))
    }

    /// Against moto (no live stream, no breaker board): the map is drawn from the AWS APIs
    /// alone — rule → queue, queue → dead-letter queue, machine → its activity from the
    /// definition, a service's own `signalbox:publishes` — and says its rates are estimated.
    @Test(.enabled(if: motoServerPath != nil, "moto_server is not installed"))
    func motoMapIsDrawnFromTheAPIsAlone() async throws {
        let binary = try signalboxBinary()
        let port = try freePort()
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-config-\(UUID().uuidString)").path
        let console = "unset NO_COLOR; XDG_CONFIG_HOME=\(shellQuote(config)) \(shellQuote(binary)) console "
            + "--endpoint http://127.0.0.1:\(port) --refresh-ms 500; echo \"EXIT=$?\"; sleep 600"
        let tmux = try TmuxSession(command: "sh -c " + shellQuote(console), columns: 240, rows: 50)
        defer { tmux.kill() }
        tmux.run(["new-window", "-d", "-t", "t:8", "sh -c " + shellQuote("\(shellQuote(motoServerPath!)) -H 127.0.0.1 -p \(port) 2>&1; sleep 600")])
        try await tmux.waitFor(text: "● connected", timeout: 90)

        try LiveStackEndToEndTests().boto3(port, """
        account = "123456789012"
        sfn = boto3.client("stepfunctions", **kw)
        sd = boto3.client("servicediscovery", **kw)
        dlq = sqs.create_queue(QueueName="moto-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName="moto-orders", Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.send_message(QueueUrl=url, MessageBody="x")
        events.create_event_bus(Name="moto-bus")
        events.put_rule(Name="moto-route", EventBusName="moto-bus", EventPattern=json.dumps({"source": ["moto.shop"]}))
        events.put_targets(Rule="moto-route", EventBusName="moto-bus", Targets=[{"Id": "q", "Arn": arn}])
        activity = sfn.create_activity(name="moto-charge")["activityArn"]
        sfn.create_state_machine(name="moto-saga", roleArn=f"arn:aws:iam::{account}:role/saga", definition=json.dumps(
            {"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": activity, "End": True}}}))
        op = sd.create_http_namespace(Name="moto-ns")
        ns = [n["Id"] for n in sd.list_namespaces()["Namespaces"] if n["Name"] == "moto-ns"][0]
        svc = sd.create_service(Name="moto-svc", NamespaceId=ns)["Service"]["Id"]
        sd.register_instance(ServiceId=svc, InstanceId="moto-i1",
                             Attributes={"AWS_INSTANCE_IPV4": "10.0.0.7", "signalbox:publishes": "moto-bus"})
        """)
        tmux.send("1")
        tmux.send("z")
        let screen = try await tmux.waitFor(all: ["◆ moto-svc ", "≡ moto-bus ", "▤ moto-orders ", "☠ moto-dlq ", "⚙ moto-saga ",
                                                  "▸ moto-charge ", "✓ 1 msgs", "rates estimated from counters"], timeout: 90)
        #expect(!screen.contains("rates: live stream"))
        // Filtered down to the queue, Enter opens it: the detail names the APIs behind its edges.
        tmux.send("/")
        tmux.type("moto-orders")
        tmux.send("Enter")
        try await tmux.waitFor(text: "1 of ")
        tmux.send("Enter")
        try await tmux.waitFor(all: ["rule moto-route", "redrive policy", "Rates estimated from counters"])

        tmux.send("q")
        let exit = try await tmux.waitFor(text: "EXIT=")
        #expect(exit.contains("EXIT=0"))
    }
}
