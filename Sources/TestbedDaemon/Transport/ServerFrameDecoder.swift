import NIOCore
import TestbedProtocol

/// The frame decoder of the daemon's connections: `FrameDecoder`, telling the
/// handlers after it when a frame has begun to arrive but is not complete
/// (`FramePending.started`) and when it has (`.cleared`), so that
/// `ConnectionHandler` can hold every frame to `frame_timeout` however slowly
/// its bytes trickle in.
struct ServerFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// Whether part of a frame is buffered.
    enum FramePending: Sendable {
        case started
        case cleared
    }

    private var frames: FrameDecoder
    private var partial = false

    init(maxFrameBytes: Int) {
        frames = FrameDecoder(maxFrameBytes: maxFrameBytes)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let frame = try frames.nextFrame(from: &buffer) {
            if partial {
                partial = false
                context.fireUserInboundEventTriggered(FramePending.cleared)
            }
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        if !partial, buffer.readableBytes > 0 {
            partial = true
            context.fireUserInboundEventTriggered(FramePending.started)
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try frames.decodeLast(context: context, buffer: &buffer, seenEOF: seenEOF)
    }
}
