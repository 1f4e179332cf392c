import FoundationEssentials

/// Checks, in one pass over the bytes, that a payload is exactly one JSON text
/// as RFC 8259 defines it, encoded as well-formed UTF-8, with no object
/// repeating a member name. Foundation's decoder is looser (it takes invalid
/// escapes and bytes in members it skips, trailing commas, a byte order mark),
/// so every frame passes through here before it is decoded.
///
/// Beyond the RFC's grammar it refuses:
/// - escapes of lone UTF-16 surrogates (`"\uD800"`): they stand for no
///   character, and a Swift string cannot hold them;
/// - nesting deeper than `maxDepth` arrays and objects (512 by default, the
///   most Foundation's decoder reads);
/// - an object with two members of the same name, compared after decoding
///   escapes (`"a"` and `"\u0061"` are the same name).
///
/// It reads raw bytes with no allocation, except to remember member names in
/// objects of two or more members.
public struct JSONValidator {
    /// The deepest nesting of arrays and objects accepted by default.
    public static let defaultMaxDepth = 512

    private let bytes: UnsafePointer<UInt8>
    private let end: Int
    private let maxDepth: Int
    private var offset = 0
    /// Member names of the objects being read, innermost last (see `object`):
    /// the first `nameSlots.count` on the stack, any more in `moreNames`.
    private let nameSlots: UnsafeMutableBufferPointer<JSONMemberName>
    private var moreNames: [JSONMemberName] = []
    private var nameCount = 0

    /// Names kept on the stack: a request's objects never need more.
    private static let stackNames = 32

    private init(bytes: UnsafePointer<UInt8>, count: Int, maxDepth: Int, nameSlots: UnsafeMutableBufferPointer<JSONMemberName>) {
        self.bytes = bytes
        self.end = count
        self.maxDepth = maxDepth
        self.nameSlots = nameSlots
    }

    /// Throws unless `buffer` holds exactly one valid JSON value (surrounding whitespace allowed).
    public static func validate(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { throw JSONSyntaxError(.empty, at: 0) }
        try withUnsafeTemporaryAllocation(of: JSONMemberName.self, capacity: stackNames) { (slots) throws(JSONSyntaxError) in
            var validator = JSONValidator(
                bytes: base.assumingMemoryBound(to: UInt8.self), count: buffer.count, maxDepth: maxDepth, nameSlots: slots)
            try validator.document()
        }
    }

    /// Throws unless `bytes` hold exactly one valid JSON value.
    public static func validate<Bytes: ContiguousBytes>(_ bytes: Bytes, maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) {
        let failure = bytes.withUnsafeBytes { buffer -> JSONSyntaxError? in
            do throws(JSONSyntaxError) {
                try validate(buffer, maxDepth: maxDepth)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    // MARK: Grammar

    private mutating func document() throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset < end else { throw JSONSyntaxError(.empty, at: offset) }
        try value(depth: 0)
        skipWhitespace()
        guard offset == end else { throw JSONSyntaxError(.trailingData, at: offset) }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) {
        guard offset < end else { throw JSONSyntaxError(.unexpectedEnd(expected: "a value"), at: offset) }
        switch bytes[offset] {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"): try object(depth: depth + 1)
        case UInt8(ascii: "["): try array(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: throw unexpected(expected: "a value")
        }
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) {
        guard depth <= maxDepth else { throw JSONSyntaxError(.tooDeep(limit: maxDepth), at: offset) }
        offset += 1
        skipWhitespace()
        if offset < end && bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return
        }
        // The first name is kept here; names are collected only from the second on.
        var first: JSONMemberName?
        let namesBase = nameCount
        // Past this many members, names go into a set rather than being compared one by one.
        var many: Set<JSONMemberName>?
        defer { popNames(to: namesBase) }
        while true {
            guard offset < end else { throw JSONSyntaxError(.unexpectedEnd(expected: "a member name in double quotes"), at: offset) }
            guard bytes[offset] == UInt8(ascii: "\"") else { throw unexpected(expected: "a member name in double quotes") }
            let nameOffset = offset
            let hasEscapes = try string()
            let name = JSONMemberName(start: bytes + nameOffset + 1, count: offset - nameOffset - 2, hasEscapes: hasEscapes)
            if let earlier = first {
                let duplicate: Bool
                if many != nil {
                    duplicate = !many!.insert(name).inserted
                } else if nameCount - namesBase >= 15 {
                    var set: Set = [earlier]
                    for index in namesBase..<nameCount { set.insert(self.name(at: index)) }
                    duplicate = !set.insert(name).inserted
                    many = set
                } else {
                    duplicate = name == earlier || (namesBase..<nameCount).contains { self.name(at: $0) == name }
                    pushName(name)
                }
                if duplicate { throw JSONSyntaxError(.duplicateMember(name.decoded), at: nameOffset) }
            } else {
                first = name
            }
            skipWhitespace()
            guard offset < end else { throw JSONSyntaxError(.unexpectedEnd(expected: "':'"), at: offset) }
            guard bytes[offset] == UInt8(ascii: ":") else { throw unexpected(expected: "':' after a member name") }
            offset += 1
            skipWhitespace()
            try value(depth: depth)
            skipWhitespace()
            guard offset < end else { throw JSONSyntaxError(.unexpectedEnd(expected: "',' or '}'"), at: offset) }
            switch bytes[offset] {
            case UInt8(ascii: ","):
                offset += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                offset += 1
                return
            default:
                throw unexpected(expected: "',' or '}' after a member")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) {
        guard depth <= maxDepth else { throw JSONSyntaxError(.tooDeep(limit: maxDepth), at: offset) }
        offset += 1
        skipWhitespace()
        if offset < end && bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return
        }
        while true {
            try value(depth: depth)
            skipWhitespace()
            guard offset < end else { throw JSONSyntaxError(.unexpectedEnd(expected: "',' or ']'"), at: offset) }
            switch bytes[offset] {
            case UInt8(ascii: ","):
                offset += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                offset += 1
                return
            default:
                throw unexpected(expected: "',' or ']' after an element")
            }
        }
    }

    /// Reads a string from its opening quote to just past its closing one;
    /// returns whether it holds escapes.
    private mutating func string() throws(JSONSyntaxError) -> Bool {
        let start = offset
        var hasEscapes = false
        var index = offset + 1
        while true {
            // The common case, kept to a local index: printable ASCII.
            while index < end {
                let byte = bytes[index]
                guard byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") else { break }
                index += 1
            }
            guard index < end else { throw JSONSyntaxError(.unterminatedString, at: start) }
            let byte = bytes[index]
            offset = index
            if byte == UInt8(ascii: "\"") {
                offset = index + 1
                return hasEscapes
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try escape()
            } else if byte < 0x20 {
                throw JSONSyntaxError(.controlCharacter(byte), at: index)
            } else {
                try utf8Sequence()
            }
            index = offset
        }
    }

    private mutating func escape() throws(JSONSyntaxError) {
        let start = offset
        guard offset + 1 < end else { throw JSONSyntaxError(.unterminatedString, at: start) }
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"),
            UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            offset += 2
        case UInt8(ascii: "u"):
            let unit = try hexEscape(at: start)
            offset += 6
            switch unit {
            case 0xD800..<0xDC00:
                // A high surrogate counts only with a low one escaped right after it.
                guard offset + 1 < end, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u"),
                    case 0xDC00..<0xE000 = try hexEscape(at: offset)
                else { throw JSONSyntaxError(.loneSurrogate(unit), at: start) }
                offset += 6
            case 0xDC00..<0xE000:
                throw JSONSyntaxError(.loneSurrogate(unit), at: start)
            default:
                break
            }
        default:
            throw JSONSyntaxError(.invalidEscape(bytes[offset + 1]), at: start)
        }
    }

    /// The code unit of the `\uXXXX` escape at `start`.
    private func hexEscape(at start: Int) throws(JSONSyntaxError) -> UInt16 {
        guard start + 6 <= end else { throw JSONSyntaxError(.invalidUnicodeEscape, at: start) }
        var unit: UInt16 = 0
        for index in start + 2..<start + 6 {
            let digit = bytes[index]
            let nibble: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit - UInt8(ascii: "A") + 10
            default: throw JSONSyntaxError(.invalidUnicodeEscape, at: start)
            }
            unit = unit << 4 | UInt16(nibble)
        }
        return unit
    }

    /// Steps over one multi-byte UTF-8 character, checked against Unicode's
    /// table of well-formed sequences (no overlong forms, no surrogates, nothing past U+10FFFF).
    private mutating func utf8Sequence() throws(JSONSyntaxError) {
        let lead = bytes[offset]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x80...0xBF:
            throw JSONSyntaxError(.invalidUTF8(reason: "byte 0x\(String(lead, radix: 16, uppercase: true)) continues a character that never started"), at: offset)
        case 0xC0, 0xC1:
            throw JSONSyntaxError(.invalidUTF8(reason: "an overlong encoding (byte 0x\(String(lead, radix: 16, uppercase: true)))"), at: offset)
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xED: length = 3; high = 0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; low = 0x90
        case 0xF4: length = 4; high = 0x8F
        case 0xF1...0xF3: length = 4
        default:
            throw JSONSyntaxError(.invalidUTF8(reason: "byte 0x\(String(lead, radix: 16, uppercase: true)) never occurs in UTF-8"), at: offset)
        }
        guard offset + length <= end else {
            throw JSONSyntaxError(.invalidUTF8(reason: "the payload ends inside a character"), at: offset)
        }
        let second = bytes[offset + 1]
        guard second >= low && second <= high else {
            let reason = if second >= 0x80 && second <= 0xBF {
                switch lead {
                case 0xE0, 0xF0: "an overlong encoding"
                case 0xED: "a UTF-16 surrogate (U+D800–U+DFFF) encoded as UTF-8"
                default: "a code point beyond U+10FFFF"
                }
            } else {
                "a character cut short (byte 0x\(String(second, radix: 16, uppercase: true)) cannot continue it)"
            }
            throw JSONSyntaxError(.invalidUTF8(reason: reason), at: offset)
        }
        for index in offset + 2..<offset + length where bytes[index] & 0xC0 != 0x80 {
            throw JSONSyntaxError(.invalidUTF8(reason: "a character cut short (byte 0x\(String(bytes[index], radix: 16, uppercase: true)) cannot continue it)"), at: offset)
        }
        offset += length
    }

    private mutating func number() throws(JSONSyntaxError) {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < end, isDigit(bytes[offset]) else {
            throw JSONSyntaxError(.invalidNumber(reason: "a minus sign must be followed by digits"), at: start)
        }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < end && isDigit(bytes[offset]) {
                throw JSONSyntaxError(.invalidNumber(reason: "a number must not start with 0 unless it is 0 (no leading zeros)"), at: start)
            }
        } else {
            skipDigits()
        }
        if offset < end && bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < end, isDigit(bytes[offset]) else {
                throw JSONSyntaxError(.invalidNumber(reason: "a decimal point must be followed by digits"), at: start)
            }
            skipDigits()
        }
        if offset < end && (bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E")) {
            offset += 1
            if offset < end && (bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-")) { offset += 1 }
            guard offset < end, isDigit(bytes[offset]) else {
                throw JSONSyntaxError(.invalidNumber(reason: "an exponent must have digits"), at: start)
            }
            skipDigits()
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard offset + count <= end else { throw JSONSyntaxError(.invalidLiteral, at: offset) }
        let expected = word.utf8Start
        for index in 0..<count where bytes[offset + index] != expected[index] {
            throw JSONSyntaxError(.invalidLiteral, at: offset)
        }
        offset += count
    }

    // MARK: Member names

    private func name(at index: Int) -> JSONMemberName {
        index < nameSlots.count ? nameSlots[index] : moreNames[index - nameSlots.count]
    }

    private mutating func pushName(_ name: JSONMemberName) {
        if nameCount < nameSlots.count {
            (nameSlots.baseAddress! + nameCount).initialize(to: name)
        } else {
            moreNames.append(name)
        }
        nameCount += 1
    }

    private mutating func popNames(to count: Int) {
        guard nameCount > count else { return }
        if nameCount > nameSlots.count { moreNames.removeLast(nameCount - max(count, nameSlots.count)) }
        nameCount = count
    }

    // MARK: Bytes

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    private mutating func skipDigits() {
        while offset < end && isDigit(bytes[offset]) { offset += 1 }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while offset < end {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): offset += 1
            default: return
            }
        }
    }

    /// The error for the byte at `offset`; a byte past ASCII is first checked as UTF-8.
    private mutating func unexpected(expected: String) -> JSONSyntaxError {
        let at = offset
        if bytes[offset] >= 0x80 {
            do {
                try utf8Sequence()
            } catch {
                return error
            }
            offset = at
        }
        return JSONSyntaxError(.unexpectedByte(bytes[at], expected: expected), at: at)
    }
}
