/// An IPv4 network in CIDR form ("10.0.0.0/24"): its address has no host bits set.
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible, TextCoded {
    public var address: IPv4Address
    public var prefixLength: Int

    /// A network from an address and a prefix; host bits of `address` are cleared.
    public init(containing address: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength))
        self.prefixLength = prefixLength
        self.address = IPv4Address(value: address.value & Self.mask(prefixLength))
    }

    /// Parses "A.B.C.D/N" whose host bits are zero; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), (1...2).contains(parts[1].count),
              let length = Int(parts[1]), (0...32).contains(length),
              address.value & ~Self.mask(length) == 0
        else { return nil }
        self.address = address
        self.prefixLength = length
    }

    public var mask: UInt32 { Self.mask(prefixLength) }

    /// The last address of the network.
    public var broadcast: IPv4Address { IPv4Address(value: address.value | ~mask) }

    public func contains(_ other: IPv4Address) -> Bool { other.value & mask == address.value }

    public func overlaps(_ other: IPv4Network) -> Bool {
        contains(other.address) || other.contains(address)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    public static let textKind = "an IPv4 network"
}
