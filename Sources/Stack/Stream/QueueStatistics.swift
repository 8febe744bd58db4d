import GRDB
import JSON
import StackProtocol
import Timekeeping

/// The `queues` topic: per-queue counts (visible, in flight, delayed), published when they
/// change and retained so a new viewer sees the current picture at once.
struct QueueStatisticsPublisher: Sendable {
    let queues: QueueService
    let hub: StreamHub
    let clock: any TimeSource
    var interval: Duration = .seconds(1)

    func run() async {
        var last: [QueueCounts]?
        while !Task.isCancelled {
            if hub.hasSubscribers(.queues), let counts = try? await queues.statistics() {
                if counts != last {
                    publish(counts)
                    last = counts
                }
            }
            try? await clock.sleep(for: interval)
        }
    }

    func publish(_ counts: [QueueCounts]) {
        hub.publish(.queueStatistics(QueueStatistics(queues: counts)), retain: true)
    }
}

extension QueueService {
    /// Every queue's message counts now, by name.
    func statistics() async throws -> [QueueCounts] {
        let now = clock.wallClockNow.milliseconds
        return try await store.read { db in
            try GRDB.Row.fetchAll(db, sql: """
                SELECT q.name,
                  COALESCE(SUM(m.visible_at <= ?1), 0),
                  COALESCE(SUM(m.visible_at > ?1 AND m.receipt IS NOT NULL), 0),
                  COALESCE(SUM(m.visible_at > ?1 AND m.receipt IS NULL), 0)
                FROM sqs_queue q LEFT JOIN sqs_message m ON m.queue = q.name AND m.expires_at > ?1
                GROUP BY q.name ORDER BY q.name
                """, arguments: [now]).map { row in
                QueueCounts(name: row[0], visible: row[1], inFlight: row[2], delayed: row[3])
            }
        }
    }
}
