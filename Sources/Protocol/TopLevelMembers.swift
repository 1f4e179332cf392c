/// Where the `id`, `method` and `error` members of a JSON object are, found
/// by one pass that steps over every other value without decoding it. Nil
/// when the bytes are not one object whose structure the pass can follow; it
/// does not validate what it steps over (a full decode does that).
struct TopLevelMembers {
    private let bytes: UnsafeRawBufferPointer
    private(set) var id: Range<Int>?
    private(set) var method: Range<Int>?
    private(set) var error: Range<Int>?

    init?(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        var i = 0
        skipSpace(&i)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        skipSpace(&i)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let keyEnd = stringEnd(after: i) else { return nil }
                let key = i + 1..<keyEnd - 1
                i = keyEnd
                skipSpace(&i)
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace(&i)
                let start = i
                guard skipValue(&i) else { return nil }
                switch String(decoding: UnsafeRawBufferPointer(rebasing: bytes[key]), as: UTF8.self) {
                case "id": id = start..<i
                case "method": method = start..<i
                case "error": error = start..<i
                default: break
                }
                skipSpace(&i)
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    skipSpace(&i)
                    continue
                }
                guard bytes[i] == UInt8(ascii: "}") else { return nil }
                i += 1
                break
            }
        }
        skipSpace(&i)
        guard i == bytes.count else { return nil }
    }

    /// True when the value at `range` is `null`.
    func isNull(_ range: Range<Int>) -> Bool {
        range.count == 4 && String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) == "null"
    }

    /// The string at `range`, when it is one without escapes; nil otherwise.
    func plainString(_ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""),
            !bytes[range].contains(UInt8(ascii: "\\"))
        else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range.lowerBound + 1..<range.upperBound - 1]), as: UTF8.self)
    }

    /// The integer at `range`, when it is a plain one (no fraction or exponent) that fits; nil otherwise.
    func integer(_ range: Range<Int>) -> Int64? {
        Int64(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private func skipSpace(_ i: inout Int) {
        while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
    }

    /// The index after the string that starts at `start` (its opening quote).
    private func stringEnd(after start: Int) -> Int? {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// Steps over one value: a string, an object or array (strings inside
    /// included), or a number or literal.
    private func skipValue(_ i: inout Int) -> Bool {
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            guard let end = stringEnd(after: i) else { return false }
            i = end
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(after: i) else { return false }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return true
                    }
                default:
                    break
                }
                i += 1
            }
            return false
        default:
            let start = i
            while i < bytes.count, !Self.isSpace(bytes[i]), bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "}"),
                bytes[i] != UInt8(ascii: "]")
            {
                i += 1
            }
            return i > start
        }
    }
}
