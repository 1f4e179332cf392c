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

    public init(switches: [Switch], routers: [Router], guests: [Guest]) {
        self.switches = switches
        self.routers = routers
        self.guests = guests
    }
}

/// A switch (`network.ovn.switches.<name>`): one Linux bridge in the fabric namespace.
public struct Switch: Equatable, Sendable, Codable {
    public var name: String
    public var subnet: IPv4Network

    public init(name: String, subnet: IPv4Network) {
        self.name = name
        self.subnet = subnet
    }
}

/// A router (`network.ovn.routers.<name>`): a namespace with forwarding on.
public struct Router: Equatable, Sendable, Codable {
    public var name: String
    public var ports: [RouterPort]
    public var staticRoutes: [StaticRoute]

    public init(name: String, ports: [RouterPort], staticRoutes: [StaticRoute]) {
        self.name = name
        self.ports = ports
        self.staticRoutes = staticRoutes
    }
}

/// One router port: an interface of the router on a switch, with its gateway address.
public struct RouterPort: Equatable, Sendable, Codable {
    public var name: String
    public var mac: MACAddress
    /// The port's address (`gateway_ip` without its prefix).
    public var address: IPv4Address
    /// The prefix from `gateway_ip`.
    public var prefixLength: Int
    public var switchName: String

    public init(name: String, mac: MACAddress, address: IPv4Address, prefixLength: Int, switchName: String) {
        self.name = name
        self.mac = mac
        self.address = address
        self.prefixLength = prefixLength
        self.switchName = switchName
    }
}

/// A router's static route (`static_routes[]`).
public struct StaticRoute: Equatable, Sendable, Codable {
    public var prefix: IPv4Network
    public var nexthop: IPv4Address

    public init(prefix: IPv4Network, nexthop: IPv4Address) {
        self.prefix = prefix
        self.nexthop = nexthop
    }
}

/// One guest: a namespace of its own whose `command` runs as the deployment's owner.
public struct Guest: Equatable, Sendable, Codable {
    /// The guest's name: the machine's name, or `<machine>-<i>` for clone `i`.
    public var name: String
    /// The `machines[].name` it comes from.
    public var machine: String
    /// The clone's index for a scaled machine; nil otherwise.
    public var cloneIndex: Int?
    public var interfaces: [GuestInterface]
    /// `netns.command`: what runs in the guest and keeps running; nil for none.
    public var command: String?
    /// `netns.setup_script`: run once after creation (again with `--rerun-scripts`).
    public var setupScript: String?
    /// `netns.environment`, in the file's order.
    public var environment: [EnvironmentVariable]

    public init(
        name: String, machine: String, cloneIndex: Int? = nil, interfaces: [GuestInterface],
        command: String? = nil, setupScript: String? = nil, environment: [EnvironmentVariable] = []
    ) {
        self.name = name
        self.machine = machine
        self.cloneIndex = cloneIndex
        self.interfaces = interfaces
        self.command = command
        self.setupScript = setupScript
        self.environment = environment
    }
}

/// One guest interface on a switch.
public struct GuestInterface: Equatable, Sendable, Codable {
    public var switchName: String
    public var address: IPv4Address
    /// The switch subnet's prefix.
    public var prefixLength: Int
    /// The default route's next hop, if any.
    public var gateway: IPv4Address?
    /// The MAC from the file or its `mac_range`; nil lets the deployer choose a stable one.
    public var mac: MACAddress?

    public init(switchName: String, address: IPv4Address, prefixLength: Int, gateway: IPv4Address? = nil, mac: MACAddress? = nil) {
        self.switchName = switchName
        self.address = address
        self.prefixLength = prefixLength
        self.gateway = gateway
        self.mac = mac
    }
}

/// One `netns.environment` entry.
public struct EnvironmentVariable: Equatable, Sendable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
