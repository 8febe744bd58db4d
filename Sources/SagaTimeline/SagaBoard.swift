import Foundation
import Provider

/// Every execution of a snapshot as the saga views see it, with the machines' parsed
/// definitions and the recent durations of each state: built once per render.
public struct SagaBoard: Sendable {
    /// In the snapshot's order (running first, newest first, then the recent ended ones).
    public let sagas: [SagaAnalysis]
    public let statistics: SagaStatistics
    /// Distinct for every board built from a snapshot, and for a board judged again at a later
    /// time where a saga's status changed; the same as the earlier board's otherwise. What a
    /// view derives from the executions and their statuses alone (a filter, an order not by
    /// age) can be kept under it from one second to the next.
    public let statusGeneration: Int
    /// The time the stuck rules were judged at.
    public let now: Date

    /// The settings the sagas were judged with.
    let settings: SagaSettings
    /// The snapshot's live stream carried the histories.
    let live: Bool

    /// The sagas of `snapshot` at `now`. The analysis of an execution that `previous` (a board
    /// of an earlier snapshot) holds unchanged — same execution, same definition, same
    /// settings — is taken from it and only judged again, so a new snapshot costs the
    /// executions that changed, not re-reading all 10,000.
    public init(snapshot: SystemSnapshot, settings: SagaSettings, now: Date, previous: SagaBoard? = nil) {
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
        statusGeneration = SagaMemo.nextGeneration()
        self.now = now
        self.settings = settings
        let statistics = SagaMemo.statistics(snapshot.executions, window: settings.sampleWindow)
        self.statistics = statistics
        live = snapshot.liveStream
        let earlier = previous.flatMap { $0.settings == settings && $0.live == snapshot.liveStream ? $0 : nil }
        let sameStatistics = earlier?.statistics == statistics
        var search = Search()
        sagas = snapshot.executions.enumerated().map { position, execution in
            let definition = definitions[execution.stateMachineName]
                ?? .failure(SagaDefinitionProblem(text: "state machine \(execution.stateMachineName) is not listed"))
            let text = texts[execution.stateMachineName]
            if let earlier, var saga = earlier.analysis(of: execution, near: position, search: &search),
               saga.definitionText == text, saga.definitionProblem == definition.problem {
                if !sameStatistics {
                    saga.stuckInputs?.recent = saga.spans.current.flatMap { statistics.sample(machine: execution.stateMachineName, state: $0.name) }
                    saga.judge(settings: settings, now: now)
                } else if !(earlier.now <= now && now <= saga.verdictHolds) {
                    saga.judge(settings: settings, now: now)
                }
                return saga
            }
            return SagaAnalysis(execution: execution, definitionText: text, definition: definition,
                                statistics: statistics, settings: settings, now: now, live: snapshot.liveStream)
        }
        (stuckCount, runningCount) = Self.count(sagas)
    }

    /// The analysis this board holds of `execution` when the execution is unchanged. Between
    /// two snapshots the order moves in blocks: the executions started in between come first
    /// and push the rest down by their number, an execution that ended leaves a gap. So it is
    /// looked for `search.shift` places on from its position, then nearby (the shift becomes
    /// where it was found); only after many misses (an order that moved a lot) by ARN. New
    /// executions miss: the demo's ten a snapshot no longer cost hashing every ARN held.
    private func analysis(of execution: Execution, near position: Int, search: inout Search) -> SagaAnalysis? {
        let arn = execution.arn
        let guess = position + search.shift
        var found: Int?
        if guess >= 0, guess < sagas.count, sagas[guess].execution.arn == arn {
            found = guess
        } else if let index = search.index {
            found = index[arn]
        } else {
            let nearby = max(0, guess - Search.reach)..<min(sagas.count, max(0, guess + Search.reach + 1))
            found = nearby.first { sagas[$0].execution.arn == arn }
            if found == nil {
                search.misses += 1
                if search.misses > Search.missesBeforeIndex {
                    search.index = Dictionary(sagas.enumerated().map { ($1.execution.arn, $0) }, uniquingKeysWith: { first, _ in first })
                    found = search.index?[arn]
                }
            }
        }
        guard let found else { return nil }
        search.shift = found - position
        return sagas[found].execution == execution ? sagas[found] : nil
    }

    /// Where `analysis(of:near:search:)` stands in a pass over a new snapshot's executions.
    private struct Search {
        /// How far from the guess a nearby look goes, each way.
        static let reach = 32
        /// Executions not found nearby (new ones, or moved far) before an index by ARN is built.
        static let missesBeforeIndex = 64
        var shift = 0
        var misses = 0
        var index: [String: Int]?
    }

    /// `previous`'s sagas at a later time `now`: only the verdicts that may have changed since
    /// (a deadline passed) are judged again, so a new second costs a pass over the sagas, not
    /// re-reading 10,000 of them.
    init(rejudging previous: SagaBoard, settings: SagaSettings, now: Date) {
        precondition(now >= previous.now && settings == previous.settings, "a verdict holds only later, with the same settings")
        var sagas = previous.sagas
        var changed = false
        for index in sagas.indices where sagas[index].verdictHolds < now {
            let status = sagas[index].status
            sagas[index].judge(settings: settings, now: now)
            changed = changed || sagas[index].status != status
        }
        self.sagas = sagas
        statistics = previous.statistics
        self.settings = settings
        live = previous.live
        statusGeneration = changed ? SagaMemo.nextGeneration() : previous.statusGeneration
        self.now = now
        (stuckCount, runningCount) = changed ? Self.count(sagas) : (previous.stuckCount, previous.runningCount)
    }

    private static func count(_ sagas: [SagaAnalysis]) -> (stuck: Int, running: Int) {
        var stuck = 0, running = 0
        for index in sagas.indices {
            if sagas[index].status == .stuck { stuck += 1 }
            if sagas[index].status.isRunning { running += 1 }
        }
        return (stuck, running)
    }

    public func saga(_ arn: String) -> SagaAnalysis? { sagas.first { $0.execution.arn == arn } }

    /// Counted once: the title and the status bar ask every frame.
    public let stuckCount: Int
    public let runningCount: Int
}

/// The recent durations of each state of each machine, from the ended states of the histories
/// held (newest executions first, at most `window` per state).
public struct SagaStatistics: Sendable, Hashable {
    /// By machine and state (`key(machine:state:)`).
    private(set) var samples: [String: DurationSample] = [:]

    public init(executions: [Execution], window: Int) {
        samples = Self.merge(executions, window: window, durations: Self.durations(of:)).compactMapValues(DurationSample.init)
    }

    init(samples: [String: DurationSample]) {
        self.samples = samples
    }

    public func sample(machine: String, state: String) -> DurationSample? {
        samples[Self.key(machine: machine, state: state)]
    }

    static func key(machine: String, state: String) -> String { machine + "\u{0}" + state }

    /// Each state's durations, newest executions first, at most `window` per state, from
    /// `durations` of each execution (its own ended states' durations in history order).
    static func merge(_ executions: [Execution], window: Int,
                      durations: (Execution) -> [String: [TimeInterval]]) -> [String: [TimeInterval]] {
        // Indices sorted, not the executions: sorting those copies each one's history. Both
        // sorts are stable, so executions started at the same time keep the snapshot's order.
        let newestFirst = executions.indices.sorted { executions[$0].startDate > executions[$1].startDate }
        var merged: [String: [TimeInterval]] = [:]
        for index in newestFirst where !executions[index].timeline.isEmpty {
            for (key, own) in durations(executions[index]) {
                let room = window - (merged[key]?.count ?? 0)
                if room > 0 { merged[key, default: []].append(contentsOf: own.prefix(room)) }
            }
        }
        return merged
    }

    /// The durations of the states `execution` entered and exited, by machine and state, in
    /// the order they ended.
    static func durations(of execution: Execution) -> [String: [TimeInterval]] {
        var durations: [String: [TimeInterval]] = [:]
        var entered: [String: Date] = [:]
        // Read through the array's accessor field by field: a `for entry in` loop copies
        // every entry whole (its input and output included).
        let timeline = execution.timeline
        for index in timeline.indices {
            guard let name = timeline[index].stateName else { continue }
            if timeline[index].type.hasSuffix("StateEntered") {
                entered[name] = timeline[index].timestamp
            } else if timeline[index].type.hasSuffix("StateExited"), let start = entered.removeValue(forKey: name) {
                durations[key(machine: execution.stateMachineName, state: name), default: []]
                    .append(timeline[index].timestamp.timeIntervalSince(start))
            }
        }
        return durations
    }
}
