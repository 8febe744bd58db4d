import Foundation
import Provider

/// Every execution of a snapshot as the saga views see it, with the machines' parsed
/// definitions and the recent durations of each state: built once per render.
public struct SagaBoard: Sendable {
    /// In the snapshot's order (running first, newest first, then the recent ended ones).
    public let sagas: [SagaAnalysis]
    public let statistics: SagaStatistics
    /// Distinct for every board built (`SagaBoard.of` hands the same board back while nothing
    /// changed): what a view derives from a board can be kept under it.
    public let generation: Int

    public init(snapshot: SystemSnapshot, settings: SagaSettings, now: Date) {
        var definitions: [String: Result<SagaDefinition, SagaDefinitionProblem>] = [:]
        var texts: [String: String] = [:]
        for machine in snapshot.stateMachines {
            texts[machine.name] = machine.definition
            guard let text = machine.definition else {
                definitions[machine.name] = .failure(SagaDefinitionProblem(text: "the definition has not been read yet"))
                continue
            }
            definitions[machine.name] = SagaDefinition.parse(text).mapError { error in
                SagaDefinitionProblem(text: "the definition does not parse: "
                                          + (error.diagnostics.first.map { $0.message } ?? "\(error)"))
            }
        }
        generation = SagaMemo.nextGeneration()
        let statistics = SagaMemo.statistics(snapshot.executions, window: settings.sampleWindow)
        self.statistics = statistics
        sagas = snapshot.executions.map { execution in
            SagaAnalysis(execution: execution, definitionText: texts[execution.stateMachineName],
                         definition: definitions[execution.stateMachineName]
                             ?? .failure(SagaDefinitionProblem(text: "state machine \(execution.stateMachineName) is not listed")),
                         statistics: statistics, settings: settings, now: now)
        }
        var stuck = 0, running = 0
        for index in sagas.indices {
            if sagas[index].status == .stuck { stuck += 1 }
            if sagas[index].status.isRunning { running += 1 }
        }
        stuckCount = stuck
        runningCount = running
    }

    public func saga(_ arn: String) -> SagaAnalysis? { sagas.first { $0.execution.arn == arn } }

    /// Counted once: the title and the status bar ask every frame.
    public let stuckCount: Int
    public let runningCount: Int
}

/// The recent durations of each state of each machine, from the ended states of the histories
/// held (newest executions first, at most `window` per state).
public struct SagaStatistics: Sendable, Hashable {
    private var samples: [String: DurationSample] = [:]

    public init(executions: [Execution], window: Int) {
        var durations: [String: [TimeInterval]] = [:]
        for execution in executions.sorted(by: { $0.startDate > $1.startDate }) where !execution.timeline.isEmpty {
            var entered: [String: Date] = [:]
            for entry in execution.timeline {
                guard let name = entry.stateName else { continue }
                if entry.type.hasSuffix("StateEntered") {
                    entered[name] = entry.timestamp
                } else if entry.type.hasSuffix("StateExited"), let start = entered.removeValue(forKey: name) {
                    let key = execution.stateMachineName + "\u{0}" + name
                    if durations[key, default: []].count < window {
                        durations[key, default: []].append(entry.timestamp.timeIntervalSince(start))
                    }
                }
            }
        }
        samples = durations.compactMapValues(DurationSample.init)
    }

    public func sample(machine: String, state: String) -> DurationSample? {
        samples[machine + "\u{0}" + state]
    }
}
