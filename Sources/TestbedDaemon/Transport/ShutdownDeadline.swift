import NIOCore
import NIOExtras

/// The first handler of every connection: once the daemon starts to stop
/// (`ServerQuiescingHelper` sends `ChannelShouldQuiesceEvent`), it closes the
/// connection after `timeout`, its answers flushed or not, so that a client
/// that does not read cannot hold the daemon up beyond `shutdown_timeout`.
final class ShutdownDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount

    init(timeout: TimeAmount) { self.timeout = timeout }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: timeout) { loopBound.value.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }
}
