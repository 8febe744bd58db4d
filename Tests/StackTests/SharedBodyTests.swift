import Foundation
import GRDB
import JSON
import Testing
import Timekeeping
@testable import Stack

/// An event delivered to several queues is stored once, not once per queue: the messages name
/// one shared copy (an event with a single delivery keeps its body in its message). These
/// tests hold the copy to the promises a message body has (every receiver reads it whole, with
/// its digest; it outlives a restart) and check that it is released with the last message
/// naming it, whichever way that message leaves.
@Suite("Shared message bodies")
struct SharedBodyTests {
    /// Three rules match every `orders` event, each delivering to its own queue.
    static func fanOut(_ stack: BusTestStack) async throws -> [String] {
        var urls: [String] = []
        for name in ["a", "b", "c"] {
            urls.append(try await stack.createQueue(name))
            try await stack.events("PutRule", ["Name": .string("to-\(name)"), "EventPattern": #"{"source":["orders"]}"#])
            try await stack.events("PutTargets", ["Rule": .string("to-\(name)"), "Targets": [["Id": "q", "Arn": .string(stack.queueArn(name))]]])
        }
        return urls
    }

    static func sharedRows(_ stack: BusTestStack) async throws -> (count: Int, refs: Int) {
        try await stack.store.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(refs), 0) FROM sqs_shared_body")
            return (row?[0] ?? -1, row?[1] ?? -1)
        }
    }

    /// Receives every message of a queue and deletes each one; returns their bodies.
    static func drain(_ stack: BusTestStack, _ url: String) async throws -> [String] {
        var bodies: [String] = []
        while true {
            let received = try await stack.sqs("ReceiveMessage", ["QueueUrl": .string(url), "MaxNumberOfMessages": 10])
            let messages = received["Messages"]?.arrayValue ?? []
            if messages.isEmpty { return bodies }
            for message in messages {
                let body = message["Body"]?.stringValue ?? ""
                #expect(message["MD5OfBody"]?.stringValue == MessageAttributes.md5(body: body))
                bodies.append(body)
                try await stack.sqs("DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": message["ReceiptHandle"] ?? .null])
            }
        }
    }

    @Test("every queue receives the whole envelope from one shared copy")
    func fanOutSharesOneCopy() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let urls = try await Self.fanOut(stack)
        let put = try await stack.putEvent(detail: ["orderId": "o-1", "note": .string(String(repeating: "x", count: 900))])
        let id = put["Entries"]?[0]?["EventId"]?.stringValue
        #expect(try await Self.sharedRows(stack) == (1, 3))
        var texts: Set<String> = []
        for url in urls {
            let bodies = try await stack.bodies(url)
            #expect(bodies.count == 1)
            texts.formUnion(bodies)
        }
        #expect(texts.count == 1)
        #expect(try JSONValue(parsing: texts.first ?? "")["id"]?.stringValue == id)

        // Released with the last message naming it, whichever queue it is in.
        #expect(try await Self.drain(stack, urls[1]) == Array(texts))
        #expect(try await Self.sharedRows(stack) == (1, 2))
        #expect(try await Self.drain(stack, urls[2]) == Array(texts))
        #expect(try await Self.sharedRows(stack) == (1, 1))
        #expect(try await Self.drain(stack, urls[0]) == Array(texts))
        #expect(try await Self.sharedRows(stack) == (0, 0))
    }

    @Test("a copy stored for three deliveries of which one is refused is counted for two")
    func refusedDeliveryIsNotCounted() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let urls = try await Self.fanOut(stack)
        try await stack.sqs("SetQueueAttributes", ["QueueUrl": .string(urls[2]), "Attributes": ["MaximumMessageSize": "1024"]])
        _ = try await stack.putEvent(detail: ["note": .string(String(repeating: "x", count: 1500))])
        #expect(try await Self.sharedRows(stack) == (1, 2))
        #expect(try await stack.bodies(urls[2]).isEmpty)
        #expect(try await Self.drain(stack, urls[0]).count == 1)
        #expect(try await Self.drain(stack, urls[1]).count == 1)
        #expect(try await Self.sharedRows(stack) == (0, 0))
    }

    @Test("an event with one delivery, or delivered to FIFO queues, keeps its body in its messages")
    func singleAndFifoDeliveriesKeepTheirOwnCopy() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let url = try await stack.createQueue("only")
        try await stack.events("PutRule", ["Name": "only", "EventPattern": #"{"source":["billing"]}"#])
        try await stack.events("PutTargets", ["Rule": "only", "Targets": [["Id": "q", "Arn": .string(stack.queueArn("only"))]]])
        for name in ["f1.fifo", "f2.fifo"] {
            _ = try await stack.createQueue(name, ["FifoQueue": "true"])
            try await stack.events("PutRule", ["Name": .string("to-\(name.prefix(2))"), "EventPattern": #"{"source":["ledger"]}"#])
            try await stack.events("PutTargets", ["Rule": .string("to-\(name.prefix(2))"), "Targets": [
                ["Id": "q", "Arn": .string(stack.queueArn(name)), "SqsParameters": ["MessageGroupId": "g"]],
            ]])
        }
        _ = try await stack.putEvent(source: "billing", detail: ["n": 1])
        _ = try await stack.putEvent(source: "ledger", detail: ["n": 2])
        #expect(try await Self.sharedRows(stack) == (0, 0))
        #expect(try await stack.bodies(url).count == 1)
        for name in ["f1.fifo", "f2.fifo"] {
            let bodies = try await stack.bodies("http://127.0.0.1:4599/000000000000/\(name)")
            #expect(bodies.count == 1)
        }
    }

    @Test("purge, queue deletion and retention release shared copies too")
    func otherWaysOutReleaseTheCopy() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let urls = try await Self.fanOut(stack)
        for index in 0..<5 { _ = try await stack.putEvent(detail: ["n": .number(Double(index))]) }
        #expect(try await Self.sharedRows(stack) == (5, 15))
        try await stack.sqs("PurgeQueue", ["QueueUrl": .string(urls[1])])
        #expect(try await Self.sharedRows(stack) == (5, 10))
        try await stack.sqs("DeleteQueue", ["QueueUrl": .string(urls[2])])
        #expect(try await Self.sharedRows(stack) == (5, 5))
        #expect(try await stack.bodies(urls[0]).count == 5)
        try await stack.sqs("PurgeQueue", ["QueueUrl": .string(urls[0])])
        #expect(try await Self.sharedRows(stack) == (0, 0))

        for url in urls.prefix(2) {
            try await stack.sqs("SetQueueAttributes", ["QueueUrl": .string(url), "Attributes": ["MessageRetentionPeriod": "60"]])
        }
        #expect(try await stack.createQueue("c", ["MessageRetentionPeriod": "120"]) == urls[2])
        _ = try await stack.putEvent(detail: ["n": 9])
        #expect(try await Self.sharedRows(stack) == (1, 3))
        stack.clock.advance(by: .seconds(61))
        try await stack.queues.deleteExpired()
        #expect(try await Self.sharedRows(stack) == (1, 1))
        stack.clock.advance(by: .seconds(60))
        try await stack.queues.deleteExpired()
        #expect(try await Self.sharedRows(stack) == (0, 0))
    }

    @Test("shared copies survive reopening the store, and dead-letter moves keep theirs")
    func sharedCopiesAreDurable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-shared-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var expected: [String] = []
        do {
            let stack = try BusTestStack(directory: directory)
            let urls = try await Self.fanOut(stack)
            _ = try await stack.createQueue("dlq")
            try await stack.sqs("SetQueueAttributes", ["QueueUrl": .string(urls[2]), "Attributes": [
                "RedrivePolicy": .string(#"{"deadLetterTargetArn":"\#(stack.queueArn("dlq"))","maxReceiveCount":"1"}"#),
            ]])
            for index in 0..<3 { _ = try await stack.putEvent(detail: ["n": .number(Double(index))]) }
            expected = try await stack.bodies(urls[0]).sorted()
            #expect(try await stack.bodies(urls[2]).sorted() == expected)
        }
        let reopened = try BusTestStack(directory: directory)
        let url = { (name: String) in "http://127.0.0.1:4599/000000000000/\(name)" }
        #expect(try await reopened.bodies(url("b")).sorted() == expected)
        // Queue c's messages were received once (by `bodies`); the next receive moves them to the DLQ.
        let again = try await reopened.sqs("ReceiveMessage", ["QueueUrl": .string(url("c")), "MaxNumberOfMessages": 10])
        let movedCount = again["Messages"]?.arrayValue?.count ?? 0
        #expect(movedCount == 0)
        #expect(try await Self.drain(reopened, url("dlq")).sorted() == expected)
        #expect(try await Self.drain(reopened, url("b")).sorted() == expected)
        #expect(try await Self.sharedRows(reopened) == (3, 3)) // queue a still holds its messages
        #expect(try await Self.drain(reopened, url("a")).sorted() == expected)
        #expect(try await Self.sharedRows(reopened) == (0, 0))
    }
}
