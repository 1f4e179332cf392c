import NIOCore

/// Sits just above TLS on a fuzzed bridge connection and notes when a handler
/// above asks to close it. TLS then sends close_notify and, since the bridge
/// allows half-closure, waits out its shutdown timeout (5 s) before closing
/// the channel even when the peer answers; the fuzzer closes it at once instead.
final class CloseRequestProbe: ChannelOutboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // Sendable to be handed back from the event loop; read and written only on it.
    typealias OutboundIn = NIOAny

    private(set) var closeRequested = false

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all { closeRequested = true }
        context.close(mode: mode, promise: promise)
    }
}
