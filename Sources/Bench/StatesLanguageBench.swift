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

    /// The same saga with JSONata and variables (as `conformance/test_order_saga_jsonata.py`
    /// runs it): every Task builds its Arguments, two of them assign variables.
    static let orderSagaJSONata = #"""
    {"Comment": "Order Saga (JSONata)", "QueryLanguage": "JSONata", "StartAt": "ReserveInventory", "States": {
      "ReserveInventory": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-reserve",
                           "Arguments": "{% $states.input %}", "Assign": {"order": "{% $states.input %}", "reserved": "{% $states.result %}"},
                           "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "SagaFailed"}], "Next": "ChargePayment"},
      "ChargePayment": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:payment-charge",
                        "Arguments": {"orderId": "{% $order.orderId %}", "amount": "{% $order.amount %}"},
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensateInventory"}], "Next": "ShipOrder"},
      "ShipOrder": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:shipping-create",
                    "Arguments": {"orderId": "{% $order.orderId %}", "sku": "{% $order.sku %}", "quantity": "{% $order.quantity %}"},
                    "Output": "{% $states.result %}",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensatePayment"}], "End": true},
      "CompensateInventory": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-release",
                              "Arguments": "{% $states.input %}", "Next": "SagaFailed"},
      "CompensatePayment": {"Type": "Task", "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:payment-refund",
                            "Arguments": "{% $states.input %}", "Next": "CompensateInventory"},
      "SagaFailed": {"Type": "Fail"}}}
    """#

    /// The JSONata expressions evaluated: each entered state's Arguments, Output and Assign.
    static func expressions(_ events: [HistoryEvent], _ definition: StateMachineDefinition) -> Int {
        events.reduce(0) { total, event in
            guard event.type.hasSuffix("StateEntered"), let name = event.details?["name"]?.stringValue,
                  let state = definition[name] else { return total }
            return total + state.jsonataExpressionCount
        }
    }

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
    static func runSaga(_ definition: StateMachineDefinition, input: JSONValue, seed: UInt64, failAt: String?, store: Bool,
                        expressionCount: UnsafeMutablePointer<Int>? = nil) throws -> Int {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var (execution, step) = Execution.start(definition: definition, context: context, input: input, at: now, seed: seed)
        var count = transitions(step.events)
        expressionCount?.pointee += expressions(step.events, definition)
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
            expressionCount?.pointee += expressions(step.events, definition)
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
        try compareJSONata(saga, input: input, scenarios: scenarios)
    }

    /// The JSONata saga next to the JSONPath one, alternating in one run (this machine is
    /// noisy: only a ratio measured side by side means anything). Goal: no worse than 2x.
    static func compareJSONata(_ saga: StateMachineDefinition, input: JSONValue, scenarios: [(String, String?)]) throws {
        let modern = try StateMachineDefinition(parsing: orderSagaJSONata)
        let count = 1500, rounds = 4
        var classicTime = 0.0, modernTime = 0.0, classicTransitions = 0, modernTransitions = 0, modernExpressions = 0
        func cpu(_ body: () throws -> Void) rethrows -> Double {
            let start = clock()
            try body()
            return Double(clock() - start) / Double(CLOCKS_PER_SEC)
        }
        for _ in 0..<rounds {
            classicTime += try cpu {
                for seed in 0..<count {
                    classicTransitions += try runSaga(saga, input: input, seed: UInt64(seed), failAt: scenarios[seed % 3].1, store: false)
                }
            }
            var expressions = 0
            modernTime += try cpu {
                for seed in 0..<count {
                    modernTransitions += try runSaga(modern, input: input, seed: UInt64(seed), failAt: scenarios[seed % 3].1, store: false,
                                                     expressionCount: &expressions)
                }
            }
            modernExpressions += expressions
        }
        let classicRate = Double(classicTransitions) / classicTime
        let modernRate = Double(modernTransitions) / modernTime
        print("order saga, JSONPath vs JSONata + variables (\(count) executions x \(rounds) alternating rounds, 3 scenarios, CPU time): "
              + "JSONPath \(Int(classicRate)) transitions/CPU-s; JSONata \(Int(modernRate)) transitions/CPU-s, "
              + "\(Int(Double(modernExpressions) / modernTime)) JSONata expressions/CPU-s; "
              + "JSONata takes \(String(format: "%.2f", classicRate / modernRate))x the JSONPath time per transition (goal: at most 2x)")
    }
}
