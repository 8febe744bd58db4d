import Foundation
import Provider
import StatesLanguage
import Synchronization

/// What the saga views compute per execution, kept between renders: a console draws the same
/// executions many times a second (title badge, status bar, list, detail), and with 10,000
/// running ones re-reading every history and input each time would blow the frame budget. An
/// entry is reused only while the execution's history and status are unchanged.
enum SagaMemo {
    /// Invariant relied on: an execution's events are never rewritten and ids never reused, so
    /// the ARN with the count, last id and the last event itself identify a history.
    struct Fingerprint: Hashable {
        var events: Int
        var lastEvent: Int?
        var lastType: String?
        var lastState: String?
        var lastTime: Date?
        var status: Provider.Execution.Status
        var keyPaths: [JSONPath]
    }

    /// A class: handed out by reference, so a board of 10,000 takes no copies of the spans.
    final class Entry: Sendable {
        let fingerprint: Fingerprint
        let spans: SagaSpans
        let key: String?
        let keyProblem: String?

        init(fingerprint: Fingerprint, spans: SagaSpans, key: String?, keyProblem: String?) {
            self.fingerprint = fingerprint
            self.spans = spans
            self.key = key
            self.keyProblem = keyProblem
        }
    }

    /// Bounded: cleared when it outgrows this (the next render refills it).
    static let capacity = 50_000
    private static let entries = Mutex<[String: Entry]>([:])

    /// The spans and business key of `execution`'s (trusted) history.
    static func spans(of execution: Provider.Execution, settings: SagaSettings) -> Entry {
        let last = execution.timeline.last
        let fingerprint = Fingerprint(events: execution.timeline.count, lastEvent: last?.id, lastType: last?.type, lastState: last?.stateName,
                                      lastTime: last?.timestamp, status: execution.status,
                                      keyPaths: settings.keyPaths)
        if let entry = entries.withLock({ $0[execution.arn] }), entry.fingerprint == fingerprint { return entry }
        let spans = SagaSpans(timeline: execution.timeline)
        let (key, problem) = SagaAnalysis.key(spans.executionInput, clipped: spans.executionInputClipped, paths: settings)
        let entry = Entry(fingerprint: fingerprint, spans: spans, key: key, keyProblem: problem)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[execution.arn] = entry
        }
        return entry
    }

    /// Whether the history contradicts the execution, judged once per history and definition.
    static func contradiction(of execution: Provider.Execution, definition: SagaDefinition?) -> String? {
        let last = execution.timeline.last
        let key = ContradictionKey(arn: execution.arn, events: execution.timeline.count, lastEvent: last?.id, lastTime: last?.timestamp,
                                   started: execution.startDate, definition: definition?.definition.source.utf8.count)
        if let known = contradictions.withLock({ $0[key] }) { return known.problem }
        let problem = SagaAnalysis.contradiction(execution, definition: definition)
        contradictions.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Verdict(problem: problem)
        }
        return problem
    }

    struct ContradictionKey: Hashable {
        var arn: String
        var events: Int
        var lastEvent: Int?
        var lastTime: Date?
        var started: Date
        var definition: Int?
    }

    struct Verdict { var problem: String? }

    private static let contradictions = Mutex<[ContradictionKey: Verdict]>([:])

    /// The machines' recent state durations, rebuilt only when the histories held changed,
    /// and then from each execution's own durations as last read (a history is read again
    /// only when it grew) and each state's sample as last taken (taken again only when that
    /// state's durations changed): a snapshot costs the executions and states that changed.
    static func statistics(_ executions: [Provider.Execution], window: Int) -> SagaStatistics {
        var events = 0, newest = 0
        for execution in executions {
            events += execution.timeline.count
            newest = max(newest, execution.timeline.last?.id ?? 0)
        }
        let key = [executions.count, events, newest, window, executions.first?.arn.hashValue ?? 0, executions.last?.arn.hashValue ?? 0]
        let kept = lastStatistics.withLock { $0 }
        if let kept, kept.key == key { return kept.statistics }
        let durations = SagaStatistics.merge(executions, window: window, durations: stateDurations(of:))
        var samples: [String: DurationSample] = [:]
        samples.reserveCapacity(durations.count)
        for (state, list) in durations {
            if let sample = kept?.statistics.samples[state], kept?.durations[state] == list {
                samples[state] = sample
            } else if let sample = DurationSample(list) {
                samples[state] = sample
            }
        }
        let statistics = SagaStatistics(samples: samples)
        lastStatistics.withLock { $0 = (key, statistics, durations) }
        return statistics
    }

    private static let lastStatistics = Mutex<(key: [Int], statistics: SagaStatistics, durations: [String: [TimeInterval]])?>(nil)

    /// Where a history stood when it was read: histories only grow, so the same count and
    /// last event mean the same history.
    struct HistoryMark: Hashable {
        var events: Int
        var lastEvent: Int?
        var lastTime: Date?
    }

    /// One execution's `SagaStatistics.durations(of:)`, kept with where its history stood.
    final class StateDurations: Sendable {
        let mark: HistoryMark
        let byState: [String: [TimeInterval]]

        init(mark: HistoryMark, byState: [String: [TimeInterval]]) {
            self.mark = mark
            self.byState = byState
        }
    }

    private static let readDurations = Mutex<[String: StateDurations]>([:])

    static func stateDurations(of execution: Provider.Execution) -> [String: [TimeInterval]] {
        let last = execution.timeline.last
        let mark = HistoryMark(events: execution.timeline.count, lastEvent: last?.id, lastTime: last?.timestamp)
        if let known = readDurations.withLock({ $0[execution.arn] }), known.mark == mark { return known.byState }
        let read = StateDurations(mark: mark, byState: SagaStatistics.durations(of: execution))
        readDurations.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[execution.arn] = read
        }
        return read.byState
    }

    /// The last board built, reused while the snapshot, the time and the settings are the same.
    struct BoardKey: Hashable {
        var takenAt: Date?
        var now: Date
        var executions: Int
        var events: Int
        var newest: Int
        var definitions: [Int]
        var settings: SagaSettings
        var live: Bool
    }

    /// The last two boards: a console alternating between two snapshots (a bench measuring side
    /// by side) must not rebuild on every frame.
    private static let lastBoards = Mutex<[(key: BoardKey, board: SagaBoard)]>([])
    private static let generations = Atomic<Int>(0)

    static func nextGeneration() -> Int { generations.add(1, ordering: .relaxed).newValue }

    /// The board kept under `key`; else one judged again from a kept board of the same
    /// snapshot at an earlier time; else a new one, built from the newest board kept.
    static func board(_ key: BoardKey, build: (SagaBoard?) -> SagaBoard, rejudge: (SagaBoard) -> SagaBoard) -> SagaBoard {
        let (exact, earlier, newest) = lastBoards.withLock { boards -> (SagaBoard?, SagaBoard?, SagaBoard?) in
            if let kept = boards.first(where: { $0.key == key }) { return (kept.board, nil, nil) }
            let sameSnapshot = boards.filter { entry in
                var other = entry.key
                other.now = key.now
                return other == key && entry.key.now < key.now
            }
            return (nil, sameSnapshot.max { $0.key.now < $1.key.now }?.board, boards.last?.board)
        }
        if let exact { return exact }
        let board = earlier.map(rejudge) ?? build(newest)
        lastBoards.withLock { boards in
            boards.append((key, board))
            if boards.count > 2 { boards.removeFirst() }
        }
        return board
    }
}

extension SagaBoard {
    /// The board of `snapshot` at `now`, built once however many times a frame asks for it.
    public static func of(_ snapshot: SystemSnapshot, settings: SagaSettings, now: Date) -> SagaBoard {
        var events = 0, newest = 0
        for execution in snapshot.executions {
            events += execution.timeline.count
            newest = max(newest, execution.timeline.last?.id ?? 0)
        }
        let key = SagaMemo.BoardKey(takenAt: snapshot.takenAt, now: now, executions: snapshot.executions.count, events: events, newest: newest,
                                    definitions: snapshot.stateMachines.map { $0.definition?.utf8.count ?? -1 }, settings: settings,
                                    live: snapshot.liveStream)
        return SagaMemo.board(key, build: { SagaBoard(snapshot: snapshot, settings: settings, now: now, previous: $0) },
                              rejudge: { SagaBoard(rejudging: $0, settings: settings, now: now) })
    }
}
