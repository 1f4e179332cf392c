import NIOCore
import NIOEmbedded
import Testing
import TestbedProtocol

@Suite("Frame codec")
struct FrameCodecTests {
    /// `{"id":1,"jsonrpc":"2.0","method":"rpc.ping"}`: 44 (0x2C) bytes.
    static let goldenPayload = #"{"id":1,"jsonrpc":"2.0","method":"rpc.ping"}"#

    /// The golden payload framed, written out by hand.
    static let goldenFrame: [UInt8] = [
        0x00, 0x00, 0x00, 0x2C,
        0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x31, 0x2C, 0x22, 0x6A, 0x73, 0x6F,
        0x6E, 0x72, 0x70, 0x63, 0x22, 0x3A, 0x22, 0x32, 0x2E, 0x30, 0x22, 0x2C,
        0x22, 0x6D, 0x65, 0x74, 0x68, 0x6F, 0x64, 0x22, 0x3A, 0x22, 0x72, 0x70,
        0x63, 0x2E, 0x70, 0x69, 0x6E, 0x67, 0x22, 0x7D,
    ]

    private func decodingChannel(maxFrameBytes: Int = FrameDecoder.defaultMaxFrameBytes) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
        return channel
    }

    private func readAll(_ channel: EmbeddedChannel) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while let frame = try channel.readInbound(as: ByteBuffer.self) {
            frames.append(Array(frame.readableBytesView))
        }
        return frames
    }

    @Test func encoderWritesGoldenFrame() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FrameEncoder())
        // Without room in front: the header goes out as a buffer of its own, before the payload.
        try channel.writeOutbound(ByteBuffer(string: Self.goldenPayload))
        var written: [UInt8] = []
        while let part = try channel.readOutbound(as: ByteBuffer.self) { written += part.readableBytesView }
        #expect(written == Self.goldenFrame)
        #expect(try channel.finish().isClean)
    }

    @Test func aPayloadWithRoomInFrontGoesOutAsOneBufferWithTheHeaderInPlace() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FrameEncoder())
        try channel.writeOutbound(channel.allocator.framePayloadBuffer(Array(Self.goldenPayload.utf8)))
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(written.readableBytesView) == Self.goldenFrame)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test func requestBuilderProducesGoldenPayload() throws {
        let payload = try RPCMessage.request(id: .int(1), method: RPCMethod.ping.name, params: NoParams?.none)
        #expect(Array(payload) == Array(Self.goldenFrame.dropFirst(4)))
    }

    @Test func decodesGoldenFrameFedOneByteAtATime() throws {
        let channel = try decodingChannel()
        for (index, byte) in Self.goldenFrame.enumerated() {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            if index < Self.goldenFrame.count - 1 {
                #expect(try channel.readInbound(as: ByteBuffer.self) == nil, "frame emitted after \(index + 1) bytes")
            }
        }
        let frames = try readAll(channel)
        #expect(frames == [Array(Self.goldenPayload.utf8)])
        #expect(try channel.finish().isClean)
    }

    @Test func decodesTwoFramesInOneBufferInOrder() throws {
        let channel = try decodingChannel()
        let bytes: [UInt8] = [0x00, 0x00, 0x00, 0x02, 0x7B, 0x7D,  // {}
                              0x00, 0x00, 0x00, 0x03, 0x5B, 0x31, 0x5D]  // [1]
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        #expect(try readAll(channel) == [[0x7B, 0x7D], [0x5B, 0x31, 0x5D]])
        #expect(try channel.finish().isClean)
    }

    @Test func encodeThenDecodeRoundTrips() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(FrameDecoder()), FrameEncoder(),
        ])
        let payloads = ["a", #"{"x":[1,2,3]}"#, String(repeating: "z", count: 70_000)]
        for payload in payloads { try channel.writeOutbound(ByteBuffer(string: payload)) }
        var wire = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { wire.writeBuffer(&chunk) }
        try channel.writeInbound(wire)
        #expect(try readAll(channel) == payloads.map { Array($0.utf8) })
        #expect(try channel.finish().isClean)
    }

    @Test func zeroLengthIsAnEmptyFrameError() throws {
        let channel = try decodingChannel()
        #expect(throws: FrameError.emptyFrame) {
            try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x00]))
        }
        _ = try? channel.finish()

        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x00, 0x7B])
        #expect(throws: FrameError.emptyFrame) { try FrameDecoder().nextFrame(from: &buffer) }
    }

    @Test func lengthAboveLimitIsRefusedOnHeaderAlone() throws {
        let channel = try decodingChannel(maxFrameBytes: 1024)
        try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x00, 0x04]))  // 3 of 4 header bytes: no verdict yet
        #expect(throws: FrameError.frameTooLarge(declared: 1025, limit: 1024)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x01]))  // 0x00000401 = 1025, no payload sent
        }
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        _ = try? channel.finish()
    }

    @Test func lengthAtLimitIsAccepted() throws {
        let limit = 1024
        let channel = try decodingChannel(maxFrameBytes: limit)
        try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x00, 0x04, 0x00]))  // 1024
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        let payload = [UInt8](repeating: 0x61, count: limit)
        try channel.writeInbound(ByteBuffer(bytes: payload))
        #expect(try readAll(channel) == [payload])
        #expect(try channel.finish().isClean)
    }

    @Test func maximalLengthIsRefusedImmediately() throws {
        var buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: FrameError.frameTooLarge(declared: 0xFFFF_FFFF, limit: FrameDecoder.defaultMaxFrameBytes)) {
            try FrameDecoder().nextFrame(from: &buffer)
        }

        let channel = try decodingChannel()
        #expect(throws: FrameError.frameTooLarge(declared: 0xFFFF_FFFF, limit: FrameDecoder.defaultMaxFrameBytes)) {
            try channel.writeInbound(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF]))
        }
        _ = try? channel.finish()
    }

    @Test(arguments: [0, 1, 3, 4, 5, 47])
    func nextFrameWaitsForCompleteFrameWithoutConsuming(prefix: Int) throws {
        var buffer = ByteBuffer(bytes: Self.goldenFrame.prefix(prefix))
        #expect(try FrameDecoder().nextFrame(from: &buffer) == nil)
        #expect(buffer.readableBytes == prefix)
    }

    @Test func nextFrameConsumesExactlyOneFrame() throws {
        var buffer = ByteBuffer(bytes: Self.goldenFrame + [0x00, 0x00])
        let frame = try #require(try FrameDecoder().nextFrame(from: &buffer))
        #expect(String(buffer: frame) == Self.goldenPayload)
        #expect(Array(buffer.readableBytesView) == [0x00, 0x00])
    }

    @Test(arguments: [
        ([0x00, 0x00] as [UInt8], 2),  // half a header
        ([0x00, 0x00, 0x00, 0x05, 0x61, 0x62], 6),  // header plus 2 of 5 payload bytes
    ])
    func eofInsideAFrameIsTruncated(bytes: [UInt8], buffered: Int) throws {
        let channel = try decodingChannel()
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        #expect(throws: FrameError.truncated(bufferedBytes: buffered)) { _ = try channel.finish() }
    }

    @Test func eofAfterCompleteFramesIsClean() throws {
        let channel = try decodingChannel()
        try channel.writeInbound(ByteBuffer(bytes: Self.goldenFrame))
        #expect(try readAll(channel) == [Array(Self.goldenPayload.utf8)])
        #expect(try channel.finish().isClean)
    }
}
