import StackProtocol

/// The `messages` topic of the live stream: what happened to each SQS message, published after
/// its commit. Opt-in like every topic: an operation asks `watchesMessages` once, before its
/// write, and nobody watching means no frame is built, no body copied and no extra read made
/// (one lock in `StreamHub.hasSubscribers`).
extension QueueService {
    /// Whether any viewer subscribes to `messages` now.
    var watchesMessages: Bool { hub?.hasSubscribers(.messages) ?? false }

    /// Publishes each change as its own frame, in order. Frames carry no pattern subject: a
    /// viewer's event pattern does not filter this topic.
    func publish(_ changes: [QueueMessageChange]) {
        guard let hub, !changes.isEmpty else { return }
        for change in changes { hub.publish(.message(change)) }
    }

    /// A queue purged or deleted: one frame with the count, whatever the count.
    func publish(_ emptied: QueueEmptied) {
        hub?.publish(.queueEmptied(emptied))
    }

    /// Each message a move task moved, in order.
    func publish(_ moves: [QueueMessageMove]) {
        guard let hub else { return }
        for move in moves { hub.publish(.messageMoved(move)) }
    }
}
