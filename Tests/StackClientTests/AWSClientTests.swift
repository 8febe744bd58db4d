import Foundation
import JSON
import Stack
import StackClient
import SignalboxTestSupport
import Testing
import Wire

@Suite("AWS JSON client against a running stack")
struct AWSClientTests {
    @Test("a queue created, sent to and received from through SQS's JSON protocol")
    func sqsRoundTrip() async throws {
        try await withRunningStack { endpoint in
            let client = AWSClient(endpoint: endpoint)
            let created = try await client.call(.sqs, "CreateQueue", ["QueueName": "orders"])
            let url = try #require(created["QueueUrl"]?.stringValue)
            #expect(url.hasSuffix("/orders"))
            _ = try await client.call(.sqs, "SendMessage", ["QueueUrl": .string(url), "MessageBody": "hello"])
            let received = try await client.call(.sqs, "ReceiveMessage", ["QueueUrl": .string(url), "WaitTimeSeconds": 1])
            #expect(received["Messages"]?[0]?["Body"] == "hello")
        }
    }

    @Test("a service error arrives as the AWS error code and message")
    func serviceError() async throws {
        try await withRunningStack { endpoint in
            let client = AWSClient(endpoint: endpoint)
            do {
                _ = try await client.call(.eventBridge, "DescribeRule", ["Name": "missing"])
                Issue.record("DescribeRule of a missing rule succeeded")
            } catch let error as StackClientError {
                #expect(error.code == "ResourceNotFoundException")
                #expect(error.description.contains("missing"))
            }
        }
    }

    @Test("signatures verify against a stack that checks them")
    func signedRequestsVerify() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-auth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try StackAssembly.makeServer(configuration: StackConfiguration(
            port: 0, dataDirectory: directory, credentials: ["AKIDEXAMPLE": "secret"]))
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run { sink.yield($0) } }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let good = try StackEndpoint(parsing: "http://127.0.0.1:\(port)",
                                     credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret"))
        let listed = try await AWSClient(endpoint: good).call(.sqs, "ListQueues")
        #expect(listed["QueueUrls"] == nil || listed["QueueUrls"] == [])
        let bad = try StackEndpoint(parsing: "http://127.0.0.1:\(port)",
                                    credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wrong"))
        await #expect(throws: StackClientError.self) {
            _ = try await AWSClient(endpoint: bad).call(.sqs, "ListQueues")
        }
    }

    @Test("an endpoint nobody listens on is a transport error, not a hang")
    func unreachable() async throws {
        let client = AWSClient(endpoint: try StackEndpoint(parsing: "http://127.0.0.1:9"), timeout: .seconds(5))
        do {
            _ = try await client.call(.sqs, "ListQueues")
            Issue.record("a call to a closed port succeeded")
        } catch {
            guard case .transport = error else { Issue.record("expected a transport error, got \(error)"); return }
        }
    }

    @Test("endpoints must be http(s) URLs with a host")
    func endpointParsing() throws {
        #expect(throws: StackClientError.self) { try StackEndpoint(parsing: "localhost:4599") }
        #expect(throws: StackClientError.self) { try StackEndpoint(parsing: "ftp://x") }
        let endpoint = try StackEndpoint(parsing: "http://127.0.0.1:4599/")
        #expect(endpoint.baseURL(for: .sqs) == "http://127.0.0.1:4599")
        let aws = StackEndpoint(url: nil, region: "eu-west-1")
        #expect(aws.baseURL(for: .stepFunctions) == "https://states.eu-west-1.amazonaws.com")
        #expect(aws.extensionBaseURL == nil)
    }
}
