/// One guest interface on a switch.
public struct GuestInterface: Equatable, Sendable, Codable {
    /// The switch the interface is on.
    public var switchName: String
    /// The interface's address: `ip`, or one given by the clone's `ip_type`.
    public var address: IPv4Address
    /// The switch subnet's prefix.
    public var prefixLength: Int
    /// The default route's next hop, if any.
    public var gateway: IPv4Address?
    /// The MAC from the file or its `mac_range`; nil lets the deployer choose a stable one.
    public var mac: MACAddress?

    /// An interface from its fields.
    public init(switchName: String, address: IPv4Address, prefixLength: Int, gateway: IPv4Address? = nil, mac: MACAddress? = nil) {
        self.switchName = switchName
        self.address = address
        self.prefixLength = prefixLength
        self.gateway = gateway
        self.mac = mac
    }
}
