import Foundation
import Hummingbird
import HummingbirdWebSocket
import JSON
import Patterns

/// `GET /_signalbox/stream`: the live stream as a WebSocket (frames in the README, version 1).
///
/// A viewer may name its topics in the query (`?topics=events,queues&buffer=256`) and send
/// `{"type":"subscribe","topics":[...],"pattern":{...}}` at any time to change them; it is
/// answered `subscribed` or `error`. Frames are written from the viewer's own bounded buffer,
/// so a slow socket only ever costs that viewer frames.
public struct StreamRoute: StackRouteExtension {
    public let hub: StreamHub
    public static let path = "/_signalbox/stream"
    static let maximumMessageBytes = 64 * 1024

    public init(hub: StreamHub) { self.hub = hub }

    public func addRoutes(to router: Router<StackRequestContext>) {
        let hub = self.hub
        router.ws(RouterPath(stringLiteral: Self.path)) { inbound, outbound, context in
            let query = context.request.uri.queryParameters
            let capacity = query.get("buffer", as: Int.self).map { min(max($0, 1), 65_536) } ?? StreamHub.defaultCapacity
            let topics = Set((query.get("topics") ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty })
            let subscription = hub.subscribe(topics: [], capacity: capacity)
            if !topics.isEmpty {
                // The acknowledgement first, then the topics' retained frames.
                subscription.control(StreamFrames.subscribed(topics: topics.sorted(), pattern: false, capacity: capacity))
                hub.resubscribe(subscription, topics: topics, pattern: nil)
            }
            defer { hub.unsubscribe(subscription) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in subscription {
                        try await outbound.write(.text(frame))
                    }
                }
                for try await message in inbound.messages(maxSize: Self.maximumMessageBytes) {
                    guard case .text(let text) = message else {
                        subscription.control(StreamFrames.error("BadRequest", "Send text frames of JSON."))
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
        guard case .object(let message)? = try? JSONValue(parsing: text) else {
            subscription.control(StreamFrames.error("BadRequest", "Messages must be JSON objects."))
            return
        }
        switch message["type"]?.stringValue {
        case "subscribe":
            guard let list = message["topics"]?.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                subscription.control(StreamFrames.error("BadRequest", "subscribe needs \"topics\": a list of topic names."))
                return
            }
            var pattern: EventPattern?
            if let given = message["pattern"], given != .null {
                do throws(EventPatternError) {
                    if let text = given.stringValue {
                        pattern = try EventPattern(parsing: text)
                    } else {
                        pattern = try EventPattern(given)
                    }
                } catch {
                    subscription.control(StreamFrames.error(EventPatternError.exceptionType, error.message))
                    return
                }
            }
            let topics = Set(list.compactMap(\.stringValue))
            subscription.control(StreamFrames.subscribed(topics: topics.sorted(), pattern: pattern != nil,
                                                         capacity: subscription.capacity))
            hub.resubscribe(subscription, topics: topics, pattern: pattern)
        case "ping":
            subscription.control("{\"v\":1,\"type\":\"pong\"}")
        default:
            subscription.control(StreamFrames.error("BadRequest", "Unknown message type; expected subscribe or ping."))
        }
    }
}
