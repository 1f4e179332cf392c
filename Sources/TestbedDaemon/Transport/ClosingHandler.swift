import NIOCore
import TestbedProtocol

/// Closes its connection as soon as it is active: for connections refused
/// while a channel initializer runs, when closing there directly may come
/// before the channel is even registered. With a refusal, it first sends it
/// as one error response (id null), so the client can say why; a
/// `FrameEncoder` before it frames it.
final class ClosingHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny
    typealias OutboundOut = ByteBuffer

    private let refusal: RPCError?
    private var closing = false

    init(refusal: RPCError? = nil) {
        self.refusal = refusal
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { close(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        close(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Whatever the client sent meanwhile is not read.
    }

    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        guard let refusal else { return context.close(promise: nil) }
        let buffer = context.channel.allocator.buffer(bytes: RPCMessage.errorResponse(id: nil, error: refusal))
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(Self.wrapOutboundOut(buffer)).whenComplete { _ in loopBound.value.close(promise: nil) }
    }
}
