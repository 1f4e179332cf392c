import NIOCore

/// Cuts a byte stream into frames: a 4-byte unsigned big-endian payload length N,
/// then N bytes of payload. A length of 0 or above `maxFrameBytes` is refused as
/// soon as its 4 bytes arrive, so a hostile length never makes us buffer N bytes.
public struct FrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = ByteBuffer

    /// The default largest accepted payload (1 MiB).
    public static let defaultMaxFrameBytes = 1_048_576

    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int = FrameDecoder.defaultMaxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try self.nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while let frame = try self.nextFrame(from: &buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
        }
        if buffer.readableBytes > 0 {
            let bytes = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: bytes)
            throw FrameError.truncated(bufferedBytes: bytes)
        }
        return .needMoreData
    }

    /// The next complete frame's payload, or nil when more bytes are needed.
    public func nextFrame(from buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return nil
        }
        if length == 0 { throw FrameError.emptyFrame }
        if length > self.maxFrameBytes { throw FrameError.frameTooLarge(declared: length, limit: self.maxFrameBytes) }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }
}
