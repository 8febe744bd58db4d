import HummingbirdCore
import Logging
import NIOCore

/// Wraps the server's child channel so that a connection which has not sent a byte is closed
/// when the graceful shutdown begins, or after `firstRequestTimeout` of silence.
///
/// Why: Hummingbird's HTTP/1 channel with WebSocket upgrade adds its idle timeout and its
/// handling of the shutdown's quiesce event only once the first request is read. A connection
/// that never sends one (a client's spare pooled connection, a port probe, `nc` left open) held
/// `serve`'s graceful shutdown until the peer closed it, that is, for ever; and so a test's
/// in-process server whose HTTP client had opened a connection it never used. Connections that
/// have sent a request are untouched: their requests finish first, as the README promises.
struct SilentConnectionGuard<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let firstRequestTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(SilentConnectionCloser(limit: firstRequestTimeout), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Closes its connection on the quiesce event or at `limit` until the first bytes arrive; then
/// takes itself out of the pipeline. Runs on the channel's event loop only.
final class SilentConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil { arm(context) }
        context.fireChannelActive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: limit) { bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            deadline?.cancel()
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
