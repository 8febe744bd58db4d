import Foundation
import JSON
import Wire
@testable import Stack

/// A store with the queue, bus and saga services behind a front door, wired as
/// `StackAssembly` wires them (bus rules start executions, tasks put events, history goes to
/// the hub), reopenable on the same directory to test what survives a restart.
final class SagaStack: Sendable {
    let directory: URL
    let store: StackStore
    let queues: QueueService
    let bus: BusService
    let sagas: SagaService
    let hub = StreamHub()
    let frontDoor: FrontDoor

    init(directory: URL? = nil, activityPollLimit: Duration = .milliseconds(300)) throws {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-saga-\(UUID().uuidString)")
        self.directory = directory
        store = try StackStore(directory: directory, migrations: StackAssembly.migrations)
        queues = QueueService(store: store, accountId: "000000000000", region: "us-east-1")
        let link = ServiceLink()
        sagas = SagaService(store: store, accountId: "000000000000", region: "us-east-1", queues: queues,
                            bus: link, hub: hub, activityPollLimit: activityPollLimit)
        bus = BusService(store: store, accountId: "000000000000", region: "us-east-1", queues: queues, hub: hub,
                         sinks: [sagas.stateMachineSink])
        link.bind(bus)
        frontDoor = FrontDoor(services: [queues, bus, sagas], accountId: "000000000000", region: "us-east-1", credentials: nil,
                              endpoint: "http://127.0.0.1:4599")
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Calls an operation through the front door, as a client would.
    func call(_ target: String, _ operation: String, _ input: JSONValue) async -> (status: Int, body: JSONValue) {
        let contentType = target == "AWSEvents" ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0"
        let response = await frontDoor.respond(to: FrontDoorRequest(headers: [
            ("Content-Type", contentType), ("X-Amz-Target", "\(target).\(operation)"),
        ], body: Array(input.serialized.utf8)))
        return (response.status, (try? JSONValue(parsing: response.body)) ?? .null)
    }

    func sfn(_ operation: String, _ input: JSONValue) async throws -> JSONValue {
        let result = await call("AWSStepFunctions", operation, input)
        guard result.status == 200 else { throw TestFailure("\(operation) answered \(result.status): \(result.body.serialized)") }
        return result.body
    }

    /// An EventBridge call that must succeed.
    @discardableResult
    func events(_ operation: String, _ input: JSONValue) async throws -> JSONValue {
        let result = await call("AWSEvents", operation, input)
        guard result.status == 200 else { throw TestFailure("\(operation) answered \(result.status): \(result.body.serialized)") }
        return result.body
    }

    /// An SQS call that must succeed.
    @discardableResult
    func sqs(_ operation: String, _ input: JSONValue) async throws -> JSONValue {
        let result = await call("AmazonSQS", operation, input)
        guard result.status == 200 else { throw TestFailure("\(operation) answered \(result.status): \(result.body.serialized)") }
        return result.body
    }

    /// Creates a queue; returns its URL and ARN.
    func createQueue(_ name: String) async throws -> (url: String, arn: String) {
        let url = try await sqs("CreateQueue", ["QueueName": .string(name)])["QueueUrl"]?.stringValue ?? ""
        return (url, "arn:aws:sqs:us-east-1:000000000000:\(name)")
    }

    /// Long-polls a queue for one message body (nil after `attempts` empty polls).
    func receiveBody(_ url: String, attempts: Int = 20) async throws -> (body: String, attributes: JSONValue)? {
        for _ in 0..<attempts {
            let answer = try await sqs("ReceiveMessage", ["QueueUrl": .string(url), "WaitTimeSeconds": 1,
                                                          "MessageAttributeNames": ["All"]])
            if let message = answer["Messages"]?.arrayValue?.first, let body = message["Body"]?.stringValue {
                return (body, message["MessageAttributes"] ?? .null)
            }
        }
        return nil
    }

    /// The error code (without namespace) of a call expected to fail.
    func sfnError(_ operation: String, _ input: JSONValue) async -> String {
        let result = await call("AWSStepFunctions", operation, input)
        guard result.status != 200, var type = result.body["__type"]?.stringValue else { return "OK" }
        if let hash = type.lastIndex(of: "#") { type = String(type[type.index(after: hash)...]) }
        return type
    }

    func createMachine(_ name: String, _ definition: String) async throws -> String {
        try await sfn("CreateStateMachine", ["name": .string(name), "definition": .string(definition),
                                             "roleArn": "arn:aws:iam::000000000000:role/saga"])["stateMachineArn"]?.stringValue ?? ""
    }

    func createActivity(_ name: String) async throws -> String {
        try await sfn("CreateActivity", ["name": .string(name)])["activityArn"]?.stringValue ?? ""
    }

    func start(_ machine: String, name: String, input: String = "{}") async throws -> String {
        try await sfn("StartExecution", ["stateMachineArn": .string(machine), "name": .string(name),
                                         "input": .string(input)])["executionArn"]?.stringValue ?? ""
    }

    func status(_ execution: String) async throws -> String {
        try await sfn("DescribeExecution", ["executionArn": .string(execution)])["status"]?.stringValue ?? ""
    }

    /// Polls until the execution leaves RUNNING (bounded by `attempts` polls).
    func waitForEnd(_ execution: String, attempts: Int = 400) async throws -> String {
        for _ in 0..<attempts {
            let status = try await status(execution)
            if status != "RUNNING" { return status }
            try await Task.sleep(for: .milliseconds(25))
        }
        return "RUNNING"
    }

    /// The next task of an activity: token and input, or nil after the short poll.
    func poll(_ activityArn: String) async throws -> (token: String, input: JSONValue)? {
        let body = try await sfn("GetActivityTask", ["activityArn": .string(activityArn), "workerName": "test"])
        guard let token = body["taskToken"]?.stringValue else { return nil }
        return (token, try JSONValue(parsing: body["input"]?.stringValue ?? "null"))
    }

    func historyTypes(_ execution: String) async throws -> [String] {
        let body = try await sfn("GetExecutionHistory", ["executionArn": .string(execution), "maxResults": 1000])
        return body["events"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
    }
}
