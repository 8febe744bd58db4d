import Foundation
import GRDB
import Testing
import Wire
@testable import Stack

@Suite struct StoreTests {
    @Test func usesWALWithFullSynchronousCommits() throws {
        let stack = try TemporaryStack()
        let settings = try stack.store.durabilitySettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2) // FULL: the WAL is fsynced at every commit
    }

    /// A batch of `.committed` writes skips the fsync (synchronous NORMAL); the next `.synced`
    /// write puts the writer back to FULL, and both kinds of write are there after reopening.
    @Test func committedWritesSkipTheFsyncAndSyncedOnesRestoreIt() async throws {
        let stack = try TemporaryStack()
        let insert = "INSERT INTO sqs_queue (name, fifo, settings, tags, created_at, modified_at) VALUES (?, 0, '{}', '{}', 0, 0)"
        try await stack.store.write(durability: .committed) { db in try db.execute(sql: insert, arguments: ["relaxed"]) }
        #expect(try stack.store.durabilitySettings().synchronous == 1) // NORMAL
        try await stack.store.write { db in try db.execute(sql: insert, arguments: ["flushed"]) }
        #expect(try stack.store.durabilitySettings().synchronous == 2) // FULL again
        let reopened = try StackStore(directory: stack.directory, migrations: StackAssembly.migrations)
        let names = try await reopened.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqs_queue ORDER BY name") }
        #expect(names == ["flushed", "relaxed"])
    }

    @Test func migrationsRunOnceAndDataSurvivesReopening() async throws {
        let stack = try TemporaryStack()
        _ = try await stack.createQueue("kept")
        let reopened = try StackStore(directory: stack.directory, migrations: StackAssembly.migrations)
        let names = try await reopened.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqs_queue") }
        #expect(names == ["kept"])
    }

    @Test func awsErrorsRollBackTheWholeTransaction() async throws {
        let stack = try TemporaryStack()
        await #expect(throws: AWSError.self) {
            try await stack.store.write { db in
                try db.execute(sql: "INSERT INTO sqs_queue (name, fifo, settings, tags, created_at, modified_at) VALUES ('half', 0, '{}', '{}', 0, 0)")
                throw QueueError.queueDoesNotExist()
            }
        }
        let count = try await stack.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqs_queue") }
        #expect(count == 0)
    }

    @Test func concurrentWritesCommitTogetherButFailIndependently() async throws {
        let stack = try TemporaryStack()
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask {
                    do {
                        try await stack.store.write { db in
                            try db.execute(sql: "INSERT INTO sqs_queue (name, fifo, settings, tags, created_at, modified_at) VALUES (?, 0, '{}', '{}', 0, 0)",
                                           arguments: ["q\(index)"])
                            if index % 2 == 1 { throw QueueError.queueDoesNotExist() }
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var outcomes: [Bool] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.filter { $0 }.count == 20)
        let names = try await stack.store.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqs_queue") }
        #expect(names.count == 20)
        #expect(names.allSatisfy { Int($0.dropFirst())! % 2 == 0 })
        let statistics = stack.store.commitStatistics
        #expect(statistics.writes == 40 && statistics.commits <= 40)
    }
}

@Suite struct FrontDoorTests {
    @Test func routesByTargetAndAnswersRequestIds() async throws {
        let stack = try TemporaryStack()
        let result = await stack.sqs("ListQueues", [:])
        #expect(result.status == 200)
        #expect(result.headers["x-amzn-requestid"]?.count == 36)
        #expect(result.headers["content-type"] == "application/x-amz-json-1.0")
    }

    @Test func unknownOperationsAndServicesAreAWSErrors() async throws {
        let stack = try TemporaryStack()
        let unknownOperation = await stack.sqs("Explode", [:])
        #expect(unknownOperation.status == 400)
        #expect(unknownOperation.body["__type"] == "com.amazon.coral.service#UnknownOperationException")
        let response = await stack.frontDoor.respond(to: FrontDoorRequest(headers: [("X-Amz-Target", "Nope.Op")], body: []))
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("UnknownOperationException"))
    }

    @Test func queryCompatibleHeaderCarriesTheLegacyCode() async throws {
        let stack = try TemporaryStack()
        let result = await stack.sqs("GetQueueUrl", ["QueueName": "missing"])
        #expect(result.status == 400)
        #expect(result.body["__type"] == "com.amazonaws.sqs#QueueDoesNotExist")
        #expect(result.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender")
    }

    @Test func malformedInputChangesNothing() async throws {
        let stack = try TemporaryStack()
        for body in ["{", "[]", #"{"QueueName": 7}"#, #"{"QueueName": "ok", "Attributes": {"VisibilityTimeout": 5}}"#] {
            let response = await stack.frontDoor.respond(to: FrontDoorRequest(headers: [
                ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.CreateQueue"),
            ], body: Array(body.utf8)))
            #expect(response.status == 400, "\(body)")
        }
        let count = try await stack.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqs_queue") }
        #expect(count == 0)
        #expect(stack.frontDoor.metrics.count(code: "SerializationException") == 4)
    }

    @Test func verifiesSignaturesWhenCredentialsAreConfigured() async throws {
        let stack = try TemporaryStack()
        let guarded = FrontDoor(services: [stack.queues], accountId: "000000000000", region: "us-east-1",
                                credentials: ["AKID": "secret"])
        let body = Array("{}".utf8)
        let unsigned = SigV4Request(method: "POST", path: "/", headers: [
            ("Host", "localhost"), ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.ListQueues"),
        ], body: body)
        let now = Int64(Date().timeIntervalSince1970)
        for (secret, status) in [("secret", 200), ("wrong", 403)] {
            let signed = SigV4Signer(credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: secret),
                                     region: "us-east-1", service: "sqs").sign(unsigned, unixSeconds: now)
            let response = await guarded.respond(to: FrontDoorRequest(headers: signed.headers, body: body))
            #expect(response.status == status)
        }
        let missing = await guarded.respond(to: FrontDoorRequest(headers: unsigned.headers, body: body))
        #expect(missing.status == 403)
    }

    @Test func authFileForms() throws {
        #expect(try AuthFile.parse("# keys\nAKID1 s1\n\nAKID2\ts2\n") == ["AKID1": "s1", "AKID2": "s2"])
        #expect(try AuthFile.parse(#"{"AKID": "secret"}"#) == ["AKID": "secret"])
        #expect(throws: AuthFile.Error.self) { try AuthFile.parse("only-one-field\n") }
        #expect(throws: AuthFile.Error.self) { try AuthFile.parse("") }
    }
}
