/// An object member's name as it stands in the validated bytes (between its
/// quotes), compared and hashed by what it decodes to: `"a"` equals `"\u0061"`.
/// Only valid while `JSONValidator` holds the bytes.
struct JSONMemberName: Hashable {
    let start: UnsafePointer<UInt8>
    let count: Int
    /// Whether the name holds a backslash: only then does it differ from its bytes.
    let hasEscapes: Bool

    static func == (a: JSONMemberName, b: JSONMemberName) -> Bool {
        if !a.hasEscapes && !b.hasEscapes {
            guard a.count == b.count else { return false }
            for index in 0..<a.count where a.start[index] != b.start[index] { return false }
            return true
        }
        var left = a.decodedBytes
        var right = b.decodedBytes
        while true {
            let l = left.next()
            guard l == right.next() else { return false }
            if l == nil { return true }
        }
    }

    func hash(into hasher: inout Hasher) {
        if hasEscapes {
            let decoded = Array(IteratorSequence(decodedBytes))
            decoded.withUnsafeBytes { hasher.combine(bytes: $0) }
        } else {
            hasher.combine(bytes: UnsafeRawBufferPointer(start: start, count: count))
        }
    }

    /// The name decoded, for messages.
    var decoded: String {
        String(decoding: Array(IteratorSequence(decodedBytes)), as: UTF8.self)
    }

    /// The UTF-8 bytes the name stands for, escapes decoded.
    var decodedBytes: DecodedBytes { DecodedBytes(start: start, end: start + count) }

    /// Yields the UTF-8 of a string's contents with its escapes decoded; the
    /// contents are known to be valid (the validator checked them first).
    struct DecodedBytes: IteratorProtocol {
        var position: UnsafePointer<UInt8>
        let end: UnsafePointer<UInt8>
        /// The rest of an escaped character's UTF-8 encoding, last byte first.
        var pending: UInt32 = 0
        var pendingCount = 0

        init(start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
            self.position = start
            self.end = end
        }

        mutating func next() -> UInt8? {
            if pendingCount > 0 {
                pendingCount -= 1
                let byte = UInt8(truncatingIfNeeded: pending)
                pending >>= 8
                return byte
            }
            guard position < end else { return nil }
            let byte = position.pointee
            guard byte == UInt8(ascii: "\\") else {
                position += 1
                return byte
            }
            let kind = position[1]
            position += 2
            switch kind {
            case UInt8(ascii: "b"): return 0x08
            case UInt8(ascii: "f"): return 0x0C
            case UInt8(ascii: "n"): return 0x0A
            case UInt8(ascii: "r"): return 0x0D
            case UInt8(ascii: "t"): return 0x09
            case UInt8(ascii: "u"): break
            default: return kind  // \" \\ \/
            }
            var scalar = UInt32(Self.hexValue(position))
            position += 4
            if scalar >= 0xD800 && scalar < 0xDC00 {
                // Validated: a low surrogate escape follows.
                let low = UInt32(Self.hexValue(position + 2))
                position += 6
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            return encode(scalar)
        }

        /// The first UTF-8 byte of `scalar`; the others wait in `pending`.
        private mutating func encode(_ scalar: UInt32) -> UInt8 {
            func continuation(_ shift: UInt32) -> UInt32 { 0x80 | (scalar >> shift) & 0x3F }
            switch scalar {
            case ..<0x80:
                return UInt8(scalar)
            case ..<0x800:
                pending = continuation(0)
                pendingCount = 1
                return UInt8(0xC0 | scalar >> 6)
            case ..<0x10000:
                pending = continuation(6) | continuation(0) << 8
                pendingCount = 2
                return UInt8(0xE0 | scalar >> 12)
            default:
                pending = continuation(12) | continuation(6) << 8 | continuation(0) << 16
                pendingCount = 3
                return UInt8(0xF0 | scalar >> 18)
            }
        }

        static func hexValue(_ digits: UnsafePointer<UInt8>) -> UInt16 {
            var value: UInt16 = 0
            for index in 0..<4 {
                let digit = digits[index]
                let nibble: UInt8 = switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
                default: digit - UInt8(ascii: "A") + 10
                }
                value = value << 4 | UInt16(nibble)
            }
            return value
        }
    }
}
