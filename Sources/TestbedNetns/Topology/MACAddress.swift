/// An Ethernet address, written as six colon-separated hex pairs, lowercase.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible, TextCoded {
    /// The 48 bits, in the low bits.
    public var value: UInt64

    public init(value: UInt64) { self.value = value & 0xffff_ffff_ffff }

    /// Parses "aa:bb:cc:dd:ee:ff" (either case); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var value: UInt64 = 0
        for part in parts {
            guard part.count == 2, part.allSatisfy(\.isHexDigit), let byte = UInt64(part, radix: 16) else { return nil }
            value = value << 8 | byte
        }
        self.value = value
    }

    /// The group bit: such an address cannot be given to an interface.
    public var isMulticast: Bool { value >> 40 & 1 == 1 }

    public var description: String {
        (0..<6).map { shift in
            let byte = value >> UInt64(40 - 8 * shift) & 0xff
            return byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined(separator: ":")
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    public static let textKind = "a MAC address"
}
