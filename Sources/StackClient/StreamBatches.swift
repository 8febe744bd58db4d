import DequeModule
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
/// Invariant: while `frames` is not empty, an arrival signal is pending or the reader is
/// between taking a signal and calling `take()`. `put` signals only when the inbox turns from
/// empty to non-empty, and the signal stream keeps at most one, so signals never pile up.
final class StreamInbox: Sendable {
    private struct State {
        var frames = Deque<StreamFrame>()
        var dropped = 0
        var failure: (any Error)?
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
        let wasEmpty = state.withLock { state in
            let wasEmpty = state.frames.isEmpty && state.dropped == 0
            for frame in frames {
                if state.frames.count == capacity {
                    state.frames.removeFirst()
                    state.dropped += 1
                }
                state.frames.append(frame)
            }
            return wasEmpty
        }
        if wasEmpty && !frames.isEmpty { arrival.yield() }
    }

    /// The connection ended; `failure` says how, if it failed.
    func finish(failure: (any Error)? = nil) {
        state.withLock { $0.failure = failure }
        arrival.finish()
    }

    func take() -> [StreamFrame] {
        state.withLock { state in
            var batch = state.dropped > 0 ? [StreamFrame.dropped(count: state.dropped)] : []
            batch.append(contentsOf: state.frames)
            state.frames.removeAll(keepingCapacity: true)
            state.dropped = 0
            return batch
        }
    }

    func takeFailure() -> (any Error)? {
        state.withLock { state in
            defer { state.failure = nil }
            return state.failure
        }
    }
}
