#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import StatesLanguage
import Testing

/// Drives an execution the way the Step Functions service will: it keeps the history, the
/// tasks on offer and the timers, and lets a test play worker and clock.
struct Harness {
    var execution: Execution
    var history: [HistoryEvent] = []
    var tasks: [String: TaskRequest] = [:]   // by token
    var taskOrder: [String] = []
    var timers: [String: Date] = [:]
    var outcome: ExecutionOutcome?
    var clock: Date
    /// Map Runs the execution asked for and has not seen end (the test plays the host).
    var mapRuns: [MapRunRequest] = []
    var abortedMapRuns: [String] = []
    var redrivenMapRuns: [(arn: String, count: Int)] = []

    static let context = ExecutionContext(
        executionArn: "arn:aws:states:ap-northeast-1:123456789012:execution:order-saga:run-1",
        name: "run-1",
        stateMachineArn: "arn:aws:states:ap-northeast-1:123456789012:stateMachine:order-saga",
        stateMachineName: "order-saga",
        roleArn: "arn:aws:iam::123456789012:role/saga")

    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    init(_ definitionText: String, input: JSONValue = [:], seed: UInt64 = 7) throws {
        let definition = try StateMachineDefinition(parsing: definitionText)
        clock = Self.epoch
        let (execution, step) = Execution.start(definition: definition, context: Self.context, input: input, at: clock, seed: seed)
        self.execution = execution
        apply(step)
    }

    mutating func apply(_ step: Step) {
        if let last = history.last, let first = step.events.first { #expect(first.id == last.id + 1) }
        history.append(contentsOf: step.events)
        for effect in step.effects {
            switch effect {
            case .scheduleTask(let request):
                tasks[request.token] = request
                taskOrder.append(request.token)
            case .cancelTask(let token):
                tasks[token] = nil
                taskOrder.removeAll { $0 == token }
            case .startTimer(let id, let deadline):
                timers[id] = deadline
            case .cancelTimer(let id):
                timers[id] = nil
            case .finished(let outcome):
                self.outcome = outcome
            case .startMapRun(let request):
                mapRuns.append(request)
            case .abortMapRun(let arn):
                abortedMapRuns.append(arn)
                mapRuns.removeAll { $0.mapRunArn == arn }
            case .redriveMapRun(let arn, let count):
                redrivenMapRuns.append((arn, count))
            }
        }
    }

    var types: [String] { history.map(\.type) }

    /// The oldest task on offer whose resource ARN ends with `suffix`.
    func token(for suffix: String) -> String? {
        taskOrder.first { tasks[$0]?.resource.arn.hasSuffix(suffix) == true }
    }

    mutating func succeed(_ suffix: String, output: JSONValue) throws {
        let found = try #require(token(for: suffix), "no task for \(suffix); tasks: \(tasks.values.map(\.resource.arn))")
        tasks[found] = nil
        taskOrder.removeAll { $0 == found }
        apply(try execution.taskSucceeded(token: found, output: output, at: clock))
    }

    mutating func failTask(_ suffix: String, error: String?, cause: String? = nil) throws {
        let found = try #require(token(for: suffix), "no task for \(suffix)")
        tasks[found] = nil
        taskOrder.removeAll { $0 == found }
        apply(try execution.taskFailed(token: found, error: error, cause: cause, at: clock))
    }

    /// Moves the clock to the earliest timer and fires it.
    mutating func fireNextTimer() throws {
        let (id, deadline) = try #require(timers.min { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) })
        clock = max(clock, deadline)
        timers[id] = nil
        apply(execution.timerFired(id: id, at: clock))
    }

    func event(_ type: String, _ occurrence: Int = 0) -> HistoryEvent? {
        history.filter { $0.type == type }.dropFirst(occurrence).first
    }

    func detail(_ type: String, _ key: String, _ occurrence: Int = 0) -> JSONValue? {
        event(type, occurrence)?.details?[key]
    }

    var succeededOutput: JSONValue? {
        if case .succeeded(let output) = outcome { return output }
        return nil
    }

    var failure: StatesError? {
        switch outcome {
        case .failed(let error), .timedOut(let error), .aborted(let error): error
        default: nil
        }
    }
}

func json(_ text: String) -> JSONValue {
    try! JSONValue(parsing: text)
}

/// A one-state machine around `state` (named "S"), for the per-state tests.
func machine(_ state: String, extraStates: String = "") -> String {
    """
    {"StartAt": "S", "States": {"S": \(state)\(extraStates.isEmpty ? "" : ", " + extraStates)}}
    """
}

enum JSONEncoderShim {
    static func encode(_ value: some Encodable) throws -> Data { try JSONEncoder().encode(value) }
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T { try JSONDecoder().decode(type, from: data) }
}
