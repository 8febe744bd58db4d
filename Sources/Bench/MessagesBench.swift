import Foundation
import JSON
import Stack
import StackProtocol

/// The "messages" area: what the stream's `messages` topic costs SendMessage. One durable store,
/// three queue services on it, SendMessage from 32 concurrent clients, side by side and
/// alternating over several rounds (this machine is noisy):
/// - no hub at all: the code path before the topic existed;
/// - a hub with a viewer of the other topics only (a console that does not watch messages);
/// - a hub with a viewer of `messages` that reads every frame.
/// The figure to read is the ratio of the second to the first: the topic's cost when nobody
/// listens (goal: nothing measurable).
enum MessagesBench {
    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StackStore(directory: directory, migrations: StackAssembly.migrations)
        let otherHub = StreamHub(), watchedHub = StreamHub()
        let other = otherHub.subscribe(topics: [.events, .queues, .executions, .breakers], capacity: 65_536)
        let watcher = watchedHub.subscribe(topics: [.messages], capacity: 65_536)
        let reader = Task { var count = 0; for await _ in watcher { count += 1 }; return count }
        let setups: [(name: String, hub: StreamHub?)] = [("no hub", nil), ("hub, nobody on messages", otherHub),
                                                         ("hub, one viewer of messages", watchedHub)]
        let services = setups.map { setup in
            QueueService(store: store, accountId: "000000000000", region: "us-east-1", hub: setup.hub)
        }
        let doors = services.map { FrontDoor(services: [$0], accountId: "000000000000", region: "us-east-1", credentials: nil) }
        @Sendable func call(_ door: FrontDoor, _ operation: String, _ input: JSONValue) async -> JSONValue {
            let response = await door.respond(to: FrontDoorRequest(headers: [
                ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.\(operation)"),
            ], body: Array(input.serialized.utf8)))
            return (try? JSONValue(parsing: response.body)) ?? .null
        }
        let url = await call(doors[0], "CreateQueue", ["QueueName": "bench"])["QueueUrl"]?.stringValue ?? ""
        let body = JSONValue.object(["detail": ["orderId": "ord-12345", "items": .array((0..<5).map { .number(Double($0)) })]]).serialized
        let perRound = 4_000, clients = 32, rounds = 5
        var rates = Array(repeating: [Double](), count: setups.count)
        for round in 0..<rounds {
            // Alternate the order each round so no setup always runs first.
            let order = round % 2 == 0 ? Array(setups.indices) : Array(setups.indices.reversed())
            for index in order {
                let door = doors[index]
                let start = ContinuousClock.now
                await withTaskGroup(of: Void.self) { group in
                    for client in 0..<clients {
                        group.addTask {
                            for _ in stride(from: client, to: perRound, by: clients) {
                                _ = await call(door, "SendMessage", ["QueueUrl": .string(url), "MessageBody": .string(body)])
                            }
                        }
                    }
                }
                rates[index].append(Double(perRound) / StackBench.seconds(ContinuousClock.now - start))
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        for (index, setup) in setups.enumerated() {
            let sorted = rates[index].sorted()
            let ratio = zip(rates[index], rates[0]).map { $0 / $1 }.sorted()
            print(String(format: "SendMessage (durable, %d clients) %@: median %.0f msg/s (%.0f–%.0f); ratio to no hub per round: median %.2f (%.2f–%.2f)",
                         clients, setup.name, sorted[sorted.count / 2], sorted.first ?? 0, sorted.last ?? 0,
                         ratio[ratio.count / 2], ratio.first ?? 0, ratio.last ?? 0))
        }
        otherHub.unsubscribe(other)
        watchedHub.unsubscribe(watcher)
        print("frames the messages viewer read: \(await reader.value) (dropped \(watcher.droppedTotal))")
    }
}
