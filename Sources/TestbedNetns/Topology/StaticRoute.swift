/// A router's static route (`static_routes[]`).
public struct StaticRoute: Equatable, Sendable, Codable {
    /// `prefix`: the destination network.
    public var prefix: IPv4Network
    /// `nexthop`: an address in one of the router's port subnets.
    public var nexthop: IPv4Address

    /// A route to `prefix` via `nexthop`.
    public init(prefix: IPv4Network, nexthop: IPv4Address) {
        self.prefix = prefix
        self.nexthop = nexthop
    }
}
