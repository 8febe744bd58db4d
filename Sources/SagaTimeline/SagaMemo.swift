import Foundation
import Provider
import Synchronization

/// What the saga views compute per execution, kept between renders: a console draws the same
/// executions many times a second (title badge, status bar, list, detail), and with 10,000
/// running ones re-reading every history and input each time would blow the frame budget. An
/// entry is reused only while the execution's history and status are unchanged.
enum SagaMemo {
    /// Event ids are never reused within an execution, so count, last id and the last event
    /// itself identify a history.
    struct Fingerprint: Hashable {
        var events: Int
        var lastEvent: Int?
        var lastType: String?
        var lastState: String?
        var lastTime: Date?
        var status: Execution.Status
        var keyPaths: [String]
    }

    struct Entry {
        var fingerprint: Fingerprint
        var spans: SagaSpans
        var key: String?
        var keyProblem: String?
    }

    /// Bounded: cleared when it outgrows this (the next render refills it).
    static let capacity = 50_000
    private static let entries = Mutex<[String: Entry]>([:])

    /// The spans and business key of `execution`'s (trusted) history.
    static func spans(of execution: Execution, settings: SagaSettings) -> Entry {
        let last = execution.timeline.last
        let fingerprint = Fingerprint(events: execution.timeline.count, lastEvent: last?.id, lastType: last?.type, lastState: last?.stateName,
                                      lastTime: last?.timestamp, status: execution.status,
                                      keyPaths: settings.keyPaths.map(\.text))
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

    /// The last board built, reused while the snapshot, the time and the settings are the same.
    struct BoardKey: Hashable {
        var takenAt: Date?
        var now: Date
        var executions: Int
        var events: Int
        var newest: Int
        var definitions: [Int]
        var settings: SagaSettings
    }

    /// The last two boards: a console alternating between two snapshots (a bench measuring side
    /// by side) must not rebuild on every frame.
    private static let lastBoards = Mutex<[(key: BoardKey, board: SagaBoard)]>([])
    private static let generations = Atomic<Int>(0)

    static func nextGeneration() -> Int { generations.add(1, ordering: .relaxed).newValue }

    static func board(_ key: BoardKey, build: () -> SagaBoard) -> SagaBoard {
        if let kept = lastBoards.withLock({ boards in boards.first { $0.key == key }?.board }) { return kept }
        let board = build()
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
                                    definitions: snapshot.stateMachines.map { $0.definition?.utf8.count ?? -1 }, settings: settings)
        return SagaMemo.board(key) { SagaBoard(snapshot: snapshot, settings: settings, now: now) }
    }
}
