import Foundation
import Hummingbird
import HummingbirdWebSocket
import JSON
import Patterns
import StackProtocol

/// `GET /_signalbox/stream`: the live stream as a WebSocket (frames v1, `docs/stream.md`).
///
/// A viewer may name its topics in the query (`?topics=events,queues&buffer=256`) and send a
/// `StreamRequest` at any time to change them; it is answered `subscribed` or `error`. Frames
/// are written from the viewer's own bounded buffer, so a slow socket only ever costs that
/// viewer frames. With `batch=MS` the frames of up to MS milliseconds go out as one message (a
/// JSON array): one write and one read per batch instead of per frame. Either way the server
/// writes what the buffer holds with one flush (`StreamSocketWriter`).
public struct StreamRoute: StackRouteExtension {
    public let hub: StreamHub
    public static let path = ExtensionPaths.stream
    static let maximumMessageBytes = 64 * 1024
    static let maximumBatchMilliseconds = 1000
    /// A batch message's size at most (a single larger frame goes alone): under the 1 MiB
    /// message limit common WebSocket clients apply by default.
    static let maximumBatchBytes = 512 * 1024

    public init(hub: StreamHub) { self.hub = hub }

    public func addRoutes(to router: Router<StackRequestContext>) {
        let hub = self.hub
        router.ws(RouterPath(stringLiteral: Self.path)) { inbound, _, context in
            let query = context.request.uri.queryParameters
            let capacity = query.get("buffer", as: Int.self).map { min(max($0, 1), 65_536) } ?? StreamHub.defaultCapacity
            let topics = Set((query.get("topics") ?? "").split(separator: ",").map { StreamTopic(String($0)) }
                .filter { !$0.rawValue.isEmpty })
            let batch = query.get("batch", as: Int.self).map { Duration.milliseconds(min(max($0, 1), Self.maximumBatchMilliseconds)) }
            let subscription = hub.subscribe(topics: [], capacity: capacity)
            if !topics.isEmpty {
                // The acknowledgement first, then the topics' retained frames.
                subscription.control(.subscribed(StreamSubscribed(topics: topics.sorted(), filtered: false, buffer: capacity)))
                hub.resubscribe(subscription, topics: topics, pattern: nil)
            }
            defer { hub.unsubscribe(subscription) }
            let writer = StreamSocketWriter(channel: context.requestContext.channel, arrays: batch)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await writer.run(subscription) }
                for try await message in inbound.messages(maxSize: Self.maximumMessageBytes) {
                    guard case .text(let text) = message else {
                        subscription.control(.error(StreamFailure(code: "BadRequest", message: "Send text frames of JSON.")))
                        continue
                    }
                    Self.handle(text, subscription: subscription, hub: hub)
                }
                // The viewer closed: stop writing.
                group.cancelAll()
            }
        }
    }

    /// Applies one viewer message; answers with a control frame.
    static func handle(_ text: String, subscription: StreamSubscription, hub: StreamHub) {
        let request: StreamRequest
        do throws(StreamFailure) {
            request = try StreamRequest(text: text)
        } catch {
            subscription.control(.error(error))
            return
        }
        switch request {
        case .subscribe(let topics, let given):
            var pattern: EventPattern?
            if let given {
                do throws(EventPatternError) {
                    if let text = given.stringValue {
                        pattern = try EventPattern(parsing: text)
                    } else {
                        pattern = try EventPattern(given)
                    }
                } catch {
                    subscription.control(.error(StreamFailure(code: EventPatternError.exceptionType, message: error.message)))
                    return
                }
            }
            let topics = Set(topics)
            subscription.control(.subscribed(StreamSubscribed(topics: topics.sorted(), filtered: pattern != nil,
                                                              buffer: subscription.capacity)))
            hub.resubscribe(subscription, topics: topics, pattern: pattern)
        case .ping:
            subscription.control(.pong)
        }
    }
}
