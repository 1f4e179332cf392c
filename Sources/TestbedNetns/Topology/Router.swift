/// A router (`network.ovn.routers.<name>`): a namespace with forwarding on.
public struct Router: Equatable, Sendable, Codable {
    /// The key under `network.ovn.routers`.
    public var name: String
    /// `ports`, in the file's order; at most one per switch.
    public var ports: [RouterPort]
    /// `static_routes`, in the file's order; each next hop lies in one of `ports`' subnets.
    public var staticRoutes: [StaticRoute]

    /// A router named `name` with its ports and routes.
    public init(name: String, ports: [RouterPort], staticRoutes: [StaticRoute]) {
        self.name = name
        self.ports = ports
        self.staticRoutes = staticRoutes
    }
}
