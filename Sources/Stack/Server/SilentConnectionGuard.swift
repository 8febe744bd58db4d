import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Wraps the server's child channel so that a connection which has not sent a byte is closed
/// when the graceful shutdown begins (`SilentConnections.beginClosing`, or the quiesce event),
/// or after `firstRequestTimeout` of silence.
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
    let silent: SilentConnections

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(SilentConnectionCloser(limit: firstRequestTimeout, silent: silent),
                                                           position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// The connections that have not sent a byte yet, and whether the server has begun to close.
///
/// Why not the quiesce event alone: NIO sends it to the connections it has accepted, but one
/// accepted while it goes round can have its pipeline set up after the event passed, and then
/// waited out the whole `firstRequestTimeout` (a test's server stopping as its client opened a
/// connection took 60 s). Admitting and closing under one lock leaves no such gap: a connection
/// admitted before `beginClosing` is closed by it, one arriving after is refused by `admit`.
final class SilentConnections: Sendable {
    private struct State {
        var closing = false
        var open: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = Mutex(State())

    /// Records a silent connection; false when the server is closing (the caller closes it).
    func admit(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.closing else { return false }
            state.open[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    /// The connection spoke or closed: no longer the shutdown's to close.
    func remove(_ channel: any Channel) {
        _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// The shutdown began: closes every connection that has not spoken, and any that arrives.
    func beginClosing() {
        let silent = state.withLock { state in
            state.closing = true
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        for channel in silent { channel.close(promise: nil) }
    }

    var count: Int { state.withLock { $0.open.count } }
}

/// Closes its connection when the server begins to close, on the quiesce event, or at `limit`,
/// until the first bytes arrive; then takes itself out of the pipeline. Runs on the channel's
/// event loop only.
final class SilentConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let limit: TimeAmount
    private let silent: SilentConnections
    private var deadline: Scheduled<Void>?

    init(limit: TimeAmount, silent: SilentConnections) {
        self.limit = limit
        self.silent = silent
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil { arm(context) }
        context.fireChannelActive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard silent.admit(context.channel) else {
            context.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: limit) { bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline?.cancel()
        deadline = nil
        silent.remove(context.channel)
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
        silent.remove(context.channel)
        context.fireChannelInactive()
    }
}
