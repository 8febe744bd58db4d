import Foundation
import Timekeeping

/// A task waiting for a worker: what GetActivityTask hands out.
struct ActivityOffer: Sendable {
    var token: String
    var executionArn: String
    var input: String
}

/// The activity queues: tasks offered under an activity name (an activity ARN's name, or a
/// Lambda function's name — there is no Lambda here), and the GetActivityTask long polls parked
/// on them. In memory only: after a restart the saga engine offers again every task of a running
/// execution that no worker took.
actor ActivityBoard {
    /// The clock poll deadlines are on (the saga service's).
    private let clock: any TimeSource
    private var offers: [String: [ActivityOffer]] = [:]
    private var heads: [String: Int] = [:]
    private var waiters: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]
    /// Set at shutdown: every poll, parked or new, answers empty at once.
    private var closed = false

    init(clock: any TimeSource) {
        self.clock = clock
    }

    func offer(_ offer: ActivityOffer, activity: String) {
        offers[activity, default: []].append(offer)
        if let parked = waiters.removeValue(forKey: activity) {
            for continuation in parked.values { continuation.resume() }
        }
    }

    /// The oldest offer for `activity`, or nil once `deadline` passed with none.
    func take(activity: String, until deadline: MonotonicInstant) async -> ActivityOffer? {
        while true {
            if closed { return nil }
            if let offer = pop(activity) { return offer }
            let remaining = deadline - clock.now
            if remaining <= .zero || Task.isCancelled { return nil }
            await park(activity: activity, for: remaining)
        }
    }

    private func pop(_ activity: String) -> ActivityOffer? {
        guard var list = offers[activity] else { return nil }
        var head = heads[activity] ?? 0
        guard head < list.count else { return nil }
        let offer = list[head]
        head += 1
        if head == list.count {
            offers[activity] = nil
            heads[activity] = nil
        } else if head > 1024, head * 2 > list.count {
            list.removeFirst(head)
            offers[activity] = list
            heads[activity] = 0
        } else {
            heads[activity] = head
        }
        return offer
    }

    private func park(activity: String, for duration: Duration) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waiters[activity, default: [:]][id] = continuation
                Task { [weak self, clock] in
                    try? await clock.sleep(for: duration)
                    await self?.resume(activity: activity, id: id)
                }
            }
        } onCancel: {
            Task { await self.resume(activity: activity, id: id) }
        }
    }

    private func resume(activity: String, id: UUID) {
        guard let continuation = waiters[activity]?.removeValue(forKey: id) else { return }
        if waiters[activity]?.isEmpty == true { waiters[activity] = nil }
        continuation.resume()
    }

    /// Shutdown: parked polls return empty now (as AWS answers at a poll's end) and new ones
    /// do not wait, so the server stops promptly. Offers stay, for no one: the tasks are
    /// offered again from the store at the next start.
    func close() {
        closed = true
        let parked = waiters
        waiters = [:]
        for continuations in parked.values {
            for continuation in continuations.values { continuation.resume() }
        }
    }

    /// Offers not yet taken, for metrics.
    var queued: Int { offers.reduce(0) { $0 + $1.value.count - (heads[$1.key] ?? 0) } }
}
