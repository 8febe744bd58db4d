import HummingbirdWSClient
import NIOCore

/// Gathers the WebSocket frames of one stream message (a batch longer than 16 KiB comes as a
/// text frame and continuation frames) into its bytes, as the socket delivered them.
///
/// Why not the WebSocket library's own messages: it copies a fragmented message into one
/// buffer and then into a `String` (validating it as UTF-8), which the decoder then read as
/// bytes again — three copies of every batch (up to 512 KiB, 20 a second) before the one the
/// parse keeps. Here a message is copied once, into an array of its final size, which the parse
/// keeps as it is (`StreamFrameCodec.decodeMessage(bytes:)` for an array). Binary messages are
/// skipped, as before.
struct StreamMessageBytes {
    let maximumSize: Int
    private var parts: [ByteBuffer] = []
    private var size = 0
    /// The message being gathered is binary: its frames are skipped.
    private var skipping = false

    init(maximumSize: Int) {
        self.maximumSize = maximumSize
    }

    /// Takes one frame; returns the message's bytes when `frame` completes a text message.
    /// Throws when a message grows past `maximumSize` or a continuation comes without a start.
    mutating func add(_ frame: WebSocketDataFrame) throws(StreamMessageError) -> [UInt8]? {
        switch frame.opcode {
        case .text, .binary:
            guard parts.isEmpty, !skipping else { throw .unexpectedStart }
            skipping = frame.opcode == .binary
        case .continuation:
            guard !parts.isEmpty || skipping else { throw .continuationWithoutStart }
        }
        if !skipping {
            size += frame.data.readableBytes
            guard size <= maximumSize else { throw .tooLarge(maximumSize) }
            parts.append(frame.data)
        }
        guard frame.fin else { return nil }
        defer {
            parts.removeAll(keepingCapacity: true)
            size = 0
        }
        if skipping {
            skipping = false
            return nil
        }
        var message: [UInt8] = []
        message.reserveCapacity(size)
        for part in parts { message.append(contentsOf: part.readableBytesView) }
        return message
    }
}

/// A stream message that breaks the WebSocket framing rules (RFC 6455 §5.4) or the size limit.
enum StreamMessageError: Error, CustomStringConvertible {
    case unexpectedStart
    case continuationWithoutStart
    case tooLarge(Int)

    var description: String {
        switch self {
        case .unexpectedStart: "a new message began before the last one ended"
        case .continuationWithoutStart: "a continuation frame came with no message to continue"
        case .tooLarge(let limit): "a message was larger than \(limit) bytes"
        }
    }
}
