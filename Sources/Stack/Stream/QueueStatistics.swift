import GRDB
import JSON
import Timekeeping

/// The `queues` topic: per-queue counts (visible, in flight, delayed), published when they
/// change and retained so a new viewer sees the current picture at once.
struct QueueStatisticsPublisher: Sendable {
    let queues: QueueService
    let hub: StreamHub
    let clock: any TimeSource
    var interval: Duration = .seconds(1)

    struct Row: Sendable, Equatable {
        var name: String
        var visible: Int
        var inFlight: Int
        var delayed: Int
    }

    func run() async {
        var last: [Row]?
        while !Task.isCancelled {
            if hub.hasSubscribers(StreamHub.queuesTopic), let rows = try? await queues.statistics() {
                if rows != last {
                    publish(rows)
                    last = rows
                }
            }
            try? await clock.sleep(for: interval)
        }
    }

    func publish(_ rows: [Row]) {
        let data: JSONValue = ["queues": .array(rows.map { row in
            ["name": .string(row.name), "visible": .number(Double(row.visible)),
             "inFlight": .number(Double(row.inFlight)), "delayed": .number(Double(row.delayed))]
        })]
        hub.publish(topic: StreamHub.queuesTopic, type: "queue-stats", data: data, retain: true)
    }
}

extension QueueService {
    /// Every queue's message counts now, by name.
    func statistics() async throws -> [QueueStatisticsPublisher.Row] {
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
                QueueStatisticsPublisher.Row(name: row[0], visible: row[1], inFlight: row[2], delayed: row[3])
            }
        }
    }
}
