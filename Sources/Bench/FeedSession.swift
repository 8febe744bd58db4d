import Crypto
import DequeModule
import Foundation
import Stack
import StackProtocol
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One live-stream connection of the console-feed bench, served as the stack serves a viewer
/// (`StreamRoute`, `StreamSubscription`, `StreamSocketWriter`): the WebSocket handshake, then
/// the viewer's `subscribe` answered `subscribed` and `ping` answered `pong`; once it subscribed
/// to `events`, the feeder's events go into a buffer of the viewer's size (`buffer=N`, default
/// `StreamHub.defaultCapacity`). Every `batch=MS` window (50 ms for the console) the writer
/// takes what the buffer holds and writes it as JSON-array messages of at most 512 KiB, each
/// sent as WebSocket frames of at most 16 KiB — but only while the socket is writable (less
/// than 64 KiB waiting beyond what the kernel took, NIO's default high-water mark, on which the
/// stack's writer waits). While it is not, the buffer fills, and the events it has no room for
/// are dropped and counted, then told to the viewer by one `dropped` frame where the gap is, as
/// the stack does: the feeder never holds more than the viewer's buffer and one write.
///
/// The reader thread (the one `run` is called on) reads the viewer's frames; the writer thread
/// is the only one that writes to the socket (control frames reach it through `controls`).
/// Not served: topics named in the query (the console names them in `subscribe`), patterns
/// (acknowledged as `filtered`, not applied) and the other topics' frames; events are sent only
/// to a viewer whose deliveries carry their messages (`sentWithEvents`, as the console asks).
final class FeedSession: Sendable {
    private let feeder: StreamFeeder
    private let socket: Int32
    private let requestHead: String
    /// The viewer's buffer in frames, and its batch window (`batch=MS`; without it, a message
    /// per frame every 10 ms, `StreamSocketWriter.gathering`).
    private let capacity: Int
    private let window: Duration
    private let batched: Bool

    private struct Shared {
        /// Whole WebSocket frames to write before anything else taken later.
        var controls: [[UInt8]] = []
        var subscribedToEvents = false
        var ended = false
    }
    private let shared = Mutex(Shared())

    init(feeder: StreamFeeder, socket: Int32, requestHead: String, target: String) {
        self.feeder = feeder
        self.socket = socket
        self.requestHead = requestHead
        let query = URLComponents(string: "http://feeder" + target)?.queryItems ?? []
        func value(_ name: String) -> Int? { query.first { $0.name == name }?.value.flatMap { Int($0) } }
        capacity = value("buffer").map { min(max($0, 1), 65_536) } ?? StreamHub.defaultCapacity
        batched = value("batch") != nil
        window = .milliseconds(value("batch").map { min(max($0, 1), 1000) } ?? 10)
    }

    /// Answers the handshake, then reads the viewer's frames until it closes (the writer runs
    /// meanwhile); returns when both have ended.
    func run(afterHead extra: [UInt8]) {
        guard let key = Self.header("sec-websocket-key", in: requestHead) else {
            _ = StreamFeeder.sendAll(socket, Array("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".utf8))
            return
        }
        let accept = Data(Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
        let answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n"
        guard StreamFeeder.sendAll(socket, Array(answer.utf8)) else { return }
        let written = DispatchSemaphore(value: 0)
        feeder.spawn { [self] in
            write()
            written.signal()
        }
        read(extra)
        shared.withLock { $0.ended = true }
        shutdown(socket, Int32(SHUT_RDWR))
        written.wait()
    }

    // MARK: reading

    private func read(_ extra: [UInt8]) {
        var received = extra
        var message: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            while let frame = Self.takeFrame(from: &received) {
                switch frame.opcode {
                case 0x1, 0x0:   // text, continuation
                    message.append(contentsOf: frame.payload)
                    if frame.fin {
                        handle(String(decoding: message, as: UTF8.self))
                        message.removeAll()
                    }
                case 0x8:        // close: answer it, then stop
                    queue(Self.frame(opcode: 0x8, payload: Array(frame.payload.prefix(2))))
                    return
                case 0x9:        // ping
                    queue(Self.frame(opcode: 0xA, payload: frame.payload))
                default:
                    break
                }
            }
            let read = recv(socket, &buffer, buffer.count, 0)
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { return }
            received.append(contentsOf: buffer[0..<read])
        }
    }

    /// A viewer's message, answered as `StreamRoute.handle` answers it. The feeder does not
    /// filter: a pattern is acknowledged (`filtered`) but every event is sent.
    private func handle(_ text: String) {
        let answer: StreamFrame
        do throws(StreamFailure) {
            switch try StreamRequest(text: text) {
            case .subscribe(let topics, let pattern, let sentWithEvents):
                let topics = Set(topics)
                let subscribed = StreamSubscribed(topics: topics.sorted(), filtered: pattern != nil, buffer: capacity,
                                                  sentWithEvents: sentWithEvents && topics.contains(.events) && topics.contains(.messages))
                feeder.record(subscribed)
                // Events only in the form the feeder writes (deliveries carrying their messages).
                shared.withLock { $0.subscribedToEvents = subscribed.sentWithEvents }
                answer = .subscribed(subscribed)
            case .ping:
                answer = .pong
            }
        } catch {
            answer = .error(error)
        }
        queue(Self.frame(opcode: 0x1, payload: Array(StreamFrameCodec.encode(answer).utf8)))
    }

    private func queue(_ frame: [UInt8]) {
        shared.withLock { $0.controls.append(frame) }
    }

    // MARK: writing

    /// What the buffer holds, in order: runs of consecutive events, and the gaps dropped between them.
    private enum Buffered {
        case events(first: Int, count: Int)
        case dropped(Int)
    }

    /// Bytes handed to the socket in order: each part with the events it completes once written.
    private struct Outbound {
        var parts = Deque<(bytes: [UInt8], events: Int)>()
        var offset = 0
        var waiting = 0
    }

    /// NIO's default high-water mark: a channel with this much waiting is not writable.
    static let highWaterMark = 64 * 1024

    private func write() {
        var buffered: [Buffered] = []
        var bufferedEvents = 0
        var pendingDrops = 0
        var outbound = Outbound()
        var nextWindow = ContinuousClock.now + window
        while true {
            let (controls, subscribed, ended) = shared.withLock { shared in
                defer { shared.controls.removeAll() }
                return (shared.controls, shared.subscribedToEvents, shared.ended)
            }
            for control in controls { outbound.parts.append((control, 0)); outbound.waiting += control.count }
            if ended {
                _ = flush(&outbound)   // a close's answer, if it fits
                return
            }
            let now = ContinuousClock.now
            if now >= nextWindow {
                nextWindow = max(nextWindow + window, now)
                if subscribed {
                    // Publishing: into the buffer while it has room, else counted (`StreamSubscription.offer`).
                    let (first, count) = feeder.takeDue()
                    var droppedNow = 0
                    defer { if droppedNow > 0 { feeder.count(dropped: droppedNow) } }
                    for counter in first..<(first + count) {
                        if bufferedEvents >= capacity {
                            pendingDrops += 1
                            droppedNow += 1
                            continue
                        }
                        if pendingDrops > 0 {
                            buffered.append(.dropped(pendingDrops))
                            pendingDrops = 0
                        }
                        if case .events(let start, let run) = buffered.last, start + run == counter {
                            buffered[buffered.count - 1] = .events(first: start, count: run + 1)
                        } else {
                            buffered.append(.events(first: counter, count: 1))
                        }
                        bufferedEvents += 1
                    }
                } else {
                    _ = feeder.takeDue()   // no viewer of events yet: nothing is offered to it
                }
                // Writing: everything buffered, while the socket is writable (`StreamSocketWriter`).
                if outbound.waiting < Self.highWaterMark && (bufferedEvents > 0 || pendingDrops > 0) {
                    if pendingDrops > 0 {
                        buffered.append(.dropped(pendingDrops))
                        pendingDrops = 0
                    }
                    for (message, events) in encode(buffered) {
                        let frames = Self.frames(ofMessage: message)
                        outbound.parts.append((frames, events))
                        outbound.waiting += frames.count
                    }
                    buffered.removeAll(keepingCapacity: true)
                    bufferedEvents = 0
                }
            }
            guard flush(&outbound) else { return }
            // Wait for the next window, or for room in the socket while something waits.
            var poller = pollfd(fd: socket, events: Int16(outbound.waiting > 0 ? POLLOUT : 0), revents: 0)
            let timeout = max(0, Int32(BusBench.seconds(nextWindow - ContinuousClock.now) * 1000))
            if poll(&poller, 1, timeout) > 0 && poller.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { return }
        }
    }

    /// Writes what the socket takes now without waiting; counts completed parts' events and
    /// bytes. False when the connection failed.
    private func flush(_ outbound: inout Outbound) -> Bool {
        var events = 0, bytes = 0
        defer { if events > 0 || bytes > 0 { feeder.count(sent: events, bytes: bytes) } }
        while let part = outbound.parts.first {
            let written = part.bytes.withUnsafeBytes {
                send(socket, $0.baseAddress! + outbound.offset, part.bytes.count - outbound.offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
            outbound.offset += written
            outbound.waiting -= written
            bytes += written
            if outbound.offset == part.bytes.count {
                events += part.events
                outbound.parts.removeFirst()
                outbound.offset = 0
            }
        }
        return true
    }

    /// The buffered frames as batch messages (`StreamFrameCodec.batches`' rule: at most
    /// `StreamRoute`'s 512 KiB, a larger frame alone), each with its count of events; without
    /// `batch`, a message per frame.
    private func encode(_ buffered: [Buffered]) -> [(message: [UInt8], events: Int)] {
        let stamp = FeedFrames.Stamp(Date())
        var messages: [(message: [UInt8], events: Int)] = []
        var message: [UInt8] = [UInt8(ascii: "[")]
        var events = 0
        var frame: [UInt8] = []
        func add(_ frame: [UInt8], isEvent: Bool) {
            guard batched else {
                messages.append((frame, isEvent ? 1 : 0))
                return
            }
            if message.count > 1 && message.count + frame.count + 1 > Self.maximumBatchBytes {
                message.append(UInt8(ascii: "]"))
                messages.append((message, events))
                message = [UInt8(ascii: "[")]
                events = 0
            }
            if message.count > 1 { message.append(UInt8(ascii: ",")) }
            message.append(contentsOf: frame)
            if isEvent { events += 1 }
        }
        for entry in buffered {
            switch entry {
            case .events(let first, let count):
                for counter in first..<(first + count) {
                    frame.removeAll(keepingCapacity: true)
                    feeder.frames.append(event: counter, sequence: counter + 1, stamp: stamp, to: &frame)
                    add(frame, isEvent: true)
                }
            case .dropped(let count):
                add(Array(StreamFrameCodec.encode(.dropped(count: count)).utf8), isEvent: false)
            }
        }
        if message.count > 1 {
            message.append(UInt8(ascii: "]"))
            messages.append((message, events))
        }
        return messages
    }

    /// `StreamRoute.maximumBatchBytes`.
    static let maximumBatchBytes = 512 * 1024
    /// `StreamSocketWriter.maximumFrameBytes`.
    static let maximumFrameBytes = 16 * 1024

    // MARK: WebSocket frames

    /// A message as a text frame and continuation frames of at most 16 KiB (server frames are
    /// not masked).
    static func frames(ofMessage message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + (message.count / maximumFrameBytes + 1) * 4)
        var offset = 0
        repeat {
            let end = min(message.count, offset + maximumFrameBytes)
            appendHeader(fin: end == message.count, opcode: offset == 0 ? 0x1 : 0x0, length: end - offset, to: &output)
            output.append(contentsOf: message[offset..<end])
            offset = end
        } while offset < message.count
        return output
    }

    static func frame(opcode: UInt8, payload: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        appendHeader(fin: true, opcode: opcode, length: payload.count, to: &output)
        return output + payload
    }

    private static func appendHeader(fin: Bool, opcode: UInt8, length: Int, to output: inout [UInt8]) {
        output.append((fin ? 0x80 : 0) | opcode)
        if length < 126 {
            output.append(UInt8(length))
        } else if length <= 0xFFFF {
            output.append(126)
            output.append(contentsOf: [UInt8(length >> 8), UInt8(length & 0xFF)])
        } else {
            output.append(127)
            output.append(contentsOf: (0..<8).reversed().map { UInt8((length >> ($0 * 8)) & 0xFF) })
        }
    }

    /// The first whole frame a client sent (masked, as clients' are), unmasked, removed from
    /// `received`; nil until one is whole.
    private static func takeFrame(from received: inout [UInt8]) -> (fin: Bool, opcode: UInt8, payload: [UInt8])? {
        guard received.count >= 2 else { return nil }
        var length = Int(received[1] & 0x7F)
        var at = 2
        if length == 126 {
            guard received.count >= 4 else { return nil }
            length = Int(received[2]) << 8 | Int(received[3])
            at = 4
        } else if length == 127 {
            guard received.count >= 10 else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(received[$1]) }
            at = 10
        }
        let masked = received[1] & 0x80 != 0
        let mask = masked ? Array(received[at..<min(received.count, at + 4)]) : []
        if masked { at += 4 }
        guard received.count >= at + length else { return nil }
        var payload = Array(received[at..<(at + length)])
        if masked { for index in payload.indices { payload[index] ^= mask[index % 4] } }
        let fin = received[0] & 0x80 != 0, opcode = received[0] & 0x0F
        received.removeFirst(at + length)
        return (fin, opcode, payload)
    }

    /// A header's value in a request head (names are case-insensitive).
    private static func header(_ name: String, in head: String) -> String? {
        for line in head.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
