import NIOCore
import NIOWebSocket
import StackProtocol

/// Writes one viewer's messages to its WebSocket connection with one hop to the event loop and
/// one flush (one `writev`) for everything its buffer holds, then pauses so the next batch can
/// gather: a viewer costs the stack a few flushes a second instead of a system call per frame,
/// whatever the event rate. Each frame is still its own text message; with `arrays` (the
/// viewer's `batch=MS`) the frames of each window go out as JSON-array messages instead
/// (`StreamFrameCodec.batches`), as the viewer asked.
///
/// It writes `WebSocketFrame`s to the channel's pipeline below the WebSocket handler's own writer
/// (which still answers pings and closes). A message longer than `maximumFrameBytes` is sent as
/// a text frame and continuation frames of that size, which every client accepts (the control
/// frames the handler may write between them are allowed there). No WebSocket extension is
/// negotiated on the stream, so frames need no extension processing. The socket's writability
/// bounds what is handed to NIO: while the viewer does not read, the writer waits, and its
/// bounded buffer fills and drops.
struct StreamSocketWriter: Sendable {
    let channel: any Channel
    /// `batch=MS`: gather each window and send it as array messages; nil: a message per frame.
    var arrays: Duration?
    /// The pause after each write when frames go one per message: a frame reaches the viewer at
    /// most this much later.
    var gathering: Duration = .milliseconds(10)
    /// How often a writer waiting for a full socket looks again.
    var writabilityPoll: Duration = .milliseconds(20)
    /// The largest WebSocket frame written (what the server's frame settings allow).
    static let maximumFrameBytes = 16 * 1024

    /// Writes everything `subscription` yields until it ends, the connection closes or the task
    /// is cancelled.
    func run(_ subscription: StreamSubscription) async throws {
        while let first = await subscription.next() {
            if let arrays { try await Task.sleep(for: arrays) }
            let frames = [first] + subscription.takeBuffered()
            while !channel.isWritable {
                guard channel.isActive else { return }
                try await Task.sleep(for: writabilityPoll)
            }
            write(arrays == nil ? frames : StreamFrameCodec.batches(frames, maximumBytes: StreamRoute.maximumBatchBytes))
            if arrays == nil { try await Task.sleep(for: gathering) }
        }
    }

    private func write(_ messages: [String]) {
        let channel = self.channel
        channel.eventLoop.execute {
            for message in messages {
                var data = channel.allocator.buffer(string: message)
                var opcode = WebSocketOpcode.text
                while data.readableBytes > Self.maximumFrameBytes {
                    let part = data.readSlice(length: Self.maximumFrameBytes)!
                    channel.write(WebSocketFrame(fin: false, opcode: opcode, data: part), promise: nil)
                    opcode = .continuation
                }
                channel.write(WebSocketFrame(fin: true, opcode: opcode, data: data), promise: nil)
            }
            channel.flush()
        }
    }
}
