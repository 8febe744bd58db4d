import Foundation
import JSON
import Testing
@testable import Stack

@Suite("/metrics on swift-metrics and swift-prometheus")
struct MetricsTests {
    @Test("each stack counts on its own registry: two stacks in one process do not see each other's requests")
    func perStackRegistry() async throws {
        let first = try BusTestStack(), second = try BusTestStack()
        defer { first.removeFiles(); second.removeFiles() }
        _ = try await first.sqs("ListQueues", [:])
        _ = try await first.sqs("ListQueues", [:])
        _ = try await second.sqs("ListQueues", [:])
        let labels = ["service": "AmazonSQS", "operation": "ListQueues", "code": "OK"]
        #expect(first.metrics.samples().contains(.init(name: "signalbox_requests_total", labels: labels, value: 2)))
        #expect(second.metrics.samples().contains(.init(name: "signalbox_requests_total", labels: labels, value: 1)))
        #expect(first.metrics.samples().contains(.init(name: "signalbox_request_seconds_count", labels: labels, value: 2)))
    }

    @Test("the text keeps today's names, HELP and TYPE lines, and label order")
    func exposition() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        _ = try await stack.sqs("ListQueues", [:])
        _ = try await stack.putEvent(detail: ["n": 1])
        let text = stack.metrics.exposition()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("# HELP signalbox_requests_total AWS API requests answered, by service, operation and result code."))
        #expect(lines.contains("# TYPE signalbox_requests_total counter"))
        #expect(lines.contains(#"signalbox_requests_total{service="AmazonSQS",operation="ListQueues",code="OK"} 1"#))
        #expect(lines.contains("# TYPE signalbox_request_seconds histogram"))
        #expect(lines.contains("signalbox_events_put_total 1"))
        #expect(lines.contains(#"signalbox_events_deliveries_total{outcome="delivered"} 0"#))
        // Families in name order, so two scrapes compare line by line.
        let names = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(names == names.sorted())
        #expect(text.hasSuffix("\n"))
    }

    @Test("label values are escaped in the text and read back intact")
    func escaping() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let operation = "Frob\"nic\\ate\nnow"
        _ = await stack.call("AmazonSQS", operation, [:])
        #expect(stack.metrics.exposition().contains(#"operation="Frob\"nic\\ate\nnow""#))
        #expect(stack.metrics.samples().contains {
            $0.name == "signalbox_requests_total" && $0.labels["operation"] == operation && $0.value == 1
        })
    }

    @Test("scrape-time gauges follow the store: a deleted queue's series disappear")
    func gaugesFollowTheStore() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let url = try await stack.createQueue("depth")
        _ = try await stack.sqs("SendMessage", ["QueueUrl": .string(url), "MessageBody": "one"])
        stack.metrics.update(gauges: await stack.queues.gaugeReadings() + stack.bus.gaugeReadings())
        var samples = stack.metrics.samples()
        #expect(samples.contains(.init(name: "signalbox_sqs_messages", labels: ["queue": "depth", "state": "visible"], value: 1)))
        #expect(samples.contains(.init(name: "signalbox_sqs_long_polls_waiting", labels: [:], value: 0)))
        #expect(samples.contains(.init(name: "signalbox_events_outbox", labels: ["state": "pending"], value: 0)))
        _ = try await stack.sqs("DeleteQueue", ["QueueUrl": .string(url)])
        stack.metrics.update(gauges: await stack.queues.gaugeReadings())
        samples = stack.metrics.samples()
        #expect(!samples.contains { $0.labels["queue"] == "depth" })
        #expect(samples.contains { $0.name == "signalbox_sqs_long_polls_waiting" })
    }
}
