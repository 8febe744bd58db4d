import Foundation
import HummingbirdWSClient
import JSON
import Logging
import StackProtocol
import Timekeeping
import Wire

/// A viewer of the stack's live stream (`/_signalbox/stream`, frames v1, `docs/stream.md`):
/// subscribes to topics, optionally filtered server-side by an event pattern, and yields each
/// frame decoded by `StreamFrameCodec`. The stream is the local stack's extension; AWS has none.
public struct StreamClient: Sendable {
    public let endpoint: StackEndpoint

    public init(endpoint: StackEndpoint) {
        self.endpoint = endpoint
    }

    /// Connects and yields every frame the server sends (`subscribed`, `event`, `dropped`, …).
    /// A frame this reader cannot decode is yielded as an `error` frame with code
    /// `StreamFailure.unreadableCode`, never skipped unseen. The sequence ends when the server
    /// closes the socket and throws when the connection fails; cancelling the consuming task
    /// closes the socket.
    public func frames(topics: [StreamTopic], pattern: JSONValue? = nil,
                       buffer: Int? = nil) throws(StackClientError) -> AsyncThrowingStream<StreamFrame, any Error> {
        let connection = try connection(topics: topics, pattern: pattern, sentWithEvents: false, buffer: buffer, batch: nil)
        return AsyncThrowingStream(bufferingPolicy: .bufferingNewest(4096)) { continuation in
            let task = Task {
                do {
                    try await connection { frames in for frame in frames { continuation.yield(frame) } }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The same frames as `frames`, handed over in batches (`StreamBatches`): for a reader that
    /// takes them at its own pace. The server is asked to gather `window`'s worth of frames
    /// into one message (`batch=MS`), so the socket is read once per window, not per frame. At
    /// most `capacity` frames wait here; past it the oldest are dropped and counted in a
    /// `dropped` frame. `sentWithEvents` asks the stack to carry each message a delivery wrote
    /// in its event's frame instead of a `sent` frame of its own (`docs/stream.md`; honoured
    /// with both `events` and `messages`, as the `subscribed` frame says; a stack before it
    /// sends `sent` frames as always).
    public func frameBatches(topics: [StreamTopic], pattern: JSONValue? = nil, sentWithEvents: Bool = false, buffer: Int? = nil,
                             window: Duration = .milliseconds(50),
                             capacity: Int = 4096) throws(StackClientError) -> StreamBatches {
        let connection = try connection(topics: topics, pattern: pattern, sentWithEvents: sentWithEvents, buffer: buffer,
                                        batch: window)
        let (arrivals, arrival) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let inbox = StreamInbox(capacity: capacity, arrival: arrival)
        let task = Task {
            do {
                try await connection { inbox.put($0) }
                inbox.finish()
            } catch {
                inbox.finish(failure: error)
            }
        }
        arrival.onTermination = { _ in task.cancel() }
        return StreamBatches(inbox: inbox, arrivals: arrivals)
    }

    /// Connects, subscribes and hands the decoded frames of each message to `receive` until the
    /// server closes the socket; throws `StackClientError.transport` when the connection fails,
    /// `.noExtension` when the server refuses the upgrade (it serves no stream).
    private func connection(topics: [StreamTopic], pattern: JSONValue?, sentWithEvents: Bool, buffer: Int?, batch: Duration?)
        throws(StackClientError) -> @Sendable (@escaping @Sendable ([StreamFrame]) -> Void) async throws -> Void {
        guard let base = endpoint.extensionBaseURL else {
            throw .noExtension(NoExtension(path: ExtensionPaths.stream,
                                           reason: "this endpoint is AWS itself, which has no Signalbox extensions"))
        }
        let url = Self.streamURL(base: base, region: endpoint.region, buffer: buffer, batch: batch)
        let subscription = StreamRequest.subscribe(topics: topics, pattern: pattern, sentWithEvents: sentWithEvents).text
        var logger = Logger(label: "signalbox.stream-client")
        logger.logLevel = .critical
        let quietLogger = logger
        let endpoint = self.endpoint
        return { receive in
            // Signed as the API calls are (a stack run with `--auth` checks it), with the
            // credentials current at each connection.
            let credentials: AWSCredentials
            do { credentials = try await endpoint.currentCredentials() } catch {
                throw StackClientError.transport("live stream: \(error)")
            }
            var configuration = WebSocketClientConfiguration()
            for header in Self.signatureHeaders(url: url, credentials: credentials, region: endpoint.region,
                                                unixSeconds: SystemClock().wallClockNow.wholeSeconds) {
                // SigV4's own header names (`X-Amz-Date`, `Authorization`, `X-Amz-Security-Token`)
                // are valid field names: the force-unwrap cannot fail.
                configuration.additionalHeaders.append(.init(name: .init(header.name)!, value: header.value))
            }
            // The reader may have gone while the credentials were read: a connection opened now
            // would outlive it (the connect itself does not heed cancellation).
            try Task.checkCancellation()
            do {
                try await WebSocketClient.connect(url: url, configuration: configuration,
                                                  logger: quietLogger) { inbound, outbound, _ in
                    try await outbound.write(.text(subscription))
                    var message = StreamMessageBytes(maximumSize: Self.maximumMessageSize)
                    for try await frame in inbound {
                        guard let bytes = try message.add(frame) else { continue }
                        receive(Self.decode(bytes: bytes))
                    }
                }
            } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
                // The server answered the upgrade with something else (404 on a stack run with
                // `--no-stream`, or any HTTP server without the path): no stream here.
                throw StackClientError.noExtension(NoExtension(path: ExtensionPaths.stream, reason: "the WebSocket upgrade was refused"))
            } catch {
                throw StackClientError.transport("live stream: \(error)")
            }
        }
    }

    /// The largest message read (a batch holds at most 512 KiB of frames; one frame can be larger).
    static let maximumMessageSize = 16 << 20

    /// The frames of one received text message, or the reason it could not be read as an
    /// `error` frame.
    static func decode(_ text: String) -> [StreamFrame] {
        decode(bytes: text.utf8)
    }

    /// The same from the message's bytes as they came off the socket: no `String` is made of a
    /// whole batch (up to 512 KiB) before it is parsed.
    static func decode(bytes: some Collection<UInt8>) -> [StreamFrame] {
        decode { () throws(StackProtocolError) in try StreamFrameCodec.decodeMessage(bytes: bytes) }
    }

    /// The same from an array, which the parse keeps instead of copying.
    static func decode(bytes: [UInt8]) -> [StreamFrame] {
        decode { () throws(StackProtocolError) in try StreamFrameCodec.decodeMessage(bytes: bytes) }
    }

    private static func decode(_ read: () throws(StackProtocolError) -> [StreamFrame]) -> [StreamFrame] {
        do throws(StackProtocolError) {
            return try read()
        } catch {
            return [.error(StreamFailure(code: StreamFailure.unreadableCode, message: error.message))]
        }
    }

    /// The SigV4 headers (header form) that sign the upgrade request to `url` — a GET with no
    /// body, its Host as the WebSocket client sends it.
    static func signatureHeaders(url: String, credentials: AWSCredentials, region: String,
                                 unixSeconds: Int64) -> [(name: String, value: String)] {
        guard let components = URLComponents(string: url) else { return [] }
        let request = SigV4Request(method: "GET", path: components.percentEncodedPath,
                                   query: components.percentEncodedQuery ?? "",
                                   headers: [(name: "Host", value: StackEndpoint.hostHeader(of: url))], body: [UInt8]())
        let signed = SigV4Signer(credentials: credentials, region: region, service: streamSigningName)
            .sign(request, unixSeconds: unixSeconds)
        return signed.headers.filter { $0.name.lowercased() != "host" }
    }

    /// The service the stream's signature is scoped to (the stack's own: AWS has no stream).
    static let streamSigningName = "signalbox"

    /// `region` selects the stack's stream of the region the client signs its calls for (a
    /// stack before regions ignores it).
    static func streamURL(base: String, region: String? = nil, buffer: Int?, batch: Duration? = nil) -> String {
        var url = base
        if url.hasPrefix("https://") { url = "wss://" + url.dropFirst("https://".count) }
        else if url.hasPrefix("http://") { url = "ws://" + url.dropFirst("http://".count) }
        url += ExtensionPaths.stream
        var query: [String] = []
        if let region, let encoded = region.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            query.append("region=\(encoded)")
        }
        if let buffer { query.append("buffer=\(buffer)") }
        if let batch { query.append("batch=\(max(1, Int(batch.milliseconds.rounded())))") }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        return url
    }
}
