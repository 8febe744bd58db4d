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
        while let first = await subscription.nextFrame() {
            if let arrays { try await Task.sleep(for: arrays) }
            var frames = subscription.takeBuffered()
            frames.insert(first, at: 0)
            while !channel.isWritable {
                guard channel.isActive else { return }
                try await Task.sleep(for: writabilityPoll)
            }
            write(frames, asArrays: arrays != nil)
            if arrays == nil { try await Task.sleep(for: gathering) }
        }
    }

    /// Writes `frames` as a message each, or (`asArrays`) as batch messages by
    /// `StreamFrameCodec.batchRanges`' rule, each array written straight into its outgoing
    /// buffer: the frames' bytes are copied once, into the buffer NIO writes.
    private func write(_ frames: [[UInt8]], asArrays: Bool) {
        let channel = self.channel
        channel.eventLoop.execute {
            if asArrays {
                for range in StreamFrameCodec.batchRanges(sizes: frames.map(\.count), maximumBytes: StreamRoute.maximumBatchBytes) {
                    var data = channel.allocator.buffer(capacity: frames[range].reduce(1) { $0 + $1.count + 1 })
                    for index in range {
                        data.writeInteger(index == range.lowerBound ? UInt8(ascii: "[") : UInt8(ascii: ","))
                        data.writeBytes(frames[index])
                    }
                    data.writeInteger(UInt8(ascii: "]"))
                    Self.send(data, on: channel)
                }
            } else if let encoder = try? channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self) {
                // One buffer of ready WebSocket frames for all of them, handed to the handler
                // below the frame encoder: a reading viewer took a buffer, a `WebSocketFrame`
                // and a trip through the pipeline per frame, per viewer (ten readers, 2.3 µs of
                // stack CPU per event each; issue #15). Written on the event loop, so the
                // encoder's own writes (pongs, the close) never land inside one of these.
                var out = channel.allocator.buffer(capacity: frames.reduce(0) { $0 + Self.framedSize(of: $1.count) })
                for frame in frames { Self.appendFramed(frame, to: &out) }
                encoder.write(NIOAny(out), promise: nil)
            } else {
                for frame in frames { Self.send(channel.allocator.buffer(bytes: frame), on: channel) }
            }
            channel.flush()
        }
    }

    /// The bytes `appendFramed` writes for a message of `count` bytes.
    static func framedSize(of count: Int) -> Int {
        let parts = max(1, (count + maximumFrameBytes - 1) / maximumFrameBytes)
        return count + parts * 4
    }

    /// Appends `message` as a text message in WebSocket frames of at most `maximumFrameBytes`
    /// (a text frame, then continuation frames), as a server writes them: unmasked, no
    /// extension bits. The headers are RFC 6455's: FIN and the opcode, then the length in 7
    /// bits, or 126 and 16 bits (a part is at most 16 KiB, so never the 64-bit form).
    static func appendFramed(_ message: [UInt8], to out: inout ByteBuffer) {
        var start = 0
        var opcode: UInt8 = 0x1
        repeat {
            let end = min(message.count, start + maximumFrameBytes)
            let length = end - start
            out.writeInteger((end == message.count ? 0x80 : 0) | opcode)
            if length < 126 {
                out.writeInteger(UInt8(length))
            } else {
                out.writeInteger(UInt8(126))
                out.writeInteger(UInt16(length))
            }
            message.withUnsafeBufferPointer { bytes in
                _ = out.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<end]))
            }
            opcode = 0x0
            start = end
        } while start < message.count
    }

    /// Writes one message, in frames of at most `maximumFrameBytes`.
    private static func send(_ message: ByteBuffer, on channel: any Channel) {
        var data = message
        var opcode = WebSocketOpcode.text
        while data.readableBytes > maximumFrameBytes {
            let part = data.readSlice(length: maximumFrameBytes)!
            channel.write(WebSocketFrame(fin: false, opcode: opcode, data: part), promise: nil)
            opcode = .continuation
        }
        channel.write(WebSocketFrame(fin: true, opcode: opcode, data: data), promise: nil)
    }
}
