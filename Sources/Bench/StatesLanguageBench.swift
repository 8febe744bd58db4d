import Foundation
import JSON
import StatesLanguage

/// `signalbox-bench asl`: interpreter speed in state transitions per second (a transition is
/// one state entered), with tasks completed in memory at once. The figures bound what the
/// Step Functions service can reach before storage and the network are added.
enum StatesLanguageBench {
    static let context = ExecutionContext(
        executionArn: "arn:aws:states:us-east-1:123456789012:execution:bench:run",
        name: "run", stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:bench",
        stateMachineName: "bench", roleArn: "arn:aws:iam::123456789012:role/bench")

    static let orderSaga = #"""
    {"Comment": "Order Saga", "StartAt": "ReserveInventory", "States": {
      "ReserveInventory": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-reserve",
                           "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "SagaFailed"}], "Next": "ChargePayment"},
      "ChargePayment": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:payment-charge",
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensateInventory"}], "Next": "ShipOrder"},
      "ShipOrder": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:shipping-create",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensatePayment"}], "End": true},
      "CompensateInventory": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-release", "Next": "SagaFailed"},
      "CompensatePayment": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:payment-refund", "Next": "CompensateInventory"},
      "SagaFailed": {"Type": "Fail"}}}
    """#

    static func passChain(length: Int) -> String {
        var states: [String] = []
        for index in 0..<length {
            let next = index == length - 1 ? #""End": true"# : #""Next": "P\#(index + 1)""#
            states.append(#""P\#(index)": {"Type": "Pass", "ResultPath": "$.step", "Result": \#(index), \#(next)}"#)
        }
        return #"{"StartAt": "P0", "States": {\#(states.joined(separator: ","))}}"#
    }

    static func transitions(_ events: [HistoryEvent]) -> Int {
        events.reduce(0) { $0 + ($1.type.hasSuffix("StateEntered") ? 1 : 0) }
    }

    /// Prints wall-clock and CPU figures: on a shared, loaded machine the CPU rate is the
    /// steadier one.
    static func measure(_ label: String, _ body: () throws -> Int) rethrows {
        let cpuStart = clock()
        let wallStart = ContinuousClock.now
        let transitions = try body()
        let elapsed = ContinuousClock.now - wallStart
        let cpuSeconds = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("\(label): \(transitions) transitions in \(String(format: "%.3f", seconds)) s wall = \(Int(Double(transitions) / seconds)) transitions/s; "
              + "\(String(format: "%.3f", cpuSeconds)) s CPU = \(Int(Double(transitions) / max(cpuSeconds, 1e-9))) transitions/CPU-s")
    }

    /// Runs one saga; `failAt` names the function that fails (nil: the happy path).
    /// `store` encodes and decodes the execution after every input, as a durable host would.
    static func runSaga(_ definition: StateMachineDefinition, input: JSONValue, seed: UInt64, failAt: String?, store: Bool) throws -> Int {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var (execution, step) = Execution.start(definition: definition, context: context, input: input, at: now, seed: seed)
        var count = transitions(step.events)
        let encoder = JSONEncoder()
        var stored: Data?
        while execution.status == .running {
            guard let task = step.effects.compactMap({ effect -> TaskRequest? in
                if case .scheduleTask(let request) = effect { return request }
                return nil
            }).first else { break }
            if store { stored = try encoder.encode(execution) }
            if let failAt, task.resource.arn.hasSuffix(failAt) {
                step = try execution.taskFailed(token: task.token, error: "Injected", cause: "bench", at: now)
            } else {
                step = try execution.taskSucceeded(token: task.token, output: ["orderId": "o-1", "ok": true], at: now)
            }
            count += transitions(step.events)
        }
        if let stored {
            let reloaded = try JSONDecoder().decode(Execution.self, from: stored)
            precondition(reloaded.lastEventId > 0)
        }
        return count
    }

    static func run() throws {
        let chain = try StateMachineDefinition(parsing: passChain(length: 1000))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        measure("pass chain (1000 Pass states x 20 executions)") {
            var total = 0
            for seed in 0..<20 {
                let (_, step) = Execution.start(definition: chain, context: context, input: ["orderId": "o-1"], at: start, seed: UInt64(seed))
                total += transitions(step.events)
            }
            return total
        }

        let saga = try StateMachineDefinition(parsing: orderSaga)
        let input: JSONValue = ["orderId": "o-1", "sku": "WIDGET", "quantity": 2, "amount": 1999]
        let scenarios: [(String, String?)] = [("happy", nil), ("payment fails", "payment-charge"), ("shipping fails", "shipping-create")]
        for (store, count) in [(false, 3000), (true, 600)] {
            try measure("order saga (\(count) executions, 3 scenarios, in-memory workers\(store ? ", encoded after every input and reloaded once" : ""))") {
                var total = 0
                for seed in 0..<count {
                    let scenario = scenarios[seed % scenarios.count]
                    total += try runSaga(saga, input: input, seed: UInt64(seed), failAt: scenario.1, store: store)
                }
                return total
            }
        }
    }
}
