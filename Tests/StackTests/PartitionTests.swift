import Foundation
import JSON
import Testing
import Timekeeping
import Wire
@testable import Stack

/// A stack of partitions on a temporary data directory, called through its front door as
/// clients call it: signed (or not) for a region, with a key.
final class PartitionedStack: Sendable {
    let directory: URL
    let partitions: StackPartitions
    let frontDoor: FrontDoor

    init(directory: URL? = nil, credentials: [String: String]? = nil, accounts: [String: String] = [:]) throws {
        self.directory = directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-test-\(UUID().uuidString)")
        let configuration = StackConfiguration(dataDirectory: self.directory)
        let store = try StackStore(directory: self.directory, migrations: StackAssembly.migrations)
        partitions = try StackAssembly.makePartitions(store: store, configuration: configuration, hub: StreamHub())
        frontDoor = FrontDoor(partitions: partitions, credentials: credentials, accounts: accounts,
                              endpoint: "http://127.0.0.1:4599")
    }

    func removeDirectory() { try? FileManager.default.removeItem(at: directory) }

    /// Calls `target` (e.g. `AmazonSQS.CreateQueue`), signed for `region` with `key` unless
    /// `region` is nil (then unsigned).
    func call(_ target: String, _ input: JSONValue, region: String?, key: (id: String, secret: String) = ("AKID", "secret"),
              version: AWSJSONVersion = .v1_0) async -> (status: Int, body: JSONValue) {
        let body = Array(input.serialized.utf8)
        var request = SigV4Request(method: "POST", path: "/", headers: [
            ("Host", "127.0.0.1:4599"), ("Content-Type", version.contentType), ("X-Amz-Target", target),
        ], body: body)
        if let region {
            request = SigV4Signer(credentials: AWSCredentials(accessKeyId: key.id, secretAccessKey: key.secret),
                                  region: region, service: "sqs").sign(request, unixSeconds: Int64(Date().timeIntervalSince1970))
        }
        let response = await frontDoor.respond(to: FrontDoorRequest(headers: request.headers, body: body))
        return (response.status, (try? JSONValue(parsing: response.body)) ?? .null)
    }

    func ok(_ target: String, _ input: JSONValue, region: String?, key: (id: String, secret: String) = ("AKID", "secret"),
            version: AWSJSONVersion = .v1_0) async throws -> JSONValue {
        let result = await call(target, input, region: region, key: key, version: version)
        guard result.status == 200 else { throw TestFailure("\(target) answered \(result.status): \(result.body.serialized)") }
        return result.body
    }

    func queueURLs(region: String?, key: (id: String, secret: String) = ("AKID", "secret")) async throws -> [String] {
        try await ok("AmazonSQS.ListQueues", [:], region: region, key: key)["QueueUrls"]?.arrayValue?
            .compactMap(\.stringValue) ?? []
    }
}

@Suite struct PartitionTests {
    /// The region comes from the credential scope, signed or not; the default region's URLs
    /// keep their form, another region's name it; each region lists only its own queues.
    @Test func theSignedRegionPlacesAQueue() async throws {
        let stack = try PartitionedStack()
        defer { stack.removeDirectory() }
        let home = try await stack.ok("AmazonSQS.CreateQueue", ["QueueName": "orders"], region: nil)["QueueUrl"]
        #expect(home == "http://127.0.0.1:4599/000000000000/orders")
        let away = try await stack.ok("AmazonSQS.CreateQueue", ["QueueName": "orders"], region: "eu-west-1")["QueueUrl"]
        #expect(away == "http://127.0.0.1:4599/queue/eu-west-1/000000000000/orders")
        #expect(try await stack.queueURLs(region: "us-east-1") == ["http://127.0.0.1:4599/000000000000/orders"])
        #expect(try await stack.queueURLs(region: "eu-west-1") == ["http://127.0.0.1:4599/queue/eu-west-1/000000000000/orders"])
        #expect(try await stack.queueURLs(region: "ap-south-1") == [])
        let arn = try await stack.ok("AmazonSQS.GetQueueAttributes",
                                     ["QueueUrl": .string(away?.stringValue ?? ""), "AttributeNames": ["QueueArn"]],
                                     region: "eu-west-1")["Attributes"]?["QueueArn"]
        #expect(arn == "arn:aws:sqs:eu-west-1:000000000000:orders")
        // A URL of one region does not reach the queue from another.
        let crossed = await stack.call("AmazonSQS.SendMessage", ["QueueUrl": .string(away?.stringValue ?? ""),
                                                                 "MessageBody": "x"], region: "us-east-1")
        #expect(crossed.status == 400)
        #expect(crossed.body["__type"]?.stringValue?.hasSuffix("QueueDoesNotExist") == true)
        let created = try await stack.ok("AmazonSQS.CreateQueue", ["QueueName": "only-here"], region: "eu-west-1")
        #expect(created["QueueUrl"] != nil)
        let lookup = await stack.call("AmazonSQS.GetQueueUrl", ["QueueName": "only-here"], region: "us-east-1")
        #expect(lookup.body["__type"]?.stringValue?.hasSuffix("QueueDoesNotExist") == true)
    }

    /// A scope that cannot name a region (upper case, a path) acts in the default region.
    @Test func anUnusableRegionIsTheDefault() async throws {
        let stack = try PartitionedStack()
        defer { stack.removeDirectory() }
        _ = try await stack.ok("AmazonSQS.CreateQueue", ["QueueName": "odd"], region: "EU-WEST-1")
        #expect(try await stack.queueURLs(region: nil) == ["http://127.0.0.1:4599/000000000000/odd"])
        #expect(!FileManager.default.fileExists(atPath: stack.directory.appendingPathComponent("partitions").path))
    }

    /// Another region's store lives under `partitions/ACCOUNT/REGION` and opens again with the
    /// data directory, its queues and messages kept; the default one stays where it was.
    @Test func aRegionsStoreSurvivesReopening() async throws {
        let stack = try PartitionedStack()
        defer { stack.removeDirectory() }
        let url = try await stack.ok("AmazonSQS.CreateQueue", ["QueueName": "kept"], region: "eu-west-1")["QueueUrl"]
        _ = try await stack.ok("AmazonSQS.SendMessage", ["QueueUrl": url ?? .null, "MessageBody": "hello"], region: "eu-west-1")
        #expect(FileManager.default.fileExists(atPath: stack.directory
            .appendingPathComponent("partitions/000000000000/eu-west-1/stack.sqlite").path))
        let reopened = try PartitionedStack(directory: stack.directory)
        #expect(reopened.partitions.all.map(\.partition.description) == ["000000000000/us-east-1", "000000000000/eu-west-1"])
        let received = try await reopened.ok("AmazonSQS.ReceiveMessage", ["QueueUrl": url ?? .null], region: "eu-west-1")
        #expect(received["Messages"]?[0]?["Body"] == "hello")
    }

    /// With `--auth`, a key that names an account acts in it; the others act in the default
    /// account. Each sees only its own queues; unverified keys never choose an account.
    @Test func aVerifiedKeyActsInItsAccount() async throws {
        let stack = try PartitionedStack(credentials: ["AKIDA": "a", "AKIDB": "b"], accounts: ["AKIDB": "111122223333"])
        defer { stack.removeDirectory() }
        let a = try await stack.ok("AmazonSQS.CreateQueue", ["QueueName": "mine"], region: "us-east-1", key: ("AKIDA", "a"))
        let b = try await stack.ok("AmazonSQS.CreateQueue", ["QueueName": "mine"], region: "us-east-1", key: ("AKIDB", "b"))
        #expect(a["QueueUrl"] == "http://127.0.0.1:4599/000000000000/mine")
        #expect(b["QueueUrl"] == "http://127.0.0.1:4599/111122223333/mine")
        #expect(try await stack.queueURLs(region: "us-east-1", key: ("AKIDB", "b")) == ["http://127.0.0.1:4599/111122223333/mine"])
        let foreign = await stack.call("AmazonSQS.SendMessage", ["QueueUrl": a["QueueUrl"] ?? .null, "MessageBody": "x"],
                                       region: "us-east-1", key: ("AKIDB", "b"))
        #expect(foreign.body["__type"]?.stringValue?.hasSuffix("QueueDoesNotExist") == true)

        let open = try PartitionedStack(accounts: ["AKIDB": "111122223333"])
        defer { open.removeDirectory() }
        let unverified = try await open.ok("AmazonSQS.CreateQueue", ["QueueName": "q"], region: "us-east-1", key: ("AKIDB", "b"))
        #expect(unverified["QueueUrl"] == "http://127.0.0.1:4599/000000000000/q")
    }

    /// A rule whose target is a bus of another account delivers there (through the outbox) once
    /// that bus's policy lets the sender's account put events: the event arrives with its
    /// sender's account, and a bus of the same account in another region needs no policy.
    @Test func aBusTargetInAnotherAccountAndRegionDelivers() async throws {
        let stack = try PartitionedStack(credentials: ["AKIDA": "a", "AKIDB": "b"], accounts: ["AKIDB": "111122223333"])
        defer { stack.removeDirectory() }
        let a = (id: "AKIDA", secret: "a"), b = (id: "AKIDB", secret: "b")
        func events(_ operation: String, _ input: JSONValue, region: String, key: (id: String, secret: String)) async throws -> JSONValue {
            try await stack.ok("AWSEvents.\(operation)", input, region: region, key: key, version: .v1_1)
        }
        for (region, key) in [("us-east-1", b), ("eu-west-1", a)] {
            _ = try await events("CreateEventBus", ["Name": "inbox"], region: region, key: key)
            let queue = try await stack.ok("AmazonSQS.CreateQueue", ["QueueName": "landed"], region: region, key: key)
            let arn = try await stack.ok("AmazonSQS.GetQueueAttributes", ["QueueUrl": queue["QueueUrl"] ?? .null,
                                                                          "AttributeNames": ["QueueArn"]],
                                         region: region, key: key)["Attributes"]?["QueueArn"] ?? .null
            _ = try await events("PutRule", ["Name": "all", "EventBusName": "inbox", "EventPattern": #"{"source":["shop"]}"#],
                                 region: region, key: key)
            _ = try await events("PutTargets", ["Rule": "all", "EventBusName": "inbox", "Targets": [["Id": "q", "Arn": arn]]],
                                 region: region, key: key)
        }
        // Without a policy on B's bus, A's event is refused there, and not retried.
        _ = try await events("PutRule", ["Name": "out", "EventPattern": #"{"source":["shop"]}"#], region: "us-east-1", key: a)
        _ = try await events("PutTargets", ["Rule": "out", "Targets": [
            ["Id": "refused", "Arn": "arn:aws:events:us-east-1:111122223333:event-bus/inbox"],
        ]], region: "us-east-1", key: a)
        _ = try await events("PutEvents", ["Entries": [["Source": "shop", "DetailType": "t", "Detail": "{}"]]],
                             region: "us-east-1", key: a)
        let home = try #require(stack.partitions.defaultServices.byPrefix["AWSEvents"] as? BusService)
        #expect(try await home.retryDue() == 1)
        let refused = try await home.outbox()
        #expect(refused.map(\.state) == ["failed"])
        #expect(refused.map(\.errorCode) == ["AccessDeniedException"])
        _ = try await events("RemoveTargets", ["Rule": "out", "Ids": ["refused"]], region: "us-east-1", key: a)
        _ = try await events("PutPermission", ["EventBusName": "inbox", "Action": "events:PutEvents",
                                               "Principal": "000000000000", "StatementId": "from-a"],
                             region: "us-east-1", key: b)

        _ = try await events("PutTargets", ["Rule": "out", "Targets": [
            ["Id": "other-account", "Arn": "arn:aws:events:us-east-1:111122223333:event-bus/inbox"],
            ["Id": "other-region", "Arn": "arn:aws:events:eu-west-1:000000000000:event-bus/inbox"],
        ]], region: "us-east-1", key: a)
        _ = try await events("PutEvents", ["Entries": [["Source": "shop", "DetailType": "t", "Detail": "{}"]]],
                             region: "us-east-1", key: a)
        // The outbox is worked by the bus's background loop: run it by hand here.
        #expect(try await home.retryDue() == 2)
        for (region, key, url) in [("us-east-1", b, "http://127.0.0.1:4599/111122223333/landed"),
                                   ("eu-west-1", a, "http://127.0.0.1:4599/queue/eu-west-1/000000000000/landed")] {
            let received = try await stack.ok("AmazonSQS.ReceiveMessage", ["QueueUrl": .string(url)], region: region, key: key)
            let body = try JSONValue(parsing: try #require(received["Messages"]?[0]?["Body"]?.stringValue))
            #expect(body["account"] == "000000000000")
            #expect(body["region"] == "us-east-1")
            #expect(body["source"] == "shop")
        }
        #expect(try await home.outbox().map(\.state) == ["failed"])
    }

    @Test func authFileAccounts() throws {
        let lines = try AuthFile.parseKeys("""
            PLAIN s1
            OWNED s2 111122223333
            TEMP s3 token-text
            TEMPOWNED s4 token-text 444455556666
            """)
        #expect(lines == AuthFile.Keys(secrets: ["PLAIN": "s1", "OWNED": "s2", "TEMP": "s3", "TEMPOWNED": "s4"],
                                       sessionTokens: ["TEMP": "token-text", "TEMPOWNED": "token-text"],
                                       accounts: ["OWNED": "111122223333", "TEMPOWNED": "444455556666"]))
        let json = try AuthFile.parseKeys(#"""
            {"PLAIN": "s1", "OWNED": {"secret": "s2", "account": "111122223333"},
             "TEMPOWNED": {"secret": "s4", "sessionToken": "tok", "account": "444455556666"}}
            """#)
        #expect(json == AuthFile.Keys(secrets: ["PLAIN": "s1", "OWNED": "s2", "TEMPOWNED": "s4"],
                                      sessionTokens: ["TEMPOWNED": "tok"],
                                      accounts: ["OWNED": "111122223333", "TEMPOWNED": "444455556666"]))
        // A fourth field is an account or nothing; an account is twelve digits, as a string.
        #expect(throws: AuthFile.Error.self) { try AuthFile.parseKeys("K s tok 12345\n") }
        #expect(throws: AuthFile.Error.self) { try AuthFile.parseKeys("K s tok 111122223333 extra\n") }
        #expect(throws: AuthFile.Error.self) { try AuthFile.parseKeys(#"{"K": {"secret": "s", "account": 111122223333}}"#) }
        #expect(throws: AuthFile.Error.self) { try AuthFile.parseKeys(#"{"K": {"secret": "s", "account": "1111"}}"#) }
    }

    @Test func regionAndAccountNames() {
        for region in ["us-east-1", "eu-west-1", "local", "us-gov-west-1"] { #expect(StackPartition.isValidRegion(region)) }
        for region in ["", "EU-WEST-1", "../x", "1region", "eu_west_1", String(repeating: "a", count: 33)] {
            #expect(!StackPartition.isValidRegion(region), "\(region)")
        }
        #expect(StackPartition.isValidAccountId("111122223333"))
        #expect(!StackPartition.isValidAccountId("11112222333"))
        #expect(!StackPartition.isValidAccountId("11112222333a"))
    }
}
