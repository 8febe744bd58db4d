import Chaos
import Foundation
import JSON
import StackClient
import Timekeeping

/// A task failure as the saga's Catch sees it: `error` is the name ErrorEquals matches.
///
/// The seed's Catch clauses have no ResultPath, so the compensating step receives only
/// `{"Error", "Cause"}`. The cause therefore carries the order as JSON
/// (`{"message": "...", "order": {...}}`), so that compensations know what to undo and the
/// correlation id survives the failure.
public struct TaskFailure: Error, Sendable {
    public var error: String
    public var cause: String

    public init(error: String, cause: String) {
        self.error = error
        self.cause = cause
    }

    public init(error: String, message: String, order: JSONValue) {
        self.init(error: error, cause: JSONValue.object(["message": .string(message), "order": order]).serialized)
    }

    /// The order a compensating step works on: from the cause of the failure it follows, or
    /// the input itself when it follows a successful step.
    public static func order(inCompensationInput input: JSONValue) -> JSONValue {
        if let cause = input["Cause"]?.stringValue, let parsed = try? JSONValue(parsing: cause),
           let order = parsed["order"], order.objectValue != nil {
            return order
        }
        return input
    }
}

/// Polls one activity (GetActivityTask long polls) with a few concurrent pollers, runs the
/// handler on each task and answers SendTaskSuccess or SendTaskFailure. A task that runs
/// longer than a second is kept alive with SendTaskHeartbeat. While its service is `down`,
/// it polls nothing: tasks wait in the stack until it comes back.
struct ActivityWorker: Sendable {
    typealias Handler = @Sendable (JSONValue) async throws(TaskFailure) -> JSONValue

    let client: AWSClient
    let activity: String
    let activityArn: String
    /// The chaos service this worker belongs to (`inventory`).
    let service: String
    let chaos: ChaosControl
    let counters: DemoCounters
    let pollers: Int
    let clock: any TimeSource
    let handler: Handler

    /// Longer than GetActivityTask's 60-second hold, so a long poll is never cut short by us.
    static let pollTimeout = Duration.seconds(75)
    static let heartbeatEvery = Duration.seconds(1)

    func run() async {
        await withDiscardingTaskGroup { group in
            for index in 1...max(1, pollers) {
                group.addTask { await poll(worker: "\(service)-1/\(activity)#\(index)") }
            }
        }
    }

    private func poll(worker: String) async {
        while !Task.isCancelled {
            if chaos.current.isDown(service) {
                try? await clock.sleep(for: .milliseconds(500))
                continue
            }
            let answer: JSONValue
            do {
                answer = try await client.call(.stepFunctions, "GetActivityTask", [
                    "activityArn": .string(activityArn), "workerName": .string(worker),
                ], timeout: Self.pollTimeout)
            } catch {
                if Task.isCancelled { return }
                counters.callFailed("GetActivityTask \(activity): \(error)")
                try? await clock.sleep(for: .seconds(1))
                continue
            }
            guard let token = answer["taskToken"]?.stringValue, !token.isEmpty else { continue }
            let input = answer["input"]?.stringValue.flatMap { try? JSONValue(parsing: $0) } ?? [:]
            await handle(token: token, input: input)
        }
    }

    private func handle(token: String, input: JSONValue) async {
        let client = self.client, clock = self.clock
        let heartbeats = Task {
            while true {
                try await clock.sleep(for: Self.heartbeatEvery)
                _ = try? await client.call(.stepFunctions, "SendTaskHeartbeat", ["taskToken": .string(token)])
            }
        }
        let result: Result<JSONValue, TaskFailure>
        do {
            result = .success(try await handler(input))
        } catch {
            result = .failure(error)
        }
        heartbeats.cancel()
        do {
            switch result {
            case .success(let output):
                _ = try await client.call(.stepFunctions, "SendTaskSuccess", [
                    "taskToken": .string(token), "output": .string(output.serialized),
                ])
            case .failure(let failure):
                _ = try await client.call(.stepFunctions, "SendTaskFailure", [
                    "taskToken": .string(token), "error": .string(failure.error), "cause": .string(failure.cause),
                ])
            }
        } catch {
            counters.callFailed("answering a \(activity) task: \(error)")
        }
    }
}

extension JSONValue {
    /// This object with `fields` added (replacing same-named members): a task's output is its
    /// input plus what it did, so the order and its correlation id travel through the saga.
    func adding(_ fields: JSONObject) -> JSONValue {
        var object = objectValue ?? [:]
        for (key, value) in fields { object[key] = value }
        return .object(object)
    }
}

/// A roll of the dice for a fault's probability.
enum Dice {
    static func roll(_ probability: Double) -> Bool {
        probability > 0 && Double.random(in: 0..<1) < probability
    }

    /// A stable draw in 0..<1 for `key` (FNV-1a): the same message is poison on every
    /// delivery, so it really ends in the dead-letter queue.
    static func stable(_ key: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Double(hash >> 11) / Double(UInt64(1) << 53)
    }

    static func identifier(_ prefix: String) -> String {
        prefix + "-" + UUID().uuidString.prefix(8).lowercased()
    }
}
