import Foundation
import NIOCore
import Testing
import TestbedProtocol

/// The `data` stream format's direct path: what the daemon writes from raw
/// bytes is JSON that any decoder reads as the bytes' text, and the client's
/// one-pass reader gets the same.
@Suite struct StreamDataFrameTests {
    /// A payload written the way the daemon writes one.
    static func frame(_ bytes: [UInt8], id: RequestID = .int(7), seq: Int = 3) -> ByteBuffer {
        var frame = StreamDataFrame.start(allocator: ByteBufferAllocator(), textBytes: bytes.count)
        bytes.withUnsafeBytes { JSONStringBytes.appendEscaped($0, to: &frame) }
        StreamDataFrame.finish(&frame, id: id, seq: seq)
        return frame
    }

    /// Bytes biased towards what needs care: control characters, quotes,
    /// backslashes, UTF-8 lead and continuation bytes, invalid bytes.
    static func awkwardBytes(_ generator: inout some RandomNumberGenerator) -> [UInt8] {
        let interesting: [UInt8] = [0x00, 0x01, 0x0A, 0x0D, 0x09, 0x1F, 0x22, 0x5C, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xC3, 0xA9,
                                    0xE0, 0xE2, 0x82, 0xAC, 0xED, 0xA0, 0xF0, 0x9F, 0x98, 0xF4, 0x90, 0xFF, 0x41, 0x20]
        return (0..<Int.random(in: 0...64, using: &generator)).map { _ in
            Bool.random(using: &generator) ? interesting.randomElement(using: &generator)! : UInt8.random(in: 0x20...0x7E, using: &generator)
        }
    }

    @Test func whatTheDaemonWritesDecodesAsTheBytesTextEitherWay() throws {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<5_000 {
            let bytes = Self.awkwardBytes(&generator)
            let text = Array(String(decoding: bytes, as: UTF8.self).utf8)
            let frame = Self.frame(bytes)
            let payload = Data(frame.readableBytesView)
            let decoded = try JSONCoding.sharedDecoder.decode(ParamsEnvelope<StreamChunk>.self, from: payload).params
            #expect(decoded == StreamChunk(id: .int(7), seq: 3, data: text), "\(bytes)")
            let parsed = frame.withUnsafeReadableBytes { StreamDataFrame.parse($0) }
            #expect(parsed == decoded, "\(bytes)")
            // Strict RFC 8259, as the daemon itself checks what it reads.
            try JSONValidator.validate(payload)
        }
    }

    @Test func longPlainRunsAndEveryEscapeRoundTrip() throws {
        // Runs longer than the eight bytes checked at once, with specials at every alignment.
        for offset in 0..<17 {
            let bytes = Array(repeating: UInt8(ascii: "a"), count: offset) + Array("\"\\\n\u{1}é".utf8)
                + Array(repeating: UInt8(ascii: "b"), count: 40 - offset)
            let frame = Self.frame(bytes)
            #expect(frame.withUnsafeReadableBytes { StreamDataFrame.parse($0) }?.content == .data(bytes))
        }
        let frame = Self.frame(Array("a\"b\\c\u{8}\u{C}\n\r\t\u{1}\u{7F}".utf8))
        #expect(String(buffer: frame) == #"{"jsonrpc":"2.0","method":"rpc.stream","params":{"data":"a\"b\\c\b\f\n\r\t\u0001"# + "\u{7F}" + #"","id":7,"seq":3}}"#)
    }

    @Test func theReaderTakesEscapesTheDaemonNeverWritesAndStringIDs() {
        let payload = #"{"jsonrpc":"2.0","method":"rpc.stream","params":{"data":"\/\u0041\ud83d\ude00\ud800x","id":"req-1","seq":12}}"#
        let chunk = ByteBuffer(string: payload).withUnsafeReadableBytes { StreamDataFrame.parse($0) }
        #expect(chunk == StreamChunk(id: .string("req-1"), seq: 12, data: Array("/A\u{1F600}\u{FFFD}x".utf8)))
        #expect(Self.frame(Array("x".utf8), id: .string("a b"), seq: 0).withUnsafeReadableBytes { StreamDataFrame.parse($0) }?.id == .string("a b"))
    }

    @Test func aStringIDThatNeedsEscapesIsWrittenAsJSON() throws {
        let frame = Self.frame(Array("x".utf8), id: .string("a\"b\\c"), seq: 1)
        let decoded = try JSONCoding.sharedDecoder.decode(ParamsEnvelope<StreamChunk>.self, from: Data(frame.readableBytesView)).params
        #expect(decoded.id == .string("a\"b\\c"))
        // The one-pass reader leaves such an id to the full decoder.
        #expect(frame.withUnsafeReadableBytes { StreamDataFrame.parse($0) } == nil)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","method":"rpc.stream","params":{"data":"x","seq":1,"id":7}}"#,
        #"{"jsonrpc":"2.0","method":"rpc.stream","params":{"data":"x","id":7,"seq":1,"more":1}}"#,
        #"{"jsonrpc":"2.0","method":"rpc.stream","params":{"data":"x\q","id":7,"seq":1}}"#,
        #"{"jsonrpc":"2.0","method":"rpc.stream","params":{"data":"x","id":7,"seq":1}} "#,
        #"{"jsonrpc":"2.0","method":"rpc.stream","params":{"data":"unterminated"#,
    ])
    func anythingButTheCanonicalFormIsLeftToTheFullDecoder(payload: String) {
        #expect(ByteBuffer(string: payload).withUnsafeReadableBytes { StreamDataFrame.parse($0) } == nil)
    }

    @Test func aCutNeverSplitsACharacter() {
        let bytes = Array(repeating: UInt8(ascii: "x"), count: 9) + Array("é€😀".utf8)
        bytes.withUnsafeBytes { raw in
            #expect(JSONStringBytes.characterBoundary(in: raw, atOrBefore: 10) == 9)  // inside é
            #expect(JSONStringBytes.characterBoundary(in: raw, atOrBefore: 11) == 11)  // after é
            #expect(JSONStringBytes.characterBoundary(in: raw, atOrBefore: 13) == 11)  // inside €
            #expect(JSONStringBytes.characterBoundary(in: raw, atOrBefore: 16) == 14)  // inside 😀
            #expect(JSONStringBytes.characterBoundary(in: raw, atOrBefore: 99) == bytes.count)
        }
    }
}

/// A small seeded generator, so a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
