import NIOCore

/// Prefixes each outgoing payload with its 4-byte big-endian length. A payload
/// made with `ByteBufferAllocator.framePayloadBuffer` has room for the length
/// in front and goes out as it is; any other gets the length as a buffer of its
/// own, written with it in one gathered write. No payload is copied.
public final class FrameEncoder: ChannelOutboundHandler, RemovableChannelHandler, Sendable {
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Bytes a frame's header takes.
    public static let headerBytes = 4

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var payload = Self.unwrapOutboundIn(data)
        let length = UInt32(payload.readableBytes)
        if payload.readerIndex >= Self.headerBytes {
            payload.moveReaderIndex(to: payload.readerIndex - Self.headerBytes)
            payload.setInteger(length, at: payload.readerIndex, endianness: .big)
            context.write(Self.wrapOutboundOut(payload), promise: promise)
        } else {
            var header = context.channel.allocator.buffer(capacity: Self.headerBytes)
            header.writeInteger(length, endianness: .big)
            context.write(Self.wrapOutboundOut(header), promise: nil)
            context.write(Self.wrapOutboundOut(payload), promise: promise)
        }
    }
}

extension ByteBufferAllocator {
    /// An empty buffer for a payload, with room before it for the frame header.
    public func framePayloadBuffer(capacity: Int) -> ByteBuffer {
        var buffer = self.buffer(capacity: capacity + FrameEncoder.headerBytes)
        buffer.moveWriterIndex(forwardBy: FrameEncoder.headerBytes)
        buffer.moveReaderIndex(forwardBy: FrameEncoder.headerBytes)
        return buffer
    }

    /// `payload` in a buffer with room before it for the frame header.
    public func framePayloadBuffer(_ payload: some Collection<UInt8>) -> ByteBuffer {
        var buffer = framePayloadBuffer(capacity: payload.count)
        buffer.writeBytes(payload)
        return buffer
    }
}
