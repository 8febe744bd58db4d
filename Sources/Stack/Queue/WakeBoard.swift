import Foundation
import Timekeeping

/// Wakes long polls: a `ReceiveMessage` waiting on an empty queue parks here and is resumed when
/// a message is sent to (or made visible in) that queue, or when its timeout passes — whichever
/// comes first. No polling of the store while nothing changes.
actor WakeBoard {
    /// The clock a wait's timeout runs on (the queue service's).
    private let clock: any TimeSource
    private var waiters: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]
    /// Once set, waits return at once: the server is shutting down.
    private(set) var closed = false

    init(clock: any TimeSource) {
        self.clock = clock
    }

    /// Releases every waiter and makes later waits return immediately.
    func close() {
        closed = true
        let all = waiters
        waiters = [:]
        for parked in all.values { for continuation in parked.values { continuation.resume() } }
    }

    /// Returns after `signal(queue)` or after `timeout`, or at once if the task is cancelled.
    func wait(queue: String, timeout: Duration) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if closed { continuation.resume(); return }
                waiters[queue, default: [:]][id] = continuation
                Task { [weak self, clock] in
                    try? await clock.sleep(for: timeout)
                    await self?.resume(queue: queue, id: id)
                }
            }
        } onCancel: {
            Task { await self.resume(queue: queue, id: id) }
        }
    }

    func signal(_ queue: String) {
        guard let parked = waiters.removeValue(forKey: queue) else { return }
        for continuation in parked.values { continuation.resume() }
    }

    private func resume(queue: String, id: UUID) {
        guard let continuation = waiters[queue]?.removeValue(forKey: id) else { return }
        if waiters[queue]?.isEmpty == true { waiters[queue] = nil }
        continuation.resume()
    }

    var waiting: Int { waiters.values.reduce(0) { $0 + $1.count } }
}
