/// Checks a `TopologyDocument` as a whole and resolves it into a `Topology`: references
/// to switches, addresses against their switch's subnet, names and addresses used twice,
/// scaled machines expanded into clones with their ranged and dynamic addresses.
struct TopologyResolver {
    /// The problems found reading the document, added to here.
    var problems: ProblemList
    private let document: TopologyDocument
    private var switchesByName: [String: TopologyDocument.SwitchEntry] = [:]
    /// Addresses claimed statically, by switch (router ports, `ip`, `ip_range`).
    private var addressClaims: [String: ResourceClaims<IPv4Address>] = [:]
    private var macClaims = ResourceClaims<MACAddress>()
    /// Router port names seen so far, project-wide, with their port's path.
    private var portNames: [String: YAMLPath] = [:]

    init(_ document: TopologyDocument, problems: ProblemList) {
        self.document = document
        self.problems = problems
    }

    /// The resolved topology, or nil if anything (read before or checked here) is wrong.
    mutating func resolve() -> Topology? {
        // Checked before anything is expanded: the file is the owner's, the work is root's.
        let total = document.machines.reduce(0) { $0 + ($1.scaling?.count?.value ?? 1) }
        guard total <= NameRules.maximumGuests else {
            problems.add(.root["machines"], "\(total) guests with their clones; testbed-netns deploys at most \(NameRules.maximumGuests)", at: nil)
            return nil
        }
        let switches = resolveSwitches()
        let routers = document.routers.map { resolveRouter($0) }
        var guests = document.machines.flatMap { resolveMachine($0) }
        checkGuestNames(guests)
        reportDuplicates()
        assignDynamicAddresses(&guests)
        guard problems.isEmpty else { return nil }
        return Topology(
            switches: switches,
            routers: routers.compactMap { $0 },
            guests: guests.compactMap { $0.guest() })
    }

    // MARK: Switches

    private mutating func resolveSwitches() -> [Switch] {
        var result: [Switch] = []
        for entry in document.switches {
            switchesByName[entry.name.value] = entry
            guard let subnet = entry.subnet else { continue }
            if let other = result.first(where: { $0.subnet.overlaps(subnet.value) }) {
                problems.add(subnet, "\(subnet.value) overlaps \(other.name)'s subnet \(other.subnet)")
            }
            result.append(Switch(name: entry.name.value, subnet: subnet.value))
        }
        return result
    }

    /// The switch `name` refers to; nil, with a problem at `name`, if there is none.
    private mutating func switchEntry(_ name: Located<String>) -> TopologyDocument.SwitchEntry? {
        guard let entry = switchesByName[name.value] else {
            problems.add(name, "no switch named \(YAMLReader.quoted(name.value)) in network.ovn.switches")
            return nil
        }
        return entry
    }

    /// Reports `address` (read at `location`) if it is not a usable host address of `subnet`.
    private mutating func checkHostAddress<L>(
        _ address: IPv4Address, at location: Located<L>, on switchName: String, subnet: IPv4Network, what: String = ""
    ) {
        if !subnet.contains(address) {
            problems.add(location, "\(what)\(address) is outside \(switchName)'s subnet \(subnet)")
        } else if address == subnet.address, subnet.prefixLength < 31 {
            problems.add(location, "\(what)\(address) is \(switchName)'s network address")
        } else if address == subnet.broadcast, subnet.prefixLength < 31 {
            problems.add(location, "\(what)\(address) is \(switchName)'s broadcast address")
        } else if address == subnet.address || address == subnet.broadcast {
            problems.add(location, "\(what)\(switchName)'s subnet \(subnet) has no host addresses")
        }
    }

    private mutating func claimAddress<L>(_ address: IPv4Address, on switchName: String, at location: Located<L>, subject: String? = nil) {
        addressClaims[switchName, default: ResourceClaims()].add(address, at: location, subject: subject)
    }

    // MARK: Routers

    private mutating func resolveRouter(_ entry: TopologyDocument.RouterEntry) -> Router? {
        let routerName = entry.name.value
        var ports: [RouterPort] = []
        var portOnSwitch: [String: YAMLPath] = [:]
        var portNetworks: [IPv4Network] = []
        var allPortsRead = true
        for port in entry.ports {
            if let name = port.name {
                if let earlier = portNames[name.value] {
                    problems.add(name, "\(YAMLReader.quoted(name.value)) is already the name of \(earlier)")
                } else {
                    portNames[name.value] = port.path
                }
            }
            var subnet: IPv4Network?
            if let switchName = port.switchName, let switchEntry = switchEntry(switchName) {
                if let earlier = portOnSwitch[switchName.value] {
                    problems.add(switchName, "\(routerName) already has a port on \(switchName.value) (\(earlier))")
                }
                portOnSwitch[switchName.value] = port.path
                subnet = switchEntry.subnet?.value
            }
            if let gatewayIP = port.gatewayIP {
                portNetworks.append(IPv4Network(containing: gatewayIP.value.address, prefixLength: gatewayIP.value.prefixLength))
                if let subnet, let switchName = port.switchName?.value {
                    if gatewayIP.value.prefixLength != subnet.prefixLength {
                        problems.add(gatewayIP, "prefix /\(gatewayIP.value.prefixLength) differs from \(switchName)'s subnet \(subnet)")
                    } else {
                        checkHostAddress(gatewayIP.value.address, at: gatewayIP, on: switchName, subnet: subnet)
                    }
                    claimAddress(gatewayIP.value.address, on: switchName, at: gatewayIP)
                }
            } else {
                allPortsRead = false
            }
            if let mac = port.mac { macClaims.add(mac.value, at: mac) }
            if let name = port.name, let mac = port.mac, let gatewayIP = port.gatewayIP, let switchName = port.switchName {
                ports.append(RouterPort(
                    name: name.value, mac: mac.value, address: gatewayIP.value.address,
                    prefixLength: gatewayIP.value.prefixLength, switchName: switchName.value))
            }
        }
        var routes: [StaticRoute] = []
        var routedBy: [IPv4Network: YAMLPath] = [:]
        for route in entry.staticRoutes {
            if let prefix = route.prefix {
                if let earlier = routedBy[prefix.value] {
                    problems.add(prefix, "\(prefix.value) is already routed by \(earlier)")
                } else {
                    routedBy[prefix.value] = route.path
                }
            }
            if let nexthop = route.nexthop, allPortsRead, !portNetworks.contains(where: { $0.contains(nexthop.value) }) {
                let subnets = portNetworks.map(\.description).joined(separator: ", ")
                problems.add(nexthop, portNetworks.isEmpty
                    ? "\(routerName) has no ports, so no next hop is reachable"
                    : "nexthop \(nexthop.value) is not inside any of \(routerName)'s port subnets (\(subnets))")
            }
            if let prefix = route.prefix, let nexthop = route.nexthop {
                routes.append(StaticRoute(prefix: prefix.value, nexthop: nexthop.value))
            }
        }
        return Router(name: routerName, ports: ports, staticRoutes: routes)
    }

    // MARK: Guests

    /// A guest as resolved before dynamic addresses are handed out.
    private struct PendingGuest {
        var name: String
        var machine: String
        var cloneIndex: Int?
        var interfaces: [PendingInterface]
        var command: String?
        var setupScript: String?
        var environment: [EnvironmentVariable]
        /// Where the name came from, for duplicate names.
        var nameLocation: Located<String>
        /// `machines[i]`.
        var machinePath: YAMLPath
        var isComplete: Bool

        func guest() -> Guest? {
            guard isComplete else { return nil }
            var resolved: [GuestInterface] = []
            for interface in interfaces {
                guard let address = interface.address else { return nil }
                resolved.append(GuestInterface(
                    switchName: interface.switchName, address: address, prefixLength: interface.subnet.prefixLength,
                    gateway: interface.gateway, mac: interface.mac))
            }
            return Guest(name: name, machine: machine, cloneIndex: cloneIndex, interfaces: resolved,
                         command: command, setupScript: setupScript, environment: environment)
        }
    }

    private struct PendingInterface {
        var switchName: String
        var subnet: IPv4Network
        /// nil until a dynamic address is handed out.
        var address: IPv4Address?
        var gateway: IPv4Address?
        var mac: MACAddress?
        /// The `ip_type: dynamic` asking for an address.
        var dynamic: Located<TopologyDocument.IPType>?
    }

    private mutating func resolveMachine(_ machine: TopologyDocument.Machine) -> [PendingGuest] {
        guard let name = machine.name else {
            // Still check what can be checked without a name.
            for interface in machine.network?.value ?? [] { _ = resolveInterface(interface) }
            return []
        }
        guard let scaling = machine.scaling else {
            var complete = machine.hasNetns
            var interfaces: [PendingInterface] = []
            for interface in machine.network?.value ?? [] {
                if let resolved = resolveInterface(interface) { interfaces.append(resolved) } else { complete = false }
            }
            return [PendingGuest(
                name: name.value, machine: name.value, interfaces: interfaces, command: machine.command,
                setupScript: machine.setupScript, environment: machine.environment, nameLocation: name, machinePath: machine.path,
                isComplete: complete)]
        }
        if let network = machine.network {
            problems.add(network, "a scaled machine's interfaces come from scaling.interfaces; remove network")
        }
        return expand(machine, named: name, scaling: scaling)
    }

    private mutating func resolveInterface(_ interface: TopologyDocument.Interface) -> PendingInterface? {
        guard let switchName = interface.switchName, let entry = switchEntry(switchName), let subnet = entry.subnet?.value
        else { return nil }
        if let ip = interface.ip {
            checkHostAddress(ip.value, at: ip, on: switchName.value, subnet: subnet)
            claimAddress(ip.value, on: switchName.value, at: ip)
        }
        if let gateway = interface.gateway, !subnet.contains(gateway.value) {
            problems.add(gateway, "gateway \(gateway.value) is outside \(switchName.value)'s subnet \(subnet)")
        }
        if let mac = interface.mac { macClaims.add(mac.value, at: mac) }
        guard let ip = interface.ip else { return nil }
        return PendingInterface(
            switchName: switchName.value, subnet: subnet, address: ip.value, gateway: interface.gateway?.value,
            mac: interface.mac?.value)
    }

    /// A scaled machine's clones, each with its one interface (see `ScalingExpansion`).
    private mutating func expand(
        _ machine: TopologyDocument.Machine, named name: Located<String>, scaling: TopologyDocument.Scaling
    ) -> [PendingGuest] {
        // Each scaling interface checked once, whichever clones it serves.
        var subnets: [IPv4Network?] = []
        for interface in scaling.interfaces {
            guard let entry = switchEntry(interface.switchName), let subnet = entry.subnet?.value else {
                subnets.append(nil)
                continue
            }
            subnets.append(subnet)
            let switchName = interface.switchName.value
            if let gateway = interface.gateway, !subnet.contains(gateway.value) {
                problems.add(gateway, "gateway \(gateway.value) is outside \(switchName)'s subnet \(subnet)")
            }
            if let ipType = interface.ipType, case .range(let from, _) = ipType.value {
                checkHostAddress(from, at: ipType, on: switchName, subnet: subnet)
                let last = ScalingExpansion.rangedAddress(for: interface, position: max(interface.clones.count - 1, 0)) ?? from
                if last != from {
                    checkHostAddress(last, at: ipType, on: switchName, subnet: subnet, what: "the last clone's address ")
                }
            }
        }
        // Without a readable count (already a problem) there is nothing to expand or check clones against.
        guard let count = scaling.count?.value else { return [] }
        let expansion = ScalingExpansion(scaling, count: count, machineName: name.value, problems: &problems)
        let longest = "\(name.value)-\(max(count - 1, 0))"
        if longest.unicodeScalars.count > NameRules.maximumNameLength {
            problems.add(name, "clone name \(YAMLReader.quoted(longest)) is longer than \(NameRules.maximumNameLength) characters")
        }
        var clones: [PendingGuest] = []
        for index in 0..<count {
            let cloneName = "\(name.value)-\(index)"
            var clone = PendingGuest(
                name: cloneName, machine: name.value, cloneIndex: index, interfaces: [], command: machine.command,
                setupScript: machine.setupScript, environment: machine.environment, nameLocation: name,
                machinePath: machine.path, isComplete: machine.hasNetns)
            if let assignment = expansion.assignments[index], let subnet = subnets[assignment.interface] {
                let interface = scaling.interfaces[assignment.interface]
                let switchName = interface.switchName.value
                let mac = ScalingExpansion.mac(for: interface, position: assignment.position)
                if let mac, let range = interface.macRange { macClaims.add(mac, at: range, subject: cloneName) }
                var pending = PendingInterface(
                    switchName: switchName, subnet: subnet, gateway: interface.gateway?.value, mac: mac)
                switch interface.ipType?.value {
                case .range?:
                    let address = ScalingExpansion.rangedAddress(for: interface, position: assignment.position)!
                    claimAddress(address, on: switchName, at: interface.ipType!, subject: cloneName)
                    pending.address = address
                case .dynamic?:
                    pending.dynamic = interface.ipType
                case nil:
                    clone.isComplete = false
                }
                clone.interfaces.append(pending)
            } else {
                clone.isComplete = false
            }
            clones.append(clone)
        }
        return clones
    }

    private mutating func checkGuestNames(_ guests: [PendingGuest]) {
        var owners: [String: PendingGuest] = [:]
        for guest in guests {
            if let earlier = owners[guest.name] {
                let owner = earlier.cloneIndex.map { "clone \($0) of \(earlier.machinePath)" } ?? earlier.machinePath.description
                let what = guest.cloneIndex.map { "clone \($0)'s name " } ?? ""
                problems.add(guest.nameLocation, "\(what)\(YAMLReader.quoted(guest.name)) is already the name of \(owner)")
            } else {
                owners[guest.name] = guest
            }
        }
    }

    // MARK: Addresses

    private mutating func reportDuplicates() {
        for switchName in addressClaims.keys.sorted() {
            for (claim, earlier) in addressClaims[switchName]!.duplicates {
                let subject = claim.subject.map { " for \($0)" } ?? ""
                problems.add(claim.location, "\(claim.value)\(subject) is already used on \(switchName) by \(earlier.owner)")
            }
        }
        for (claim, earlier) in macClaims.duplicates {
            let subject = claim.subject.map { " for \($0)" } ?? ""
            problems.add(claim.location, "\(claim.value)\(subject) is already used by \(earlier.owner)")
        }
    }

    /// Hands out `ip_type: dynamic` addresses, guest by guest in file order.
    private mutating func assignDynamicAddresses(_ guests: inout [PendingGuest]) {
        var allocators: [String: AddressAllocator] = [:]
        var exhausted: Set<YAMLPath> = []
        for guestIndex in guests.indices {
            for interfaceIndex in guests[guestIndex].interfaces.indices {
                let interface = guests[guestIndex].interfaces[interfaceIndex]
                guard let dynamic = interface.dynamic else { continue }
                var allocator = allocators[interface.switchName] ?? AddressAllocator(
                    subnet: interface.subnet, reserved: addressClaims[interface.switchName]?.values ?? [])
                if let address = allocator.allocate() {
                    guests[guestIndex].interfaces[interfaceIndex].address = address
                } else if exhausted.insert(dynamic.path).inserted {
                    problems.add(dynamic, "no free address left on \(interface.switchName) (\(interface.subnet)) for \(guests[guestIndex].name)")
                }
                allocators[interface.switchName] = allocator
            }
        }
    }
}
