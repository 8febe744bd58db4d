import Foundation
import JSON
import Provider
import Stack
import StackClient

/// The "provider" area: what the console's live provider costs against a real stack on loopback
/// (HTTP, durable store): how long until a system of 40 queues, 20 routed rules, 100 saga
/// executions and 15 registry instances is fully on screen, how long one warm poll round takes,
/// and how long an event takes from PutEvents to the console's snapshot through the live stream.
enum ProviderBench {
    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try StackAssembly.makeServer(configuration: StackConfiguration(port: 0, dataDirectory: directory))
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run { sink.yield($0) } }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        let endpoint = try StackEndpoint(parsing: "http://127.0.0.1:\(port)")
        let aws = AWSClient(endpoint: endpoint)

        for index in 0..<40 {
            let url = try await aws.call(.sqs, "CreateQueue", ["QueueName": .string("queue-\(index)")])["QueueUrl"]?.stringValue ?? ""
            for _ in 0..<5 { _ = try await aws.call(.sqs, "SendMessage", ["QueueUrl": .string(url), "MessageBody": "x"]) }
            if index < 20 {
                _ = try await aws.call(.eventBridge, "PutRule", ["Name": .string("rule-\(index)"),
                                                                 "EventPattern": .string(#"{"source":["bench.\#(index)"]}"#)])
                _ = try await aws.call(.eventBridge, "PutTargets", ["Rule": .string("rule-\(index)"), "Targets": [
                    ["Id": "q", "Arn": .string("arn:aws:sqs:us-east-1:000000000000:queue-\(index)")]]])
            }
        }
        let machine = try await aws.call(.stepFunctions, "CreateStateMachine", [
            "name": "order-saga", "roleArn": "arn:aws:iam::000000000000:role/saga",
            "definition": #"{"StartAt":"Reserve","States":{"Reserve":{"Type":"Pass","Next":"Charge"},"Charge":{"Type":"Pass","Next":"Ship"},"Ship":{"Type":"Pass","End":true}}}"#,
        ])["stateMachineArn"]?.stringValue ?? ""
        for index in 0..<100 {
            _ = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(machine), "name": .string("order-\(index)")])
        }
        let namespace = try await aws.call(.cloudMap, "CreateHttpNamespace", ["Name": "shop"])
        _ = namespace
        var namespaceId = ""
        while namespaceId.isEmpty {
            namespaceId = try await aws.call(.cloudMap, "ListNamespaces")["Namespaces"]?[0]?["Id"]?.stringValue ?? ""
        }
        for service in 0..<5 {
            let id = try await aws.call(.cloudMap, "CreateService", ["Name": .string("svc-\(service)"),
                                                                      "NamespaceId": .string(namespaceId)])["Service"]?["Id"]?.stringValue ?? ""
            for instance in 0..<3 {
                _ = try await aws.call(.cloudMap, "RegisterInstance", ["ServiceId": .string(id), "InstanceId": .string("i-\(instance)"),
                                                                        "Attributes": ["AWS_INSTANCE_IPV4": .string("10.0.0.\(instance)")]])
            }
        }

        let provider = StackProvider(endpoint: EndpointDescription(name: "bench"), stack: endpoint,
                                     options: StackProviderOptions(refreshInterval: .milliseconds(100)))
        let (relay, relaySink) = AsyncStream.makeStream(of: SystemSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let feed = Task { for await snapshot in provider.snapshots() { relaySink.yield(snapshot) } }
        defer { feed.cancel() }
        var snapshots = relay.makeAsyncIterator()
        let started = ContinuousClock.now
        var complete: SystemSnapshot?
        var received = 0
        while let snapshot = await snapshots.next() {
            received += 1
            if snapshot.queues.count == 40, snapshot.rules.count == 20, snapshot.registry.flatMap(\.instances).count == 15,
               snapshot.executions.count == 50, snapshot.executions.allSatisfy({ $0.timeline.last?.type == "ExecutionSucceeded" }) {
                complete = snapshot
                break
            }
        }
        let cold = ContinuousClock.now - started
        print("full system on screen (40 queues, 20 rules, 50 of 100 executions with timelines, 15 instances): "
              + "\(ms(cold)) ms after start, \(received) snapshots")
        _ = complete

        // Warm rounds: snapshots published per second at a 100 ms refresh (each poll publishes one).
        let windowStart = ContinuousClock.now
        var warm = 0
        while ContinuousClock.now - windowStart < .seconds(5), await snapshots.next() != nil { warm += 1 }
        let perSecond = Double(warm) / (Double(ms(ContinuousClock.now - windowStart)) / 1000)
        print(String(format: "warm polling at --refresh-ms 100: %.1f snapshots/s (poll round + 100 ms sleep ≈ %.0f ms)",
                     perSecond, 1000 / max(perSecond, 0.001)))

        // PutEvents → event in the provider's snapshot, through the live stream.
        var latencies: [Double] = []
        for index in 0..<50 {
            let id = "bench-\(index)"
            let sent = ContinuousClock.now
            _ = try await aws.call(.eventBridge, "PutEvents", ["Entries": [
                ["Source": .string("bench.\(index % 20)"), "DetailType": .string(id), "Detail": "{}"]]])
            while let snapshot = await snapshots.next() {
                if snapshot.recentEvents.contains(where: { $0.detailType == id }) { break }
            }
            latencies.append(Double(ms(ContinuousClock.now - sent)))
        }
        latencies.sort()
        print(String(format: "PutEvents → console snapshot via live stream (50 events): median %.0f ms, p90 %.0f ms, max %.0f ms",
                     latencies[latencies.count / 2], latencies[latencies.count * 9 / 10], latencies.last ?? 0))
        await provider.shutdown()
    }

    private static func ms(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
