import Foundation
import JSON
import Stack

/// The "stack" area: SQS throughput and latency through the front door on a real, durable store
/// (SQLite WAL, synchronous=FULL, in a temporary directory), without HTTP. For wire-level
/// figures side by side with moto_server, see scripts/bench-sqs.py.
enum StackBench {
    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StackStore(directory: directory, migrations: StackAssembly.migrations)
        let queues = QueueService(store: store, accountId: "000000000000", region: "us-east-1")
        let door = FrontDoor(services: [queues], accountId: "000000000000", region: "us-east-1", credentials: nil)

        @Sendable func call(_ operation: String, _ input: JSONValue) async -> JSONValue {
            let response = await door.respond(to: FrontDoorRequest(headers: [
                ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.\(operation)"),
            ], body: Array(input.serialized.utf8)))
            return (try? JSONValue(parsing: response.body)) ?? .null
        }

        let url = await call("CreateQueue", ["QueueName": "bench"])["QueueUrl"]?.stringValue ?? ""
        let payload = String(repeating: "x", count: 200)
        // The same load from 8 and from 32 concurrent clients: more clients put more work in
        // each group commit.
        for senders in [8, 32] {
            await sendReceiveDelete(url: url, payload: payload, senders: senders, store: store, call: call)
        }

        // Send → receive latency on an otherwise idle queue (one message at a time).
        var roundTrips: [Double] = []
        for _ in 0..<300 {
            let start = ContinuousClock.now
            _ = await call("SendMessage", ["QueueUrl": .string(url), "MessageBody": .string(payload)])
            let got = await call("ReceiveMessage", ["QueueUrl": .string(url)])
            roundTrips.append(seconds(ContinuousClock.now - start))
            if let handle = got["Messages"]?[0]?["ReceiptHandle"] {
                _ = await call("DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": handle])
            }
        }
        print(String(format: "send→receive latency, idle queue: p50 %.2f ms, p99 %.2f ms (n=%d)",
                     percentile(roundTrips, 0.5) * 1000, percentile(roundTrips, 0.99) * 1000, roundTrips.count))
    }

    /// SendMessageBatch (10 per batch) from `senders` concurrent clients, then ReceiveMessage
    /// (10) + DeleteMessageBatch from as many consumers; latency = receive - send.
    static func sendReceiveDelete(url: String, payload: String, senders: Int, store: StackStore,
                                  call: @escaping @Sendable (String, JSONValue) async -> JSONValue) async {
        let batches = 400
        let sendBefore = store.commitStatistics

        // Each message carries its send time.
        var clock = ContinuousClock.now
        let origin = clock
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    for batch in stride(from: sender, to: batches, by: senders) {
                        let sentAt = ContinuousClock.now - origin
                        let entries: [JSONValue] = (0..<10).map { index in
                            ["Id": .string("e\(index)"),
                             "MessageBody": .string("\(payload)|\(sentAt.components.seconds)|\(sentAt.components.attoseconds)|\(batch)")]
                        }
                        _ = await call("SendMessageBatch", ["QueueUrl": .string(url), "Entries": .array(entries)])
                    }
                }
            }
        }
        let sendSeconds = seconds(ContinuousClock.now - clock)
        let total = batches * 10
        let commits = store.commitStatistics
        print(String(format: "SendMessageBatch (durable, %d senders, 10/batch): %d messages in %.2f s = %.0f msg/s; %d writes in %d commits (group commit)",
                     senders, total, sendSeconds, Double(total) / sendSeconds, commits.writes - sendBefore.writes, commits.commits - sendBefore.commits))

        clock = ContinuousClock.now
        let receiveBefore = store.commitStatistics
        let latencies = await withTaskGroup(of: [Double].self) { group in
            for _ in 0..<senders {
                group.addTask {
                    var latencies: [Double] = []
                    while true {
                        let got = await call("ReceiveMessage", ["QueueUrl": .string(url), "MaxNumberOfMessages": 10])
                        let messages = got["Messages"]?.arrayValue ?? []
                        if messages.isEmpty { break }
                        let now = ContinuousClock.now - origin
                        for message in messages {
                            let parts = (message["Body"]?.stringValue ?? "").split(separator: "|")
                            if parts.count == 4, let s = Int64(parts[1]), let a = Int64(parts[2]) {
                                latencies.append(seconds(now - Duration(secondsComponent: s, attosecondsComponent: a)))
                            }
                        }
                        let entries: [JSONValue] = messages.enumerated().map { index, message in
                            ["Id": .string("d\(index)"), "ReceiptHandle": message["ReceiptHandle"] ?? ""]
                        }
                        _ = await call("DeleteMessageBatch", ["QueueUrl": .string(url), "Entries": .array(entries)])
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for await part in group { all += part }
            return all
        }
        let receiveSeconds = seconds(ContinuousClock.now - clock)
        let receiveAfter = store.commitStatistics
        print(String(format: "ReceiveMessage+DeleteMessageBatch (durable, %d consumers): %d messages in %.2f s = %.0f msg/s; %d writes in %d commits",
                     senders, latencies.count, receiveSeconds, Double(latencies.count) / receiveSeconds,
                     receiveAfter.writes - receiveBefore.writes, receiveAfter.commits - receiveBefore.commits))

        print(String(format: "send→receive latency under this load: p50 %.0f ms, p99 %.0f ms (backlog included)",
                     percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }
}
