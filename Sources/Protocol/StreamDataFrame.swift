import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// An `rpc.stream` notification in the `data` format, written straight from a
/// log's bytes and read straight back into them:
///
///     {"jsonrpc":"2.0","method":"rpc.stream","params":{"data":"…","id":7,"seq":0}}
///
/// Members are in the sorted order every payload uses, so the text comes
/// first and its end is found by the same pass that unescapes it.
public enum StreamDataFrame {
    static let prefix: StaticString = #"{"jsonrpc":"2.0","method":"rpc.stream","params":{"data":""#

    /// A payload buffer holding the frame's start, with room for the frame
    /// header in front (`FrameEncoder` writes it there without a copy). Append
    /// the text with `JSONStringBytes.appendEscaped`, then call `finish`.
    public static func start(allocator: ByteBufferAllocator, textBytes: Int) -> ByteBuffer {
        var buffer = allocator.framePayloadBuffer(capacity: prefix.utf8CodeUnitCount + textBytes + textBytes / 8 + 64)
        buffer.writeStaticString(prefix)
        return buffer
    }

    /// Closes the text and writes the request's id and the chunk's number.
    public static func finish(_ buffer: inout ByteBuffer, id: RequestID, seq: Int) {
        buffer.writeStaticString(#"","id":"#)
        buffer.writeBytes(RPCMessage.encodedID(id))
        buffer.writeStaticString(#","seq":"#)
        buffer.writeString(String(seq))
        buffer.writeStaticString("}}")
    }

    /// True when `payload` starts as a `data` frame does.
    public static func matches(_ payload: UnsafeRawBufferPointer) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard payload.count > count else { return false }
        return memcmp(payload.baseAddress!, prefix.utf8Start, count) == 0
    }

    /// The chunk a `data` frame carries, read in one pass; nil when the
    /// payload is not exactly in the form `finish` writes (decode it with
    /// `Codable` then, which says what is wrong).
    public static func parse(_ payload: UnsafeRawBufferPointer) -> StreamChunk? {
        guard matches(payload), let (text, end) = JSONStringBytes.unescape(payload, from: prefix.utf8CodeUnitCount) else {
            return nil
        }
        var i = end + 1
        func expect(_ literal: StaticString) -> Bool {
            let n = literal.utf8CodeUnitCount
            guard i + n <= payload.count, memcmp(payload.baseAddress! + i, literal.utf8Start, n) == 0 else { return false }
            i += n
            return true
        }
        func integer() -> Int64? {
            let start = i
            if i < payload.count, payload[i] == UInt8(ascii: "-") { i += 1 }
            while i < payload.count, (0x30...0x39).contains(payload[i]) { i += 1 }
            return Int64(String(decoding: UnsafeRawBufferPointer(rebasing: payload[start..<i]), as: UTF8.self))
        }
        guard expect(#","id":"#) else { return nil }
        let id: RequestID
        if i < payload.count, payload[i] == UInt8(ascii: "\"") {
            let start = i + 1
            guard let close = payload[start...].firstIndex(of: UInt8(ascii: "\"")),
                !payload[start..<close].contains(UInt8(ascii: "\\"))
            else { return nil }
            id = .string(String(decoding: UnsafeRawBufferPointer(rebasing: payload[start..<close]), as: UTF8.self))
            i = close + 1
        } else {
            guard let value = integer() else { return nil }
            id = .int(value)
        }
        guard expect(#","seq":"#), let seq = integer(), expect("}}"), i == payload.count else { return nil }
        return StreamChunk(id: id, seq: Int(seq), data: text)
    }
}
