import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The Hummingbird request context of the stack's HTTP server. It supports WebSocket upgrades
/// so extensions (the live stream) can add WebSocket routes to the same router.
public struct StackRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The connection: the live stream writes its frames to it in batches, one flush each
    /// (`StreamSocketWriter`).
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.channel = source.channel
    }
}

/// Extra HTTP routes beside the AWS front door (`/_signalbox/...`: stream, breaker board).
/// `POST` to any path belongs to the front door; extensions add `GET` and WebSocket routes.
public protocol StackRouteExtension: Sendable {
    func addRoutes(to router: Router<StackRequestContext>)
}
