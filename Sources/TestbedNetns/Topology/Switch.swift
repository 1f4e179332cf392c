/// A switch (`network.ovn.switches.<name>`): one Linux bridge in the fabric namespace.
public struct Switch: Equatable, Sendable, Codable {
    /// The key under `network.ovn.switches`.
    public var name: String
    /// `subnet`: every address on the switch (guests' and router ports') lies in it.
    public var subnet: IPv4Network

    /// A switch named `name` over `subnet`.
    public init(name: String, subnet: IPv4Network) {
        self.name = name
        self.subnet = subnet
    }
}
