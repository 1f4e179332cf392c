import Crypto

/// Everything `up` will create for a topology, by name, before anything is
/// created: the namespaces, the links, the addresses and the routes, and the
/// `ip -batch` lines that make them. Made without touching the system, so the
/// state can record it all first and a test can read it.
public struct DeploymentPlan: Sendable {
    public var identity: ProjectIdentity
    public var topology: Topology
    public var namespaces: [NamespaceRecord] = []
    public var links: [LinkRecord] = []
    public var addresses: [AddressRecord] = []
    public var routes: [RouteRecord] = []

    public init(topology: Topology, identity: ProjectIdentity) {
        self.identity = identity
        self.topology = topology
        namespaces.append(NamespaceRecord(name: identity.fabricNamespace, role: "fabric"))
        var bridges: [String: String] = [:]
        for (index, item) in topology.switches.enumerated() {
            bridges[item.name] = identity.bridgeName(index)
        }
        for router in topology.routers {
            let namespace = identity.routerNamespace(router.name)
            namespaces.append(NamespaceRecord(name: namespace, role: "router \(router.name)"))
            for (index, port) in router.ports.enumerated() {
                let device = "eth\(index)"
                links.append(LinkRecord(
                    fabricEnd: identity.linkName(links.count), bridge: bridges[port.switchName] ?? "",
                    namespace: namespace, device: device, mac: port.mac.description
                ))
                addresses.append(AddressRecord(namespace: namespace, device: device, address: "\(port.address)/\(port.prefixLength)"))
            }
            for route in router.staticRoutes {
                routes.append(RouteRecord(namespace: namespace, destination: route.prefix.description, via: route.nexthop.description, device: nil, metric: nil))
            }
        }
        for guest in topology.guests {
            let namespace = identity.guestNamespace(guest.name)
            namespaces.append(NamespaceRecord(name: namespace, role: "guest \(guest.name)"))
            var defaults = 0
            for (index, interface) in guest.interfaces.enumerated() {
                let device = "eth\(index)"
                let mac = interface.mac ?? Self.stableMAC(identity: identity, guest: guest.name, interface: index)
                links.append(LinkRecord(
                    fabricEnd: identity.linkName(links.count), bridge: bridges[interface.switchName] ?? "",
                    namespace: namespace, device: device, mac: mac.description
                ))
                addresses.append(AddressRecord(namespace: namespace, device: device, address: "\(interface.address)/\(interface.prefixLength)"))
                if let gateway = interface.gateway {
                    // One default route per gateway; the first interface's is preferred.
                    routes.append(RouteRecord(namespace: namespace, destination: "default", via: gateway.description, device: device, metric: 100 + defaults))
                    defaults += 1
                }
            }
        }
    }

    /// A locally administered unicast MAC, the same on every `up` of the same project.
    static func stableMAC(identity: ProjectIdentity, guest: String, interface: Int) -> MACAddress {
        let digest = Array(SHA256.hash(data: Array("\(identity.hash)\0\(guest)\0\(interface)".utf8)))
        var value: UInt64 = 0x02
        for byte in digest.prefix(5) { value = value << 8 | UInt64(byte) }
        return MACAddress(value: value)
    }

    /// `ip -batch` lines run in the root namespace: only `netns add`, which
    /// creates the namespace's mount in /run/netns and no link.
    public var namespaceBatch: IPBatch {
        var batch = IPBatch(in: nil)
        for namespace in namespaces { batch.add("netns add \(namespace.name)") }
        return batch
    }

    /// Lines run in the fabric namespace: a bridge per switch, and every veth pair
    /// created there with its other end placed straight into its guest or router,
    /// so no link ever appears in the host's namespace.
    public var fabricBatch: IPBatch {
        var batch = IPBatch(in: identity.fabricNamespace)
        batch.add("link set lo up")
        for index in topology.switches.indices {
            let bridge = identity.bridgeName(index)
            batch.add("link add \(bridge) type bridge")
            batch.add("link set \(bridge) up")
        }
        for link in links {
            batch.add("link add \(link.fabricEnd) master \(link.bridge) up type veth peer name \(link.device) address \(link.mac) netns \(link.namespace)")
        }
        return batch
    }

    /// Lines run inside each guest and router: loopback and interfaces up, addresses, routes.
    public var memberBatches: [IPBatch] {
        let addressesByNamespace = Dictionary(grouping: addresses, by: \.namespace)
        let routesByNamespace = Dictionary(grouping: routes, by: \.namespace)
        return namespaces.dropFirst().map { namespace in
            var batch = IPBatch(in: namespace.name)
            batch.add("link set lo up")
            for address in addressesByNamespace[namespace.name] ?? [] {
                batch.add("address add \(address.address) dev \(address.device)")
                batch.add("link set \(address.device) up")
            }
            for route in routesByNamespace[namespace.name] ?? [] {
                var line = "route add \(route.destination) via \(route.via)"
                if let device = route.device { line += " dev \(device)" }
                if let metric = route.metric { line += " metric \(metric)" }
                batch.add(line)
            }
            return batch
        }
    }

    /// The kernel settings of each member namespace: routers forward; in guests,
    /// `ping` works for the unprivileged owner (ICMP sockets for every group).
    public var sysctls: [(namespace: String, values: [(key: String, value: String)])] {
        var result: [(namespace: String, values: [(key: String, value: String)])] = []
        for router in topology.routers {
            result.append((identity.routerNamespace(router.name), [("net.ipv4.ip_forward", "1"), ("net.ipv4.ping_group_range", "0 2147483647")]))
        }
        for guest in topology.guests {
            result.append((identity.guestNamespace(guest.name), [("net.ipv4.ping_group_range", "0 2147483647")]))
        }
        return result
    }
}
