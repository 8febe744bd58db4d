import Provider
import Synchronization

/// Values other threads hand to the terminal thread: the newest snapshot (older unread ones
/// are superseded, so a slow frame never queues stale data) and messages for the operator.
final class Mailbox: Sendable {
    struct Inbox {
        var snapshot: SystemSnapshot?
        var messages: [(String, Toast.Level)] = []
        var providerFinished = false
    }

    private let inbox = Mutex(Inbox())

    func post(_ snapshot: SystemSnapshot) {
        inbox.withLock { $0.snapshot = snapshot }
    }

    func post(message: String, level: Toast.Level) {
        inbox.withLock { $0.messages.append((message, level)) }
    }

    func finish() {
        inbox.withLock { $0.providerFinished = true }
    }

    /// Takes everything posted since the last call.
    func drain() -> Inbox {
        inbox.withLock { box in
            let taken = box
            box.snapshot = nil
            box.messages.removeAll()
            return taken
        }
    }
}
