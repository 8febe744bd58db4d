import NIOCore
@testable import Stack
import Testing

/// The WebSocket frames the stream writes straight below NIO's frame encoder for viewers that
/// take one message per frame: read back as RFC 6455 says a client reads them.
@Suite("StreamSocketWriter's frames")
struct StreamSocketWriterTests {
    /// One frame as a client reads it: FIN, opcode, payload (a server's frames are unmasked).
    struct ReadFrame: Equatable {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]
    }

    struct Truncated: Error {}

    static func readFrames(_ buffer: ByteBuffer) throws -> [ReadFrame] {
        var buffer = buffer
        var frames: [ReadFrame] = []
        while buffer.readableBytes > 0 {
            guard let first = buffer.readInteger(as: UInt8.self), let second = buffer.readInteger(as: UInt8.self) else { throw Truncated() }
            #expect(first & 0x70 == 0, "no extension bits")
            #expect(second & 0x80 == 0, "a server's frame is not masked")
            var length = Int(second & 0x7F)
            if length == 126 {
                guard let long = buffer.readInteger(as: UInt16.self) else { throw Truncated() }
                length = Int(long)
            } else if length == 127 {
                guard let long = buffer.readInteger(as: UInt64.self) else { throw Truncated() }
                length = Int(long)
            }
            guard let payload = buffer.readBytes(length: length) else { throw Truncated() }
            frames.append(ReadFrame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload))
        }
        return frames
    }

    @Test("a message is one text frame up to 16 KiB, else a text frame and continuation frames; lengths in 7 or 16 bits",
          arguments: [0, 1, 125, 126, 127, 65_535 % 16_384, 16_384, 16_385, 40_000])
    func framing(size: Int) throws {
        let message = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var out = ByteBufferAllocator().buffer(capacity: StreamSocketWriter.framedSize(of: size))
        StreamSocketWriter.appendFramed(message, to: &out)
        #expect(out.readableBytes <= StreamSocketWriter.framedSize(of: size))
        let frames = try Self.readFrames(out)
        let parts = max(1, (size + 16_383) / 16_384)
        #expect(frames.count == parts)
        #expect(frames.map(\.opcode) == [0x1] + Array(repeating: 0x0, count: parts - 1), "text, then continuations")
        #expect(frames.map(\.fin) == Array(repeating: false, count: parts - 1) + [true], "FIN on the last frame only")
        #expect(frames.allSatisfy { $0.payload.count <= StreamSocketWriter.maximumFrameBytes })
        #expect(frames.flatMap(\.payload) == message)
    }

    @Test("several messages in one buffer read back as those messages, in order")
    func severalMessages() throws {
        let messages = [Array("{\"v\":1}".utf8), [], Array(repeating: UInt8(ascii: "x"), count: 20_000), Array("end".utf8)]
        var out = ByteBufferAllocator().buffer(capacity: messages.reduce(0) { $0 + StreamSocketWriter.framedSize(of: $1.count) })
        for message in messages { StreamSocketWriter.appendFramed(message, to: &out) }
        var read: [[UInt8]] = []
        var current: [UInt8] = []
        for frame in try Self.readFrames(out) {
            current += frame.payload
            if frame.fin {
                read.append(current)
                current = []
            }
        }
        #expect(read == messages)
    }
}
