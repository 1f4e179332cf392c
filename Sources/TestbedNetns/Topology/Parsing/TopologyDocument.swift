import Yams

/// A `kvm-compose.yaml` as read, before it is resolved: each value keeps where it
/// was read, and a value that could not be read is nil (its problem already recorded).
/// `DocumentReader` fills it; `TopologyResolver` checks it and makes the `Topology`.
struct TopologyDocument {
    var machines: [Machine] = []
    var switches: [SwitchEntry] = []
    var routers: [RouterEntry] = []

    /// `machines[i]`.
    struct Machine {
        var path: YAMLPath
        var mark: Mark?
        var name: Located<String>?
        /// `network`, if given (a scaled machine must not have it).
        var network: Located<[Interface]>?
        /// Whether a `netns:` block was given.
        var hasNetns = false
        var command: String?
        var setupScript: String?
        var environment: [EnvironmentVariable] = []
        var scaling: Scaling?
    }

    /// `machines[i].network[j]`.
    struct Interface {
        var path: YAMLPath
        var switchName: Located<String>?
        var ip: Located<IPv4Address>?
        var gateway: Located<IPv4Address>?
        var mac: Located<MACAddress>?
    }

    /// `machines[i].scaling` (or `machines[i].netns.scaling`, where kvm-compose keeps it).
    struct Scaling {
        var path: YAMLPath
        var count: Located<Int>?
        var interfaces: [ScalingInterface] = []
    }

    /// `scaling.interfaces.<switch>`.
    struct ScalingInterface {
        var path: YAMLPath
        var switchName: Located<String>
        var clones: [Located<Int>] = []
        var gateway: Located<IPv4Address>?
        var ipType: Located<IPType>?
        var macRange: Located<(from: MACAddress, to: MACAddress)>?
    }

    /// `scaling.interfaces.<switch>.ip_type`.
    enum IPType {
        /// `dynamic`: the next free addresses of the switch's subnet.
        case dynamic
        /// `ip_range: {from, to}`: the k-th clone listed gets `from + k`.
        case range(from: IPv4Address, to: IPv4Address)
    }

    /// `network.ovn.switches.<name>`.
    struct SwitchEntry {
        /// The key, kept even when it is not a valid name, so references to it resolve.
        var name: Located<String>
        var subnet: Located<IPv4Network>?
    }

    /// `network.ovn.routers.<name>`.
    struct RouterEntry {
        var name: Located<String>
        var ports: [Port] = []
        var staticRoutes: [Route] = []
    }

    /// `network.ovn.routers.<name>.ports[i]`.
    struct Port {
        var path: YAMLPath
        var name: Located<String>?
        var mac: Located<MACAddress>?
        var gatewayIP: Located<(address: IPv4Address, prefixLength: Int)>?
        var switchName: Located<String>?
    }

    /// `network.ovn.routers.<name>.static_routes[i]`.
    struct Route {
        var path: YAMLPath
        var prefix: Located<IPv4Network>?
        var nexthop: Located<IPv4Address>?
    }
}
