import NIOCore

/// The body of a JSON string (without its quotes) written from, and read back
/// into, raw bytes in one pass each, copying plain runs whole: the direct path
/// of `rpc.stream`'s `data` format, with no `String` or `Codable` in between.
public enum JSONStringBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// True when some byte of `word` is zero (exact, eight bytes at once).
    @inline(__always)
    private static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highBits != 0
    }

    /// True when all eight bytes are ASCII that JSON takes as they are: no
    /// control character, quote or backslash.
    @inline(__always)
    private static func isPlain(_ word: UInt64) -> Bool {
        // With no high bit set, `word - 0x20 * ones` borrows into a high bit exactly where a byte is below 0x20.
        word & highBits == 0
            && (word &- ones &* 0x20) & ~word & highBits == 0
            && !hasZeroByte(word ^ (ones &* 0x22))
            && !hasZeroByte(word ^ (ones &* 0x5C))
    }

    @inline(__always)
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C
    }

    /// Appends `bytes` to `out` as the inside of a JSON string: quote,
    /// backslash and control characters escaped, valid UTF-8 copied as it is,
    /// and each maximal invalid UTF-8 subpart replaced by U+FFFD, as
    /// `String(decoding:as:)` does. The output is at most 6 bytes per input byte.
    public static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to out: inout ByteBuffer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let count = bytes.count
        out.reserveCapacity(minimumWritableBytes: count + count / 8 + 16)
        var i = 0
        var runStart = 0
        @inline(__always) func flushRun(_ end: Int) {
            if end > runStart { out.writeBytes(UnsafeRawBufferPointer(start: base + runStart, count: end - runStart)) }
        }
        while i < count {
            while i + 8 <= count, isPlain(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { i += 8 }
            guard i < count else { break }
            let byte = base[i]
            if isPlain(byte) {
                i += 1
                continue
            }
            if byte >= 0x80 {
                let length = validSequenceLength(base + i, available: count - i)
                if length > 0 {
                    i += length
                    continue
                }
                // Invalid: replace the maximal subpart (at least one byte).
                flushRun(i)
                out.writeStaticString("\u{FFFD}")
                i += max(1, validPrefixLength(base + i, available: count - i))
                runStart = i
                continue
            }
            flushRun(i)
            switch byte {
            case 0x22: out.writeStaticString(#"\""#)
            case 0x5C: out.writeStaticString(#"\\"#)
            case 0x0A: out.writeStaticString(#"\n"#)
            case 0x0D: out.writeStaticString(#"\r"#)
            case 0x09: out.writeStaticString(#"\t"#)
            case 0x08: out.writeStaticString(#"\b"#)
            case 0x0C: out.writeStaticString(#"\f"#)
            default:
                @inline(__always) func hex(_ digit: UInt8) -> UInt8 { digit < 10 ? 0x30 + digit : 0x57 + digit }
                out.writeStaticString(#"\u00"#)
                out.writeInteger(hex(byte >> 4))
                out.writeInteger(hex(byte & 0xF))
            }
            i += 1
            runStart = i
        }
        flushRun(count)
    }

    /// The allowed range of the second byte after `lead`, and the sequence's length; nil for a byte that never starts one.
    @inline(__always)
    private static func shape(of lead: UInt8) -> (length: Int, second: ClosedRange<UInt8>)? {
        switch lead {
        case 0xC2...0xDF: (2, 0x80...0xBF)
        case 0xE0: (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80...0xBF)
        case 0xED: (3, 0x80...0x9F)
        case 0xF0: (4, 0x90...0xBF)
        case 0xF1...0xF3: (4, 0x80...0xBF)
        case 0xF4: (4, 0x80...0x8F)
        default: nil
        }
    }

    /// How many bytes of a well-formed sequence start at `p`: the whole
    /// sequence's length, or 0 when it is invalid or cut short.
    @inline(__always)
    private static func validSequenceLength(_ p: UnsafePointer<UInt8>, available: Int) -> Int {
        guard let (length, _) = shape(of: p[0]) else { return 0 }
        return validPrefixLength(p, available: available) == length ? length : 0
    }

    /// The length of the longest prefix at `p` that could begin a well-formed
    /// sequence (Unicode's "maximal subpart"): 0 for a byte that never starts one.
    private static func validPrefixLength(_ p: UnsafePointer<UInt8>, available: Int) -> Int {
        guard let (length, second) = shape(of: p[0]) else { return 0 }
        guard available > 1, second.contains(p[1]) else { return 1 }
        var k = 2
        while k < length, k < available, p[k] & 0xC0 == 0x80 { k += 1 }
        return k
    }

    /// Where to cut `bytes` at or before `limit` so that no character is split:
    /// `limit` itself unless a character starts within the three bytes before
    /// it and does not end by it, even when `limit` is the end of what was read
    /// (more may follow). Always at least 1 when `limit` ≥ 1.
    public static func characterBoundary(in bytes: UnsafeRawBufferPointer, atOrBefore limit: Int) -> Int {
        let limit = min(limit, bytes.count)
        guard limit > 0 else { return 0 }
        var start = limit - 1
        while start > 0, limit - 1 - start < 3, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        let lead = bytes[start]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return start + length > limit && start > 0 ? start : limit
    }

    /// The bytes a JSON string's body (between its quotes, starting at `start`)
    /// stands for, and the index of its closing quote; nil when the body has an
    /// escape JSON does not define or no closing quote. Unpaired surrogates
    /// become U+FFFD. Raw bytes are copied as they are, not checked.
    public static func unescape(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (bytes: [UInt8], end: Int)? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let count = bytes.count
        var out: [UInt8] = []
        out.reserveCapacity(count - start)
        var i = start
        var runStart = start
        @inline(__always) func flushRun(_ end: Int) {
            if end > runStart { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: end - runStart)) }
        }
        while i < count {
            while i + 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C)) { break }
                i += 8
            }
            guard i < count else { break }
            let byte = base[i]
            if byte == 0x22 {
                flushRun(i)
                return (out, i)
            }
            guard byte == 0x5C else {
                i += 1
                continue
            }
            flushRun(i)
            guard i + 1 < count else { return nil }
            switch base[i + 1] {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                guard var scalar = hexQuad(base, at: i + 2, count: count) else { return nil }
                i += 6
                if (0xD800...0xDBFF).contains(scalar), i + 1 < count, base[i] == 0x5C, base[i + 1] == 0x75,
                    let low = hexQuad(base, at: i + 2, count: count), (0xDC00...0xDFFF).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
                runStart = i
                continue
            default:
                return nil
            }
            i += 2
            runStart = i
        }
        return nil
    }

    private static func hexQuad(_ base: UnsafePointer<UInt8>, at i: Int, count: Int) -> UInt32? {
        guard i + 4 <= count else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = base[i + k]
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x61...0x66: digit = c - 0x61 + 10
            case 0x41...0x46: digit = c - 0x41 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: UTF8.encode(scalar)!)
    }
}
