/// Why bytes are not one JSON text as RFC 8259 defines it (or break a limit of
/// `JSONValidator`), and where: `offset` counts bytes from 0.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Sendable, Hashable {
        /// Nothing but whitespace, or nothing at all.
        case empty
        /// The text stops where `expected` should follow.
        case unexpectedEnd(expected: String)
        /// A string opened at `offset` is never closed.
        case unterminatedString
        /// A byte that cannot start or continue what `expected` names.
        case unexpectedByte(UInt8, expected: String)
        /// Bytes that are not well-formed UTF-8, with the rule they break.
        case invalidUTF8(reason: String)
        /// A raw byte 0x00–0x1F inside a string.
        case controlCharacter(UInt8)
        /// A backslash followed by something other than `" \ / b f n r t u`.
        case invalidEscape(UInt8)
        /// `\u` without four hexadecimal digits after it.
        case invalidUnicodeEscape
        /// A `\uD800`–`\uDFFF` escape that is not one half of a high-low pair.
        case loneSurrogate(UInt16)
        /// A number outside the RFC grammar, with the rule it breaks.
        case invalidNumber(reason: String)
        /// A word that is not `true`, `false` or `null`.
        case invalidLiteral
        /// More bytes after the one value.
        case trailingData
        /// Arrays and objects nested deeper than `limit`.
        case tooDeep(limit: Int)
        /// An object holds two members of the same name (after decoding escapes).
        case duplicateMember(String)
    }

    public let kind: Kind
    /// Where the problem is: the byte offset, from 0, of the token at fault.
    public let offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// True when the bytes are JSON by the RFC's grammar but break a rule of
    /// ours on top of it (unique member names); false for a syntax error.
    public var isWellFormedJSON: Bool {
        if case .duplicateMember = kind { return true }
        return false
    }

    public var description: String {
        let at = "at byte offset \(offset)"
        switch kind {
        case .empty:
            return "there is no JSON value, only whitespace or nothing"
        case .unexpectedEnd(let expected):
            return "the text ends \(at), where \(expected) should follow"
        case .unterminatedString:
            return "the string that starts \(at) is never closed with a double quote"
        case .unexpectedByte(let byte, let expected):
            return "unexpected \(Self.show(byte)) \(at); expected \(expected)"
        case .invalidUTF8(let reason):
            return "invalid UTF-8 \(at): \(reason)"
        case .controlCharacter(let byte):
            return "a raw control character U+\(Self.hex(UInt16(byte))) in a string \(at); write it as an escape such as \\n or \\u\(Self.hex(UInt16(byte)).lowercased())"
        case .invalidEscape(let byte):
            return "invalid escape \\\(Self.escapeTail(byte)) in a string \(at); JSON has only \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u followed by four hex digits"
        case .invalidUnicodeEscape:
            return "the escape \\u \(at) is not followed by four hexadecimal digits"
        case .loneSurrogate(let unit):
            return "the escape \\u\(Self.hex(unit)) \(at) is half of a UTF-16 surrogate pair without its other half; it stands for no character"
        case .invalidNumber(let reason):
            return "invalid number \(at): \(reason)"
        case .invalidLiteral:
            return "invalid word \(at); the only JSON words are true, false and null"
        case .trailingData:
            return "more data after the JSON value, \(at); a payload holds exactly one value"
        case .tooDeep(let limit):
            return "arrays and objects nest more than \(limit) levels deep \(at)"
        case .duplicateMember(let name):
            return "the member \"\(Self.shorten(name))\" appears twice in one object (the second time \(at))"
        }
    }

    /// A byte as a person can read it: `'x'` when printable ASCII, `0xFF` otherwise.
    static func show(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + hex2(byte)
    }

    private static func escapeTail(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return String(Character(Unicode.Scalar(byte))) }
        return "(byte 0x\(hex2(byte)))"
    }

    private static func hex2(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }

    private static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A member name as a message shows it: cut at 64 characters, since a
    /// hostile payload chooses its length.
    public static func shorten(_ name: String) -> String {
        name.count > 64 ? name.prefix(64) + "…" : name
    }
}
