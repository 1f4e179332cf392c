#if canImport(Glibc)
import Glibc
#endif

/// The members of one JSON object, found by one pass that steps over every
/// value without decoding it: where each key and value is. Nil when the bytes
/// are not one object whose structure the pass can follow; it does not
/// validate what it steps over (a full decode, or `JSONValidator` first, does that).
/// The client routes responses by it, and the daemon reads requests' envelopes with it.
public struct TopLevelMembers {
    /// One member: the range of its key (inside the quotes) and of its value.
    public struct Member {
        public let key: Range<Int>
        public let value: Range<Int>
    }

    private let bytes: UnsafeRawBufferPointer
    /// Every member, in order.
    public private(set) var members: [Member] = []
    /// Some key has an escape: look up by name only when this is false.
    public private(set) var hasEscapedKey = false

    /// The value of `id`, `method` or `error`, if present.
    var id: Range<Int>? { self["id"] }
    var method: Range<Int>? { self["method"] }
    var error: Range<Int>? { self["error"] }

    /// Scans the object that is all of `bytes` (space around it allowed).
    public init?(_ bytes: UnsafeRawBufferPointer) {
        self.init(bytes, object: 0..<bytes.count)
    }

    /// Scans the object at `range` of `bytes`, such as a member's value.
    public init?(_ bytes: UnsafeRawBufferPointer, object range: Range<Int>) {
        self.bytes = bytes
        var i = range.lowerBound
        let end = range.upperBound
        skipSpace(&i, end)
        guard i < end, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        skipSpace(&i, end)
        if i < end, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard i < end, bytes[i] == UInt8(ascii: "\""), let keyEnd = stringEnd(after: i, end) else { return nil }
                let key = i + 1..<keyEnd - 1
                if bytes[key].contains(UInt8(ascii: "\\")) { hasEscapedKey = true }
                i = keyEnd
                skipSpace(&i, end)
                guard i < end, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace(&i, end)
                let start = i
                guard skipValue(&i, end) else { return nil }
                members.append(Member(key: key, value: start..<i))
                skipSpace(&i, end)
                guard i < end else { return nil }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    skipSpace(&i, end)
                    continue
                }
                guard bytes[i] == UInt8(ascii: "}") else { return nil }
                i += 1
                break
            }
        }
        skipSpace(&i, end)
        guard i == end else { return nil }
    }

    /// The value of the member named `name` (compared as written, so never a key with escapes).
    public subscript(name: StaticString) -> Range<Int>? {
        let count = name.utf8CodeUnitCount
        for member in members where member.key.count == count {
            if memcmp(bytes.baseAddress! + member.key.lowerBound, name.utf8Start, count) == 0 { return member.value }
        }
        return nil
    }

    /// The members' names, when no key has an escape.
    public var plainKeys: [String]? {
        guard !hasEscapedKey else { return nil }
        return members.map { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0.key]), as: UTF8.self) }
    }

    /// True when the value at `range` is an object.
    public func isObject(_ range: Range<Int>) -> Bool {
        !range.isEmpty && bytes[range.lowerBound] == UInt8(ascii: "{")
    }

    /// True when the value at `range` is `null`.
    public func isNull(_ range: Range<Int>) -> Bool {
        range.count == 4 && String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) == "null"
    }

    /// The string at `range`, when it is one without escapes; nil otherwise.
    public func plainString(_ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""),
            !bytes[range].contains(UInt8(ascii: "\\"))
        else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range.lowerBound + 1..<range.upperBound - 1]), as: UTF8.self)
    }

    /// The request id at `range` when it is in its plainest form: a string
    /// without escapes, or an integer that fits; nil otherwise.
    public func requestID(_ range: Range<Int>) -> RequestID? {
        if let text = plainString(range) { return .string(text) }
        return integer(range).map { .int($0) }
    }

    /// The integer at `range`, when it is a plain one (no fraction or exponent) that fits; nil otherwise.
    public func integer(_ range: Range<Int>) -> Int64? {
        Int64(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private func skipSpace(_ i: inout Int, _ end: Int) {
        while i < end, Self.isSpace(bytes[i]) { i += 1 }
    }

    /// The index after the string that starts at `start` (its opening quote).
    private func stringEnd(after start: Int, _ end: Int) -> Int? {
        var i = start + 1
        while i < end {
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
    private func skipValue(_ i: inout Int, _ end: Int) -> Bool {
        guard i < end else { return false }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            guard let stringEnd = stringEnd(after: i, end) else { return false }
            i = stringEnd
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < end {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let stringEnd = stringEnd(after: i, end) else { return false }
                    i = stringEnd
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
            while i < end, !Self.isSpace(bytes[i]), bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "}"),
                bytes[i] != UInt8(ascii: "]")
            {
                i += 1
            }
            return i > start
        }
    }
}
