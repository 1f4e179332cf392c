/// The rules for deployment names. A name becomes a file name
/// (`<name>.json`, `<name>-logs.json`), so anything that could escape the
/// folder or collide with the logs file is refused.
public enum DeploymentName {
    /// The longest accepted name, in bytes.
    public static let maxLength = 63

    /// Why `name` is not a valid deployment name, or nil when it is.
    public static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { return "a deployment name cannot be empty" }
        if !isAlphanumeric(first) {
            return "deployment name \(quoted(name)) must start with a letter or digit"
        }
        if let bad = bytes.first(where: { !isAllowed($0) }) {
            let shown = bad >= 0x20 && bad < 0x7f ? "'\(Character(Unicode.Scalar(bad)))'" : hexByte(bad)
            return "deployment name \(quoted(name)) contains \(shown); use only letters, digits, '.', '_' and '-'"
        }
        if bytes.count > maxLength {
            return "deployment name is \(bytes.count) characters long; the limit is \(maxLength)"
        }
        if name.hasSuffix("-logs") {
            return "deployment name \(quoted(name)) must not end in \"-logs\" (that suffix names a deployment's log index)"
        }
        return nil
    }

    /// True when `name` is a valid deployment name.
    public static func isValid(_ name: String) -> Bool { problem(with: name) == nil }

    /// A valid name made from any text (a folder's name, say): characters outside
    /// `[A-Za-z0-9._-]` become `-`, leading characters that are not letters or
    /// digits are dropped, and the result is cut to the length limit. Nil when
    /// nothing usable is left.
    public static func sanitized(_ text: String) -> String? {
        var scalars = text.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && isAllowed(UInt8(scalar.value)) ? Character(scalar) : "-"
        }
        while let first = scalars.first, !(first.asciiValue.map(isAlphanumeric) ?? false) {
            scalars.removeFirst()
        }
        var name = String(scalars.prefix(maxLength))
        while name.hasSuffix("-logs") { name.removeLast(5) }
        return isValid(name) ? name : nil
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
    }

    private static func isAllowed(_ b: UInt8) -> Bool {
        isAlphanumeric(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    private static func quoted(_ name: String) -> String {
        let printable = name.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : String($0) }.joined()
        return "\"\(printable.prefix(80))\""
    }

    private static func hexByte(_ byte: UInt8) -> String {
        "byte 0x" + String(byte, radix: 16, uppercase: true)
    }
}
