import Foundation
import JSON
import Timekeeping
import Wire
@testable import Stack

/// A store with the queue and bus services behind one front door, a manual clock and a hub.
final class BusTestStack: Sendable {
    let directory: URL
    let store: StackStore
    let clock = ManualClock()
    let queues: QueueService
    let bus: BusService
    let hub = StreamHub()
    let metrics = StackMetrics()
    let frontDoor: FrontDoor

    init(directory: URL? = nil) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("signalbox-bus-test-\(UUID().uuidString)")
        store = try StackStore(directory: self.directory, migrations: StackAssembly.migrations)
        queues = QueueService(store: store, accountId: "000000000000", region: "us-east-1", clock: clock, hub: hub)
        bus = BusService(store: store, accountId: "000000000000", region: "us-east-1", queues: queues, hub: hub,
                         metrics: metrics, clock: clock)
        frontDoor = FrontDoor(services: [queues, bus], accountId: "000000000000", region: "us-east-1",
                              credentials: nil, metrics: metrics, endpoint: "http://127.0.0.1:4599")
    }

    func removeFiles() { try? FileManager.default.removeItem(at: directory) }

    @discardableResult
    func call(_ target: String, _ operation: String, _ input: JSONValue) async -> (status: Int, body: JSONValue) {
        let contentType = target == "AWSEvents" ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0"
        let response = await frontDoor.respond(to: FrontDoorRequest(headers: [
            ("Content-Type", contentType), ("X-Amz-Target", "\(target).\(operation)"),
        ], body: Array(input.serialized.utf8)))
        return (response.status, (try? JSONValue(parsing: response.body)) ?? .null)
    }

    /// An EventBridge call that must succeed.
    @discardableResult
    func events(_ operation: String, _ input: JSONValue) async throws -> JSONValue {
        let result = await call("AWSEvents", operation, input)
        guard result.status == 200 else { throw TestFailure("\(operation) answered \(result.status): \(result.body.serialized)") }
        return result.body
    }

    /// An EventBridge call that must fail; returns the error code (`__type`).
    func eventsError(_ operation: String, _ input: JSONValue) async -> String {
        let result = await call("AWSEvents", operation, input)
        guard result.status >= 400 else { return "no error: \(result.body.serialized)" }
        let type = result.body["__type"]?.stringValue ?? ""
        return String(type.split(separator: "#").last ?? "")
    }

    @discardableResult
    func sqs(_ operation: String, _ input: JSONValue) async throws -> JSONValue {
        let result = await call("AmazonSQS", operation, input)
        guard result.status == 200 else { throw TestFailure("\(operation) answered \(result.status): \(result.body.serialized)") }
        return result.body
    }

    func createQueue(_ name: String, _ attributes: JSONValue = [:]) async throws -> String {
        try await sqs("CreateQueue", ["QueueName": .string(name), "Attributes": attributes])["QueueUrl"]?.stringValue ?? ""
    }

    func queueArn(_ name: String) -> String { "arn:aws:sqs:us-east-1:000000000000:\(name)" }

    /// Every body in the queue (received with a zero visibility timeout, so they stay).
    func bodies(_ url: String) async throws -> [String] {
        var out: [String] = []
        var handles: [JSONValue] = []
        while true {
            let received = try await sqs("ReceiveMessage", ["QueueUrl": .string(url), "MaxNumberOfMessages": 10,
                                                             "VisibilityTimeout": 30])
            let messages = received["Messages"]?.arrayValue ?? []
            if messages.isEmpty { break }
            for message in messages {
                out.append(message["Body"]?.stringValue ?? "")
                handles.append(message["ReceiptHandle"] ?? .null)
            }
        }
        for handle in handles {
            try await sqs("ChangeMessageVisibility", ["QueueUrl": .string(url), "ReceiptHandle": handle, "VisibilityTimeout": 0])
        }
        return out
    }

    func putEvent(source: String = "orders", detailType: String = "OrderPlaced", detail: JSONValue,
                  bus: String? = nil) async throws -> JSONValue {
        var entry: JSONObject = ["Source": .string(source), "DetailType": .string(detailType), "Detail": .string(detail.serialized)]
        if let bus { entry["EventBusName"] = .string(bus) }
        return try await events("PutEvents", ["Entries": [.object(entry)]])
    }
}
