import GRDB
import JSON
import StackProtocol
import Timekeeping

/// The `queues` topic: per-queue counts (visible, in flight, delayed), published when they
/// change and retained so a new viewer sees the current picture at once.
///
/// Counting reads an index entry for every message held (never the rows: see
/// `QueueService.statisticsSQL`), so with a deep backlog one count still costs real time. The
/// counts are read every `interval` while that is cheap, and otherwise paced by what the last
/// count cost (`pause(after:interval:)`), so viewers of this topic never take more than a tenth of the
/// store's reading time, however deep the queues.
struct QueueStatisticsPublisher: Sendable {
    let queues: QueueService
    let hub: StreamHub
    let clock: any TimeSource
    var interval: Duration = .seconds(1)
    /// The pause after a count is at least this many times what the count took.
    static let pauseFactor = 9

    func run() async {
        var last: [QueueCounts]?
        while !Task.isCancelled {
            var pause = interval
            if hub.hasSubscribers(.queues) {
                let started = clock.now
                if let counts = try? await queues.statistics(), counts != last {
                    publish(counts)
                    last = counts
                }
                pause = Self.pause(after: clock.now - started, interval: interval)
            }
            try? await clock.sleep(for: pause)
        }
    }

    /// The pause after a count that took `cost`: `interval`, or `pauseFactor` times the cost
    /// when that is longer (a 300 ms count waits 2.7 s: at most 10% of the time counting).
    static func pause(after cost: Duration, interval: Duration) -> Duration {
        max(interval, cost * Self.pauseFactor)
    }

    func publish(_ counts: [QueueCounts]) {
        hub.publish(.queueStatistics(QueueStatistics(queues: counts)), retain: true)
    }
}

extension QueueService {
    /// Every queue's counts with `?1` as now; like `QueueEngine.countSQL`, it reads the index
    /// `sqs_message_visibility` alone, never a message row.
    static let statisticsSQL = """
        SELECT q.name, \(QueueEngine.countColumns)
        FROM sqs_queue q LEFT JOIN sqs_message m ON m.queue = q.name AND m.expires_at > ?1
        GROUP BY q.name ORDER BY q.name
        """

    /// Every queue's message counts now, by name.
    func statistics() async throws -> [QueueCounts] {
        let now = clock.wallClockNow.milliseconds
        return try await store.read { db in
            try GRDB.Row.fetchAll(db, sql: Self.statisticsSQL, arguments: [now]).map { row in
                QueueCounts(name: row[0], visible: row[1], inFlight: row[2], delayed: row[3])
            }
        }
    }
}
