import Foundation
import Provider
import Terminal

/// SQS queues: backlog, in flight, delayed, age of the oldest message, dead-letter wiring.
struct QueuesPane: Pane {
    /// The queue ARN.
    typealias RowID = String

    let id = PaneID.queues
    let title = "Queues"
    let defaultKey: Key? = .character("3")
    let dataSections: Set<DataSection> = [.queues]

    var actions: [PaneAction<String, NoViewState>] {
        [
            .system("redrive-dlq", [.character("R")], "Redrive the dead-letter queue") { arn, context in
                guard let queue = context.snapshot.queues.first(where: { $0.arn == arn }), queue.isDeadLetterQueue else {
                    return .refuse("not a dead-letter queue: nothing to redrive")
                }
                return .ask(.redriveDeadLetterQueue(arn: arn))
            },
            .system("purge-queue", [.character("P")], "Purge the queue") { arn, context in
                guard let queue = context.snapshot.queues.first(where: { $0.arn == arn }) else { return .nothing }
                return .ask(.purgeQueue(url: queue.url))
            },
        ]
    }

    func body(_ context: PaneContext, view: NoViewState) -> PaneBody<String> {
        let rows = context.snapshot.queues.map { q in
            let backlogRole: Role = q.isDeadLetterQueue && q.visibleMessages > 0 ? .error : (q.visibleMessages > 0 ? .warn : .text)
            return PaneRow(id: q.arn,
                           cells: [q.name + (q.isDeadLetterQueue ? " (DLQ)" : ""), String(q.visibleMessages), String(q.inFlightMessages),
                                   String(q.delayedMessages), q.oldestMessageAge.map(Format.duration) ?? "-",
                                   q.deadLetterTargetArn.map { Topology.shortName(ofArn: $0) + " @\(q.maxReceiveCount ?? 0)" } ?? "-"],
                           roles: [q.isDeadLetterQueue ? .warn : .text, backlogRole, .text, .muted, .text, .muted])
        }
        return .table(PaneTable(columns: [Column("QUEUE", width: 12, flex: 3, priority: 0), Column("VISIBLE", width: 7, alignRight: true, priority: 1),
                                          Column("IN FLIGHT", width: 9, alignRight: true, priority: 2), Column("DELAYED", width: 7, alignRight: true, priority: 5),
                                          Column("OLDEST", width: 6, alignRight: true, priority: 3), Column("DLQ", width: 8, flex: 2, priority: 4)],
                                rows: rows, emptyMessage: "No queues on this endpoint."))
    }

    func detail(of row: String, _ context: PaneContext) -> [DetailLine]? {
        guard let q = context.snapshot.queues.first(where: { $0.arn == row }) else { return nil }
        var lines: [DetailLine] = [
            ("url            " + q.url, .text), ("arn            " + q.arn, .muted),
            ("type           " + (q.isFIFO ? "FIFO" : "standard"), .text),
            ("visible        \(q.visibleMessages)", q.visibleMessages > 0 ? .warn : .text),
            ("in flight      \(q.inFlightMessages)", .text), ("delayed        \(q.delayedMessages)", .text),
            ("visibility     \(q.visibilityTimeout)s", .text),
        ]
        // How current the counts are: pushed by the live stream, or as old as their last read.
        if context.snapshot.liveStream {
            lines.append(("counts         live (stream)", .muted))
        } else if let read = q.countsReadAt {
            let age = max(0, context.now.timeIntervalSince(read))
            lines.append(("counts read    \(Format.duration(.seconds(Int(age)))) ago", q.staleCountsAge(at: context.now) != nil ? .warn : .muted))
        }
        if let dlq = q.deadLetterTargetArn {
            lines.append(("dead letters   → \(Topology.shortName(ofArn: dlq)) after \(q.maxReceiveCount ?? 0) receives", .text))
        }
        if q.isDeadLetterQueue {
            lines.append(("dead-letter queue for " + q.deadLetterSourceArns.map(Topology.shortName(ofArn:)).joined(separator: ", "), .warn))
        }
        // What the stream told of this queue since the console attached: purges, and redrives in and out.
        let recent = context.snapshot.recentMessages
        if let purge = recent.emptied.last(where: { $0.queue == q.name && $0.kind == .purged }) {
            let count = "\(purge.count) message\(purge.count == 1 ? "" : "s")"
            lines.append(("purged         " + TracePane.clockMillis(purge.at) + " · " + count + " removed", .warn))
        }
        var movedIn = 0, movedOut = 0
        for message in recent.messages {
            for change in message.changes where change.kind == .moved {
                if change.toQueue == q.name { movedIn += 1 }
                if change.queue == q.name { movedOut += 1 }
            }
        }
        if movedIn + movedOut > 0 {
            var moved: [String] = []
            if movedOut > 0 { moved.append("\(movedOut) out") }
            if movedIn > 0 { moved.append("\(movedIn) in") }
            lines.append(("redriven       " + moved.joined(separator: ", ") + " (messages seen since attaching)", .text))
        }
        return lines
    }
}

extension PaneID {
    public static let queues = PaneID("queues")
}
