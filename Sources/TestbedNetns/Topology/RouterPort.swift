/// One router port: an interface of the router on a switch, with its gateway address.
public struct RouterPort: Equatable, Sendable, Codable {
    /// `name`, unique among all routers' ports.
    public var name: String
    /// `mac`, unique in the project.
    public var mac: MACAddress
    /// The port's address (`gateway_ip` without its prefix).
    public var address: IPv4Address
    /// The prefix from `gateway_ip`.
    public var prefixLength: Int
    /// `switch`: the switch the port is on; its subnet contains `address`.
    public var switchName: String

    /// A port from its fields.
    public init(name: String, mac: MACAddress, address: IPv4Address, prefixLength: Int, switchName: String) {
        self.name = name
        self.mac = mac
        self.address = address
        self.prefixLength = prefixLength
        self.switchName = switchName
    }
}
