import NIOCore

/// Closes its connection as soon as it is active: for connections refused
/// while a channel initializer runs, when closing there directly may come
/// before the channel is even registered.
final class ClosingHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { context.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }
}
