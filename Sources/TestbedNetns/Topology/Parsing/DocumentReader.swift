import Yams

/// Reads the composed document into a `TopologyDocument`, walking mappings in file
/// order: every key is either supported, refused with its own sentence, or reported
/// unknown, and every value must have the right type. Checks that need the whole
/// file (references, duplicates, addresses) are `TopologyResolver`'s.
///
/// The keys follow kvm-compose's serde structs in testbed-os,
/// kvm-compose/kvm-compose-schemas/src/kvm_compose_yaml/: `Config` and `Machine`,
/// `MachineNetwork` (mod.rs), `ConfigScalingInterface` (machines/mod.rs), `OvnNetworkSchema`
/// (network/mod.rs), `Switch`/`SwitchPort` (network/switch.rs), `Router`/`RouterPort`/
/// `StaticRoutes`/`NAT`/`Dhcp` (network/router.rs) and `ACL` (network/acl.rs).
struct DocumentReader {
    /// The node walker, with the problems found so far.
    var reader = YAMLReader()

    /// Reads `root`, the document's top node.
    mutating func read(_ root: Node) -> TopologyDocument {
        var document = TopologyDocument()
        guard let top = reader.fields(
            root, at: .root, known: ["machines", "network"],
            refused: ["tooling": RefusalSentences.tooling, "testbed_options": RefusalSentences.testbedOptions]
        ) else { return document }
        if let machines = top["machines"] {
            if let items = reader.items(machines.value, at: machines.path) {
                if items.isEmpty {
                    reader.problems.add(machines.path, "empty; testbed-netns needs at least one machine", at: machines.value.mark)
                }
                document.machines = items.map { readMachine($0.node, at: $0.path) }
            }
        } else {
            reader.problems.add(YAMLPath.root["machines"], "missing; testbed-netns needs at least one machine", at: root.mark)
        }
        if let network = top["network"] {
            readNetwork(network.value, at: network.path, into: &document)
        }
        return document
    }

    // MARK: network

    private mutating func readNetwork(_ node: Node, at path: YAMLPath, into document: inout TopologyDocument) {
        guard let network = reader.fields(node, at: path, known: ["ovn"], refused: ["ovs": RefusalSentences.ovs]),
              let ovnEntry = network["ovn"],
              let ovn = reader.fields(ovnEntry.value, at: ovnEntry.path, known: ["switches", "routers"],
                                      refused: ["acl": RefusalSentences.acl])
        else { return }
        if let switches = ovn["switches"], let entries = reader.entries(switches.value, at: switches.path) {
            document.switches = entries.map { readSwitch($0) }
        }
        if let routers = ovn["routers"], let entries = reader.entries(routers.value, at: routers.path) {
            document.routers = entries.map { readRouter($0) }
        }
    }

    private mutating func readSwitch(_ entry: YAMLEntry) -> TopologyDocument.SwitchEntry {
        let name = checkedKeyName(entry)
        var result = TopologyDocument.SwitchEntry(name: name)
        guard let fields = reader.fields(
            entry.value, at: entry.path, known: ["subnet", "ports"], required: ["subnet"],
            refused: ["dhcp": RefusalSentences.dhcp]
        ) else { return result }
        if let subnet = fields["subnet"] {
            result.subnet = reader.network(subnet.value, at: subnet.path)
        }
        if let ports = fields["ports"] {
            refuseSwitchPorts(ports)
        }
        return result
    }

    /// kvm-compose's explicit switch ports (`SwitchPort`: `internal`, `router` or `localnet`,
    /// optionally bound to a `chassis`): the localnet and chassis ones get their own sentence.
    private mutating func refuseSwitchPorts(_ ports: YAMLEntry) {
        guard case .sequence(let items) = ports.value, !items.isEmpty else {
            reader.problems.add(ports.path, RefusalSentences.switchPorts, at: ports.keyNode.mark)
            return
        }
        for (index, item) in items.enumerated() {
            let path = ports.path[index]
            var named = false
            for (key, sentence) in [("localnet", RefusalSentences.localnet), ("chassis", RefusalSentences.chassis)] {
                if case .mapping(let mapping) = item, let keyNode = mapping.keys.first(where: { $0.scalar?.string == key }) {
                    reader.problems.add(path[key], sentence, at: keyNode.mark)
                    named = true
                }
            }
            if !named {
                reader.problems.add(path, RefusalSentences.switchPorts, at: item.mark)
            }
        }
    }

    private mutating func readRouter(_ entry: YAMLEntry) -> TopologyDocument.RouterEntry {
        var result = TopologyDocument.RouterEntry(name: checkedKeyName(entry))
        guard let fields = reader.fields(
            entry.value, at: entry.path, known: ["ports", "static_routes"],
            refused: ["nat": RefusalSentences.nat, "dhcp": RefusalSentences.dhcp]
        ) else { return result }
        if let ports = fields["ports"], let items = reader.items(ports.value, at: ports.path) {
            result.ports = items.map { readPort($0.node, at: $0.path) }
        }
        if let routes = fields["static_routes"], let items = reader.items(routes.value, at: routes.path) {
            result.staticRoutes = items.map { readRoute($0.node, at: $0.path) }
        }
        return result
    }

    private mutating func readPort(_ node: Node, at path: YAMLPath) -> TopologyDocument.Port {
        var port = TopologyDocument.Port(path: path)
        let keys = ["name", "mac", "gateway_ip", "switch"]
        guard let fields = reader.fields(
            node, at: path, known: keys, required: keys,
            refused: ["set_gateway_chassis": RefusalSentences.gatewayChassis]
        ) else { return port }
        if let name = fields["name"] { port.name = reader.name(name.value, at: name.path) }
        if let mac = fields["mac"] { port.mac = reader.mac(mac.value, at: mac.path) }
        if let gatewayIP = fields["gateway_ip"] {
            port.gatewayIP = reader.addressWithPrefix(gatewayIP.value, at: gatewayIP.path)
        }
        if let switchName = fields["switch"] { port.switchName = reader.text(switchName.value, at: switchName.path) }
        return port
    }

    private mutating func readRoute(_ node: Node, at path: YAMLPath) -> TopologyDocument.Route {
        var route = TopologyDocument.Route(path: path)
        guard let fields = reader.fields(node, at: path, known: ["prefix", "nexthop"], required: ["prefix", "nexthop"])
        else { return route }
        if let prefix = fields["prefix"] { route.prefix = reader.network(prefix.value, at: prefix.path) }
        if let nexthop = fields["nexthop"] { route.nexthop = reader.address(nexthop.value, at: nexthop.path) }
        return route
    }

    /// A mapping key that names a switch or router: reported if it is not a valid name, kept either way.
    mutating func checkedKeyName(_ entry: YAMLEntry) -> Located<String> {
        let name = Located(value: entry.key, path: entry.path, mark: entry.keyNode.mark)
        if !NameRules.isValidName(entry.key) {
            reader.problems.add(name, "\(YAMLReader.quoted(entry.key)) is not a valid name; \(NameRules.nameRule)")
        }
        return name
    }
}
