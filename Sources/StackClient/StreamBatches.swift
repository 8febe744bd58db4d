import StackProtocol
import Synchronization

/// The live stream's frames handed over in batches: each `next()` returns everything received
/// since the previous one. A reader that asks at its own pace is woken once per batch instead
/// of once per frame — on the demo's ~450 frames a second, that thread hop per frame was most
/// of what following the stream cost the console.
///
/// The frames wait in a bounded inbox; past `capacity` the oldest are dropped and the next batch
/// starts with a `dropped` frame that counts them, so a slow reader learns what it missed, as it
/// does from the stack's own `dropped` frames.
public struct StreamBatches: AsyncSequence, Sendable {
    public typealias Element = [StreamFrame]

    let inbox: StreamInbox
    let arrivals: AsyncStream<Void>

    public func makeAsyncIterator() -> Iterator {
        Iterator(inbox: inbox, arrivals: arrivals.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        let inbox: StreamInbox
        var arrivals: AsyncStream<Void>.Iterator

        /// The frames received since the last call, waiting for one if there are none; nil
        /// when the stream ended (or the reading task was cancelled); throws how the connection
        /// failed, once, after the frames received before the failure.
        public mutating func next() async throws -> [StreamFrame]? {
            while await arrivals.next() != nil {
                let batch = inbox.take()
                if !batch.isEmpty { return batch }
            }
            let rest = inbox.take()
            if !rest.isEmpty { return rest }
            if let failure = inbox.takeFailure() { throw failure }
            return nil
        }
    }
}

/// Frames received and not yet taken; shared by the socket's reading task and the reader.
///
/// The frames are kept as the messages' arrays they came in, moved in and out whole: a frame
/// is copied (each of its strings and arrays retained) only when a take joins several
/// messages, never on the way in, and not at all for the usual one message per take.
///
/// Invariant: while `frames` is not empty, an arrival signal is pending or the reader is
/// between taking a signal and calling `take()`. `put` signals only when the inbox turns from
/// empty to non-empty, and the signal stream keeps at most one, so signals never pile up.
/// `count` is the frames held in `messages`, at most `capacity`, and no held array is empty.
final class StreamInbox: Sendable {
    private struct State {
        var messages: [[StreamFrame]] = []
        var count = 0
        var dropped = 0
        var failure: (any Error)?

        /// Drops the oldest frames past `capacity`, counting them.
        mutating func trim(to capacity: Int) {
            while count > capacity {
                let excess = count - capacity
                if messages[0].count <= excess {
                    count -= messages[0].count
                    dropped += messages[0].count
                    messages.removeFirst()
                } else {
                    messages[0].removeFirst(excess)
                    count -= excess
                    dropped += excess
                }
            }
        }
    }

    let capacity: Int
    private let state = Mutex(State())
    private let arrival: AsyncStream<Void>.Continuation

    init(capacity: Int, arrival: AsyncStream<Void>.Continuation) {
        self.capacity = max(1, capacity)
        self.arrival = arrival
    }

    /// The frames of one message, in order.
    func put(_ frames: [StreamFrame]) {
        guard !frames.isEmpty else { return }
        let count = frames.count
        let wasEmpty = state.withLock { state in
            let wasEmpty = state.count == 0 && state.dropped == 0
            state.messages.append(frames)
            state.count += count
            state.trim(to: capacity)
            return wasEmpty
        }
        if wasEmpty { arrival.yield() }
    }

    /// The connection ended; `failure` says how, if it failed.
    func finish(failure: (any Error)? = nil) {
        state.withLock { $0.failure = failure }
        arrival.finish()
    }

    func take() -> [StreamFrame] {
        let (messages, dropped) = state.withLock { state in
            defer {
                state.count = 0
                state.dropped = 0
            }
            var taken: [[StreamFrame]] = []
            swap(&taken, &state.messages)
            return (taken, state.dropped)
        }
        if dropped == 0 && messages.count == 1 { return messages[0] }
        var batch = dropped > 0 ? [StreamFrame.dropped(count: dropped)] : []
        batch.reserveCapacity(batch.count + messages.reduce(0) { $0 + $1.count })
        for message in messages { batch.append(contentsOf: message) }
        return batch
    }

    func takeFailure() -> (any Error)? {
        state.withLock { state in
            defer { state.failure = nil }
            return state.failure
        }
    }
}
