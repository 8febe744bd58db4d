import GRDB
import Wire

/// The bus's way into SQS: enqueue one delivery inside the caller's transaction, through the
/// same validation and send path as SendMessage (size, FIFO rules, digests), so a PutEvents
/// commit and its queue deliveries are one atomic write.
extension QueueService {
    func enqueueFromBus(_ db: Database, queueName: String, body: String, groupId: String?,
                        deduplicationId: String?, traceHeader: String?,
                        attributes: [String: MessageAttribute] = [:], now: Int64) throws -> String {
        let queue = try QueueRecord.load(db, name: queueName)
        let message = OutgoingMessage(body: body, attributes: attributes, traceHeader: traceHeader,
                                      delaySeconds: nil, groupId: queue.fifo ? groupId : nil,
                                      deduplicationId: queue.fifo ? deduplicationId : nil)
        try engine.validate(message, queue: queue)
        return try engine.send(db, queue: queue, message: message, senderId: "events.amazonaws.com", now: now).messageId
    }

    /// Wakes long polls on queues that just received bus deliveries (after the commit).
    func wakeReceivers(_ names: Set<String>) async {
        for name in names { await wake.signal(name) }
    }
}
