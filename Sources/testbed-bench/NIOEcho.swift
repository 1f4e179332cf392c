import NIOCore
import NIOPosix
import TestbedProtocol

/// The framework's own floor: a SwiftNIO server of the same framing, on as
/// many event loops as testbedd, that answers each frame with a fixed reply
/// and flushes once per read, with no JSON and no dispatch. What testbedd
/// adds on top of it is the daemon's own cost per request.
final class NIOEcho {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
    private let channel: any Channel

    init(socket: String, replyBytes: Int) async throws {
        let reply = [UInt8](repeating: UInt8(ascii: " "), count: replyBytes)
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoder()), FrameEncoder(), Answer(reply: reply))
                }
            }
            .bind(unixDomainSocketPath: socket, cleanupExistingSocketFile: true)
            .get()
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    private final class Answer: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: [UInt8]
        init(reply: [UInt8]) { self.reply = reply }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.write(Self.wrapOutboundOut(context.channel.allocator.framePayloadBuffer(reply)), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }
}
