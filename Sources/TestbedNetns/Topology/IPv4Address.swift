/// An IPv4 address, written and read in dotted-quad form ("10.0.0.1").
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible, TextCoded {
    /// The address in host byte order.
    public var value: UInt32

    public init(value: UInt32) { self.value = value }

    /// Parses exactly four decimal octets 0...255, without leading zeros; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    public static let textKind = "an IPv4 address"
}
