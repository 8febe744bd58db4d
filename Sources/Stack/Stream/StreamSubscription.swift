import DequeModule
import JSON
import Patterns
import StackProtocol
import Synchronization

/// One viewer's bounded queue of frames. Publishing never waits: when the buffer is full the
/// frame is counted instead, and the viewer later receives one `dropped` frame with the count,
/// placed where the gap is. Control frames (acknowledgements, errors) bypass the bound.
///
/// Frames are held as their UTF-8 bytes, as encoded once for every viewer they go to (an array
/// shares its storage: each viewer holds a reference, not a copy) and as the socket writer hands
/// them to NIO; an in-process reader iterating the subscription gets each as a `String`.
public final class StreamSubscription: Sendable, AsyncSequence {
    public typealias Element = String

    struct Filter: Sendable {
        var topics: Set<StreamTopic>
        var pattern: EventPattern?
        /// The viewer asked for deliveries to carry the messages they sent (`sentWithEvents`).
        var sentWithEvents = false

        /// Whether a delivery's message reaches this viewer inside its event's frame rather than
        /// as a `sent` frame of its own: asked for, and both topics received.
        var takesSentWithEvents: Bool {
            sentWithEvents && topics.contains(.events) && topics.contains(.messages)
        }

        /// Whether the event whose envelope is `subject` reaches this viewer (with the messages
        /// its deliveries sent, when it `takesSentWithEvents`).
        func receivesEvent(_ subject: JSONValue) -> Bool {
            topics.contains(.events) && (pattern.map { $0.matches(subject) } ?? true)
        }
    }

    private struct State {
        var buffer = Deque<[UInt8]>()
        var dropped = 0
        var totalDropped = 0
        var waiter: CheckedContinuation<[UInt8]?, Never>?
        var finished = false
    }

    public let id: UInt64
    public let capacity: Int
    private let state: Mutex<State>

    /// Its topics, pattern and options (`Filter`) are kept by the hub that made it.
    init(id: UInt64, capacity: Int) {
        self.id = id
        self.capacity = Swift.max(1, capacity)
        self.state = Mutex(State())
    }

    /// How many frames this viewer has lost so far (tests, metrics).
    public var droppedTotal: Int { state.withLock { $0.totalDropped } }

    /// Frames waiting to be written.
    public var buffered: Int { state.withLock { $0.buffer.count } }

    /// Offers a data frame; never blocks. Returns false when it was dropped.
    @discardableResult
    func offer(_ frame: [UInt8]) -> Bool {
        let (accepted, resume) = state.withLock { state -> (Bool, CheckedContinuation<[UInt8]?, Never>?) in
            if state.finished { return (false, nil) }
            if let waiter = state.waiter, state.buffer.isEmpty, state.dropped == 0 {
                state.waiter = nil
                return (true, waiter)
            }
            if state.buffer.count >= capacity {
                state.dropped += 1
                state.totalDropped += 1
                return (false, nil)
            }
            if state.dropped > 0 {
                state.buffer.append(StreamFrameCodec.encodeBytes(.dropped(count: state.dropped)))
                state.dropped = 0
            }
            state.buffer.append(frame)
            return (true, nil)
        }
        resume?.resume(returning: frame)
        return accepted
    }

    /// Whether the buffer is full: a data frame offered now would be dropped, so the hub need
    /// not encode it (`dropFrame()` counts it instead).
    var isFull: Bool { state.withLock { !$0.finished && $0.buffer.count >= capacity } }

    /// Counts a data frame this viewer had no room for (see `isFull`).
    func dropFrame() {
        state.withLock { state in
            guard !state.finished else { return }
            state.dropped += 1
            state.totalDropped += 1
        }
    }

    /// Queues a control frame (acknowledgement, error, pong) regardless of the bound: they are
    /// few and the viewer asked.
    func control(_ control: StreamFrame) {
        let frame = StreamFrameCodec.encodeBytes(control)
        let resume = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            if state.finished { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(frame)
            return nil
        }
        resume?.resume(returning: frame)
    }

    /// Ends the sequence: the viewer left or the server stops.
    func finish() {
        let resume = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        resume?.resume(returning: nil)
    }

    /// Every frame waiting to be written, without waiting for more (a batching writer takes
    /// these after `next()`); a pending drop count comes first as a `dropped` frame.
    func takeBuffered() -> [[UInt8]] {
        state.withLock { state in
            var frames: [[UInt8]] = []
            frames.reserveCapacity(state.buffer.count + 1)
            frames.append(contentsOf: state.buffer)
            state.buffer.removeAll(keepingCapacity: true)
            if state.dropped > 0 {
                frames.append(StreamFrameCodec.encodeBytes(.dropped(count: state.dropped)))
                state.dropped = 0
            }
            return frames
        }
    }

    /// The next frame, as text, waiting for one; nil once finished or cancelled.
    func next() async -> String? {
        await nextFrame().map { String(decoding: $0, as: UTF8.self) }
    }

    /// The next frame's bytes, waiting for one; nil once finished or cancelled.
    func nextFrame() async -> [UInt8]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
                let ready = state.withLock { state -> [UInt8]?? in
                    if let frame = state.buffer.popFirst() { return .some(frame) }
                    if state.dropped > 0 {
                        defer { state.dropped = 0 }
                        return .some(StreamFrameCodec.encodeBytes(.dropped(count: state.dropped)))
                    }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: StreamSubscription
        public mutating func next() async -> String? { await subscription.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }
}
