import Foundation
import JSON
import Logging
import Timekeeping
import Wire
@testable import Stack

/// A fresh store in its own temporary directory, removed when the harness goes away.
final class TemporaryStack: Sendable {
    let directory: URL
    let store: StackStore
    /// Moved by hand: message times, visibility and retention without sleeping.
    let clock = ManualClock()
    let queues: QueueService
    let frontDoor: FrontDoor

    /// A fresh directory unless one is given (to reopen a store another harness wrote).
    init(directory: URL? = nil) throws {
        self.directory = directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-test-\(UUID().uuidString)")
        store = try StackStore(directory: self.directory, migrations: StackAssembly.migrations)
        queues = QueueService(store: store, accountId: "000000000000", region: "us-east-1", clock: clock)
        frontDoor = FrontDoor(services: [queues], accountId: "000000000000", region: "us-east-1", credentials: nil,
                              endpoint: "http://127.0.0.1:4599")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Calls an SQS operation through the front door, as a client would.
    @discardableResult
    func sqs(_ operation: String, _ input: JSONValue) async -> (status: Int, body: JSONValue, headers: [String: String]) {
        let response = await frontDoor.respond(to: FrontDoorRequest(headers: [
            ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.\(operation)"),
        ], body: Array(input.serialized.utf8)))
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        return (response.status, (try? JSONValue(parsing: response.body)) ?? .null, headers)
    }

    func ok(_ operation: String, _ input: JSONValue) async throws -> JSONValue {
        let result = await sqs(operation, input)
        guard result.status == 200 else {
            throw TestFailure("\(operation) answered \(result.status): \(result.body.serialized)")
        }
        return result.body
    }

    func createQueue(_ name: String, _ attributes: JSONValue = [:]) async throws -> String {
        try await ok("CreateQueue", ["QueueName": .string(name), "Attributes": attributes])["QueueUrl"]?.stringValue ?? ""
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs the assembled stack's real server on 127.0.0.1:0, in a fresh directory, for `body` (given
/// `127.0.0.1:PORT`), then stops it and awaits it. `configure` adjusts the configuration.
func withStackServer(label: String, configure: (inout StackConfiguration) -> Void = { _ in },
                     _ body: @Sendable (String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-\(label)-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    var logger = Logger(label: label)
    logger.logLevel = .critical // cancelling the server at the end logs an expected error
    var configuration = StackConfiguration(port: 0, dataDirectory: directory)
    configure(&configuration)
    let server = try StackAssembly.makeServer(configuration: configuration, logger: logger)
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let running = Task { try await server.run { port in portSink.yield(port) } }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        running.cancel()
        throw TestFailure("the server did not start: \(await running.result)")
    }
    var failure: (any Error)?
    do { try await body("127.0.0.1:\(port)") } catch { failure = error }
    running.cancel()
    _ = await running.result
    if let failure { throw failure }
}
