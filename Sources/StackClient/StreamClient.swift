import Foundation
import HummingbirdWSClient
import JSON
import Logging
import OrderedCollections

/// A viewer of the stack's live stream (`/_signalbox/stream`, frames v1 as the README
/// documents): subscribes to topics, optionally filtered server-side by an event pattern, and
/// yields each frame as JSON. The stream is the local stack's extension; AWS has none.
public struct StreamClient: Sendable {
    public let endpoint: StackEndpoint

    public init(endpoint: StackEndpoint) {
        self.endpoint = endpoint
    }

    /// Connects and yields every frame the server sends (`subscribed`, `event`, `dropped`, …).
    /// The sequence ends when the server closes the socket and throws when the connection
    /// fails; cancelling the consuming task closes the socket.
    public func frames(topics: [String], pattern: JSONValue? = nil,
                       buffer: Int? = nil) throws(StackClientError) -> AsyncThrowingStream<JSONValue, any Error> {
        guard let base = endpoint.extensionBaseURL else {
            throw .invalidEndpoint("the live stream is a Signalbox extension; this endpoint is AWS itself")
        }
        let url = Self.streamURL(base: base, buffer: buffer)
        var subscribe: OrderedDictionary<String, JSONValue> = ["type": "subscribe", "topics": .array(topics.map { .string($0) })]
        if let pattern { subscribe["pattern"] = pattern }
        let subscription = JSONValue.object(subscribe).serialized
        var logger = Logger(label: "signalbox.stream-client")
        logger.logLevel = .critical
        let quietLogger = logger
        return AsyncThrowingStream(bufferingPolicy: .bufferingNewest(4096)) { continuation in
            let task = Task {
                do {
                    try await WebSocketClient.connect(url: url, logger: quietLogger) { inbound, outbound, _ in
                        try await outbound.write(.text(subscription))
                        for try await message in inbound.messages(maxSize: 16 << 20) {
                            guard case .text(let text) = message else { continue }
                            if let frame = try? JSONValue(parsing: Array(text.utf8)) {
                                continuation.yield(frame)
                            }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: StackClientError.transport("live stream: \(error)"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func streamURL(base: String, buffer: Int?) -> String {
        var url = base
        if url.hasPrefix("https://") { url = "wss://" + url.dropFirst("https://".count) }
        else if url.hasPrefix("http://") { url = "ws://" + url.dropFirst("http://".count) }
        url += "/_signalbox/stream"
        if let buffer { url += "?buffer=\(buffer)" }
        return url
    }
}
