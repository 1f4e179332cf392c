/// What a project's `kvm-compose.yaml` asks testbed-netns to build, resolved:
/// scaled machines expanded into their clones, dynamic addresses and MAC ranges
/// assigned, every reference checked. `TopologyParser` makes one.
public struct Topology: Equatable, Sendable, Codable {
    /// `network.ovn.switches`, in the file's order.
    public var switches: [Switch]
    /// `network.ovn.routers`, in the file's order.
    public var routers: [Router]
    /// `machines`, in the file's order; a scaled machine's clones in index order.
    public var guests: [Guest]

    /// A topology from its parts; `TopologyParser.parse` makes checked ones.
    public init(switches: [Switch], routers: [Router], guests: [Guest]) {
        self.switches = switches
        self.routers = routers
        self.guests = guests
    }
}
