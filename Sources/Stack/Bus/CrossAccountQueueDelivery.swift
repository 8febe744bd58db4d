import StackProtocol
import Wire

/// The receiving end of a rule target that is a queue of another account (same region, as AWS
/// requires): the sending bus's outbox worker hands the delivery here (`forwardRemote`). AWS
/// sends only when the queue's access policy lets the rule in (`QueuePolicy`); the stack checks
/// the same policy in the write that sends, so a policy changed meanwhile is never bypassed.
extension QueueService {
    /// One delivery from a rule of `sender.accountId`: the message is committed, or the error
    /// says why not. A missing queue is `QueueDoesNotExist` (retried by the sender, as for a
    /// local target); a policy that does not grant `sqs:SendMessage` is `AccessDenied` (not
    /// retried: dead-lettered or failed).
    func acceptFromRule(queue name: String, payload: String, groupId: String?, eventId: String,
                        sender: QueuePolicy.RuleSender, origin: MessageSender, eventText: String) async throws(AWSError) {
        let now = clock.wallClockNow.milliseconds
        let naming = self.naming, watching = watchesMessages
        let sent = try await store.write { db in
            let queue = try QueueRecord.load(db, name: name)
            guard QueuePolicy(stored: queue.settings.values["Policy"])?
                .allowsSendMessage(from: sender, queueArn: naming.arn(name)) ?? false else {
                throw QueueError.accessDenied(queueArn: naming.arn(name))
            }
            return try self.enqueueFromBus(db, queueName: name, body: payload, groupId: groupId,
                                           deduplicationId: eventId, traceHeader: nil, now: now)
        }
        await wakeReceivers([name])
        if watching, !sent.duplicate {
            publish([.sent(queue: name, messageId: sent.messageId, time: now, body: payload, sender: origin,
                           eventText: eventText)])
        }
    }
}
