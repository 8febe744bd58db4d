import Foundation
import JSON
import Stack

/// The "saga" area: durable state transitions per second through the Step Functions front door
/// on a real store (SQLite WAL, synchronous=FULL), without HTTP. A transition is one history
/// event committed. Goal: ≥ 5,000/s (AWS's standard-workflow refill rate in us-east-1).
enum SagaBench {
    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StackStore(directory: directory, migrations: StackAssembly.migrations)
        let sagas = SagaService(store: store, accountId: "000000000000", region: "us-east-1", activityPollLimit: .milliseconds(200))
        let door = FrontDoor(services: [sagas], accountId: "000000000000", region: "us-east-1", credentials: nil)

        @Sendable func call(_ operation: String, _ input: JSONValue) async -> JSONValue {
            let response = await door.respond(to: FrontDoorRequest(headers: [
                ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AWSStepFunctions.\(operation)"),
            ], body: Array(input.serialized.utf8)))
            return (try? JSONValue(parsing: response.body)) ?? .null
        }
        @Sendable func events(_ execution: String) async -> Int {
            var total = 0
            var token: JSONValue? = nil
            repeat {
                var input: JSONObject = ["executionArn": .string(execution), "maxResults": 1000, "includeExecutionData": false]
                if let token { input["nextToken"] = token }
                let page = await call("GetExecutionHistory", .object(input))
                total += page["events"]?.arrayValue?.count ?? 0
                token = page["nextToken"]
            } while token != nil
            return total
        }
        let role: JSONValue = "arn:aws:iam::000000000000:role/bench"

        // 1. Long Pass chains: 200 states each, 40 executions started concurrently.
        var states = JSONObject()
        let length = 200
        for index in 0..<length {
            states["S\(index)"] = index == length - 1 ? ["Type": "Pass", "End": true] : ["Type": "Pass", "Next": .string("S\(index + 1)")]
        }
        let chain = JSONValue.object(["StartAt": "S0", "States": .object(states)]).serialized
        let chainArn = await call("CreateStateMachine", ["name": "chain", "definition": .string(chain), "roleArn": role])["stateMachineArn"] ?? .null
        let runs = 40
        var clock = ContinuousClock.now
        let chainArns = await withTaskGroup(of: String.self) { group in
            for run in 0..<runs {
                group.addTask { await call("StartExecution", ["stateMachineArn": chainArn, "name": .string("c\(run)")])["executionArn"]?.stringValue ?? "" }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var elapsed = seconds(ContinuousClock.now - clock)
        var transitions = 0
        for arn in chainArns { transitions += await events(arn) }
        print(String(format: "Pass chains (%d × %d states, durable): %d transitions in %.2f s = %.0f transitions/s",
                     runs, length, transitions, elapsed, Double(transitions) / elapsed))

        // 2. The seed's order saga with in-process workers: 8 workers per activity.
        let saga = #"{"StartAt":"ReserveInventory","States":{"ReserveInventory":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:inventory-reserve","Catch":[{"ErrorEquals":["States.ALL"],"Next":"SagaFailed"}],"Next":"ChargePayment"},"ChargePayment":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:payment-charge","Catch":[{"ErrorEquals":["States.ALL"],"Next":"CompensateInventory"}],"Next":"ShipOrder"},"ShipOrder":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:shipping-create","Catch":[{"ErrorEquals":["States.ALL"],"Next":"CompensatePayment"}],"End":true},"CompensateInventory":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:inventory-release","Next":"SagaFailed"},"CompensatePayment":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:payment-refund","Next":"CompensateInventory"},"SagaFailed":{"Type":"Fail"}}}"#
        let sagaArn = await call("CreateStateMachine", ["name": "order-saga", "definition": .string(saga), "roleArn": role])["stateMachineArn"] ?? .null
        let activities = ["inventory-reserve", "payment-charge", "shipping-create"]
        var activityArns: [JSONValue] = []
        for name in activities { activityArns.append(await call("CreateActivity", ["name": .string(name)])["activityArn"] ?? .null) }
        let orders = 600, starters = 8
        clock = ContinuousClock.now
        let sagaArns = await withTaskGroup(of: [String].self) { group in
            // Orders arrive from several callers at once, as from a service's request handlers.
            for starter in 0..<starters {
                group.addTask {
                    var arns: [String] = []
                    for order in stride(from: starter, to: orders, by: starters) {
                        arns.append(await call("StartExecution", ["stateMachineArn": sagaArn, "name": .string("o\(order)"),
                                                                  "input": .string(#"{"orderId":"o\#(order)"}"#)])["executionArn"]?.stringValue ?? "")
                    }
                    return arns
                }
            }
            for activity in activityArns {
                for _ in 0..<8 {
                    group.addTask {
                        var idle = 0
                        while idle < 2 {
                            let task = await call("GetActivityTask", ["activityArn": activity])
                            guard let token = task["taskToken"] else { idle += 1; continue }
                            idle = 0
                            _ = await call("SendTaskSuccess", ["taskToken": token, "output": .string(task["input"]?.stringValue ?? "{}")])
                        }
                        return []
                    }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        // The workers stop after two idle 200 ms polls; that idle tail is not work.
        elapsed = seconds(ContinuousClock.now - clock) - 0.4
        transitions = 0
        var succeeded = 0
        for arn in sagaArns {
            transitions += await events(arn)
            if await call("DescribeExecution", ["executionArn": .string(arn)])["status"]?.stringValue == "SUCCEEDED" { succeeded += 1 }
        }
        print(String(format: "Order saga (%d orders from %d concurrent starters, 8 in-process workers per activity, durable): %d/%d succeeded, %d transitions in %.2f s = %.0f transitions/s",
                     orders, starters, succeeded, orders, transitions, elapsed, Double(transitions) / elapsed))
        let stats = store.commitStatistics
        print("store: \(stats.writes) writes in \(stats.commits) commits")
        print("moto: not measured — moto 5.2.1 has no activities (GetActivityTask) and its interpreter failed on this version (NOTES.md)")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
