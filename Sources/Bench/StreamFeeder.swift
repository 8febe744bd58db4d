import Foundation
import StackProtocol
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The endpoint a console is pointed at in the console-feed bench: a loopback port in the bench
/// process that stands in for the stack's live stream and passes everything else to the real
/// stack. A connection whose first request is the stream's WebSocket upgrade
/// (`GET /_signalbox/stream`) is served here (`FeedSession`: the stack's acknowledgement, then
/// event frames at the rate set); any other connection is forwarded byte for byte to the stack
/// (its first request head, then both directions copied until either side closes), so the
/// console's API calls are the real stack's answers. The console's HTTP client and its stream
/// client never share a connection (the stream's is a WebSocket of its own from its first
/// request), so the first request decides the whole connection.
///
/// Events are offered at `setRate`'s rate, one schedule for the feeder (counted from the last
/// `setRate`); each event has a counter unique over the run, its `seq` the counter plus one.
/// Plain threads and blocking sockets: a stream connection has a reader and a writer thread, a
/// forwarded one two copying threads. `close()` ends them all.
final class StreamFeeder: Sendable {
    /// What the feeder did so far (over every stream connection).
    struct Counters: Sendable {
        /// Events due under the rates set so far.
        var offered = 0
        /// Events whose bytes the socket took (written to the kernel).
        var sent = 0
        /// Events the viewer's buffer had no room for (the socket was not writable), told to it in
        /// `dropped` frames as the stack does.
        var dropped = 0
        /// Bytes of WebSocket frames the socket took.
        var bytes = 0
        /// Stream connections served, and the last one's `subscribe` as acknowledged.
        var streams = 0
        var subscribed: StreamSubscribed?
        /// Connections forwarded to the stack.
        var forwarded = 0
    }

    private struct State {
        var counters = Counters()
        var rate: Double = 0
        var rateSince = ContinuousClock.now
        var offeredAtRate = 0
        var nextCounter = 0
        /// Every socket open here, shut down by `close()`.
        var sockets: Set<Int32> = []
        var threads = 0
        var closed = false
    }

    let port: Int
    let frames: FeedFrames
    private let listener: Int32
    private let stackPort: Int
    private let state = Mutex(State())

    /// Listens on a free loopback port; the stack answers every connection that is not the
    /// stream on `stackPort`.
    init(stackPort: Int, frames: FeedFrames) throws {
        self.stackPort = stackPort
        self.frames = frames
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(listener)
            throw BenchError("the feeder cannot listen on loopback: \(String(cString: strerror(errno)))")
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        spawn { [self] in acceptConnections() }
    }

    /// From now on, offers `eventsPerSecond` (0: none).
    func setRate(_ eventsPerSecond: Double) {
        state.withLock { state in
            state.rate = eventsPerSecond
            state.rateSince = .now
            state.offeredAtRate = 0
        }
    }

    var counters: Counters { state.withLock { $0.counters } }

    /// Ends every connection and thread (waits up to 5 s for the threads).
    func close() {
        let sockets = state.withLock { state in
            state.closed = true
            return state.sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        for _ in 0..<500 where state.withLock({ $0.threads }) > 0 { usleep(10_000) }
        Glibc.close(listener)
    }

    // MARK: for sessions

    /// The events due since the last call under the rate in force: their first counter and count.
    func takeDue() -> (first: Int, count: Int) {
        state.withLock { state in
            let due = Int(state.rate * BusBench.seconds(ContinuousClock.now - state.rateSince))
            let count = max(0, due - state.offeredAtRate)
            state.offeredAtRate += count
            state.counters.offered += count
            defer { state.nextCounter += count }
            return (state.nextCounter, count)
        }
    }

    func count(sent events: Int, bytes: Int) {
        state.withLock { state in
            state.counters.sent += events
            state.counters.bytes += bytes
        }
    }

    func count(dropped events: Int) { state.withLock { $0.counters.dropped += events } }

    func record(_ subscribed: StreamSubscribed) { state.withLock { $0.counters.subscribed = subscribed } }

    /// Runs `body` on a thread of its own, counted until it returns.
    func spawn(_ body: @escaping @Sendable () -> Void) {
        state.withLock { $0.threads += 1 }
        Thread.detachNewThread { [self] in
            body()
            state.withLock { $0.threads -= 1 }
        }
    }

    /// Registers `socket` to be shut down by `close()`; false (and the socket shut down) when
    /// the feeder is closing.
    @discardableResult
    func track(_ socket: Int32) -> Bool {
        let open = state.withLock { state in
            if !state.closed { state.sockets.insert(socket) }
            return !state.closed
        }
        if !open { shutdown(socket, Int32(SHUT_RDWR)) }
        return open
    }

    func release(_ socket: Int32) {
        state.withLock { _ = $0.sockets.remove(socket) }
        Glibc.close(socket)
    }

    // MARK: connections

    private func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return   // closed
            }
            guard track(connection) else { release(connection); return }
            spawn { [self] in serve(connection) }
        }
    }

    /// Reads the first request head and serves the connection as the stream or forwards it.
    private func serve(_ connection: Int32) {
        guard let (head, extra) = Self.readHead(connection) else { release(connection); return }
        let requestLine = head.prefix { $0 != "\r" && $0 != "\n" }
        let target = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        if requestLine.hasPrefix("GET "), target == ExtensionPaths.stream || target.hasPrefix(ExtensionPaths.stream + "?"),
           head.lowercased().contains("upgrade: websocket") {
            state.withLock { $0.counters.streams += 1 }
            FeedSession(feeder: self, socket: connection, requestHead: head, target: target).run(afterHead: extra)
            release(connection)
        } else {
            state.withLock { $0.counters.forwarded += 1 }
            forward(connection, head: Array(head.utf8) + extra)
        }
    }

    /// Connects to the stack, writes what was read, then copies both ways until either side
    /// closes (then both are shut down).
    private func forward(_ client: Int32, head: [UInt8]) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: stackPort)
        let connected = upstream >= 0 && withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected, track(upstream), Self.sendAll(upstream, head) else {
            if upstream >= 0 { release(upstream) }
            release(client)
            return
        }
        // The reply direction on a thread of its own; this one copies the requests.
        let done = DispatchSemaphore(value: 0)
        spawn {
            Self.copy(from: upstream, to: client)
            done.signal()
        }
        Self.copy(from: client, to: upstream)
        done.wait()
        release(upstream)
        release(client)
    }

    /// Copies until `source` ends or either side fails; then shuts both down, which ends the
    /// copy the other way.
    private static func copy(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let read = recv(source, &buffer, buffer.count, 0)
            if read < 0 && errno == EINTR { continue }
            guard read > 0, sendAll(destination, Array(buffer[0..<read])) else { break }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
    }

    // MARK: sockets

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Writes all of `bytes` (blocking); false when the connection failed.
    static func sendAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(socket, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// A request head (up to its blank line, at most 64 KiB) as text, and the bytes read after it.
    private static func readHead(_ socket: Int32) -> (String, [UInt8])? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = [13, 10, 13, 10]
        while received.count < 65_536 {
            let read = recv(socket, &buffer, buffer.count, 0)
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { return nil }
            let searchFrom = max(0, received.count - 3)
            received.append(contentsOf: buffer[0..<read])
            var at = searchFrom
            while at + 4 <= received.count {
                if received[at..<(at + 4)].elementsEqual(end) {
                    return (String(decoding: received[..<(at + 4)], as: UTF8.self), Array(received[(at + 4)...]))
                }
                at += 1
            }
        }
        return nil
    }
}
