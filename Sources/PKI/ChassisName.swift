/// A cluster member's name: its OVN chassis name, which is also the common
/// name and the DNS subject alternative name of its certificate. Hostname
/// syntax, lowercase: letters, digits, `-` and `.`, at most 63 characters,
/// starting and ending with a letter or a digit.
public struct ChassisName: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Checks `value`, or throws a sentence saying what is wrong with it.
    public init(_ value: String) throws(PKIError) {
        if let problem = Self.problem(with: value) {
            throw PKIError("\"\(value)\" is not a valid chassis name: \(problem)")
        }
        self.value = value
    }

    public var description: String { value }

    /// What is wrong with `value` as a chassis name, or nil.
    public static func problem(with value: String) -> String? {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { return "it is empty" }
        guard bytes.count <= 63 else { return "it is longer than 63 characters" }
        let allowed = bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d || $0 == 0x2e }
        guard allowed else { return "use lowercase letters, digits, '-' and '.' only" }
        let isAlnum: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) }
        guard isAlnum(bytes.first!), isAlnum(bytes.last!) else { return "it must start and end with a letter or a digit" }
        guard !value.contains("..") else { return "it must not contain '..'" }
        return nil
    }
}
