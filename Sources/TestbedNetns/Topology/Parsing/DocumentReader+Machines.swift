import Yams

/// `machines[]`: kvm-compose's `Machine` (kvm_compose_yaml/mod.rs) with its guest kind
/// flattened in (`GuestType`, machines/mod.rs: `libvirt`, `docker`, `android`); testbed-netns
/// adds the kind `netns`. kvm-compose keeps `scaling` inside the guest kind's block
/// (`ConfigLibvirtMachine.scaling`, `ConfigDockerMachine.scaling`); testbed-netns takes it
/// there (`netns.scaling`) or beside it (`scaling`), not both.
extension DocumentReader {
    /// The most clones one scaled machine may have.
    static let maximumCloneCount = 1000

    mutating func readMachine(_ node: Node, at path: YAMLPath) -> TopologyDocument.Machine {
        var machine = TopologyDocument.Machine(path: path, mark: node.mark)
        guard let fields = reader.fields(
            node, at: path, known: ["name", "network", "netns", "scaling"], required: ["name"],
            refused: ["libvirt": RefusalSentences.libvirt, "docker": RefusalSentences.docker,
                      "android": RefusalSentences.android]
        ) else { return machine }
        if let name = fields["name"] { machine.name = reader.name(name.value, at: name.path) }
        if let network = fields["network"], let items = reader.items(network.value, at: network.path) {
            machine.network = Located(
                value: items.map { readInterface($0.node, at: $0.path) }, path: network.path, mark: network.keyNode.mark)
        }
        if let netns = fields["netns"] {
            machine.hasNetns = true
            readNetns(netns, into: &machine)
        } else if fields.refusedKeys.isDisjoint(with: ["libvirt", "docker", "android"]) {
            reader.problems.add(path, RefusalSentences.missingNetns, at: node.mark)
        }
        if let scaling = fields["scaling"] {
            if let earlier = machine.scaling {
                reader.problems.add(scaling.path, "scaling is already given at \(earlier.path)", at: scaling.keyNode.mark)
            } else {
                machine.scaling = readScaling(scaling.value, at: scaling.path)
            }
        }
        return machine
    }

    private mutating func readInterface(_ node: Node, at path: YAMLPath) -> TopologyDocument.Interface {
        var interface = TopologyDocument.Interface(path: path)
        guard let fields = reader.fields(
            node, at: path, known: ["switch", "ip", "gateway", "mac"], required: ["switch", "ip"],
            refused: ["network_name": RefusalSentences.providerNetwork]
        ) else { return interface }
        if let switchName = fields["switch"] { interface.switchName = reader.text(switchName.value, at: switchName.path) }
        if let ip = fields["ip"] {
            if ip.value.scalar?.string == "dynamic" {
                reader.problems.add(ip.path, RefusalSentences.dynamicIP, at: ip.value.mark)
            } else {
                interface.ip = reader.address(ip.value, at: ip.path)
            }
        }
        if let gateway = fields["gateway"] { interface.gateway = reader.address(gateway.value, at: gateway.path) }
        if let mac = fields["mac"] { interface.mac = reader.mac(mac.value, at: mac.path) }
        return interface
    }

    private mutating func readNetns(_ netns: YAMLEntry, into machine: inout TopologyDocument.Machine) {
        guard let fields = reader.fields(
            netns.value, at: netns.path, known: ["command", "setup_script", "environment", "scaling"]
        ) else { return }
        if let command = fields["command"] { machine.command = reader.text(command.value, at: command.path)?.value }
        if let script = fields["setup_script"] { machine.setupScript = reader.text(script.value, at: script.path)?.value }
        if let environment = fields["environment"], let entries = reader.entries(environment.value, at: environment.path) {
            for entry in entries {
                guard let value = reader.text(entry.value, at: entry.path) else { continue }
                if entry.key.hasPrefix("TESTBED_") {
                    reader.problems.add(
                        entry.path, "variables starting with TESTBED_ are set by testbed-netns; choose another name",
                        at: entry.keyNode.mark)
                } else if NameRules.isValidVariableName(entry.key) {
                    machine.environment.append(EnvironmentVariable(name: entry.key, value: value.value))
                } else {
                    reader.problems.add(
                        entry.path, "\(YAMLReader.quoted(entry.key)) is not a valid variable name; names match [A-Za-z_][A-Za-z0-9_]*",
                        at: entry.keyNode.mark)
                }
            }
        }
        if let scaling = fields["scaling"] { machine.scaling = readScaling(scaling.value, at: scaling.path) }
    }

    // MARK: scaling

    /// kvm-compose's `ConfigScaling`/`DockerScaling` (machines/libvirt.rs, machines/docker.rs):
    /// `count` and `interfaces` (at least one); the libvirt-only clone scripts are refused.
    private mutating func readScaling(_ node: Node, at path: YAMLPath) -> TopologyDocument.Scaling {
        var scaling = TopologyDocument.Scaling(path: path)
        guard let fields = reader.fields(
            node, at: path, known: ["count", "interfaces"], required: ["count", "interfaces"],
            refused: ["shared_setup": RefusalSentences.cloneScripts, "clone_setup": RefusalSentences.cloneScripts,
                      "clone_run": RefusalSentences.cloneScripts]
        ) else { return scaling }
        if let count = fields["count"], let number = reader.wholeNumber(count.value, at: count.path) {
            if number.value < 1 {
                reader.problems.add(number, "must be at least 1")
            } else if number.value > Self.maximumCloneCount {
                reader.problems.add(number, "at most \(Self.maximumCloneCount) clones are supported")
            } else {
                scaling.count = number
            }
        }
        if let interfaces = fields["interfaces"], let entries = reader.entries(interfaces.value, at: interfaces.path) {
            if entries.isEmpty {
                reader.problems.add(interfaces.path, "empty; a scaled machine needs at least one interface", at: interfaces.value.mark)
            }
            scaling.interfaces = entries.map { readScalingInterface($0) }
        }
        return scaling
    }

    /// kvm-compose's `ConfigScalingInterface` (machines/mod.rs): `clones`, `gateway`,
    /// `ip_type` (`dynamic` or `ip_range: {from, to}`) and `mac_range: {from, to}`.
    /// testbed-netns makes `mac_range` optional, like an interface's `mac`.
    private mutating func readScalingInterface(_ entry: YAMLEntry) -> TopologyDocument.ScalingInterface {
        let switchName = Located(value: entry.key, path: entry.path, mark: entry.keyNode.mark)
        var interface = TopologyDocument.ScalingInterface(path: entry.path, switchName: switchName)
        guard let fields = reader.fields(
            entry.value, at: entry.path, known: ["clones", "gateway", "ip_type", "mac_range"], required: ["clones", "ip_type"]
        ) else { return interface }
        if let clones = fields["clones"], let items = reader.items(clones.value, at: clones.path) {
            if items.isEmpty {
                reader.problems.add(clones.path, "empty; list the clone indices on \(entry.key)", at: clones.value.mark)
            }
            interface.clones = items.compactMap { reader.wholeNumber($0.node, at: $0.path) }
        }
        if let gateway = fields["gateway"] { interface.gateway = reader.address(gateway.value, at: gateway.path) }
        if let ipType = fields["ip_type"] { interface.ipType = readIPType(ipType) }
        if let macRange = fields["mac_range"],
           let range = reader.fields(macRange.value, at: macRange.path, known: ["from", "to"], required: ["from", "to"]) {
            let from = range["from"].flatMap { reader.mac($0.value, at: $0.path) }
            let to = range["to"].flatMap { reader.mac($0.value, at: $0.path) }
            if let from, let to, to.value < from.value {
                reader.problems.add(to, "\(to.value) is before from (\(from.value))")
            } else if let from, let to {
                interface.macRange = Located(value: (from.value, to.value), path: macRange.path, mark: macRange.value.mark)
            }
        }
        return interface
    }

    /// `ConfigScalingIpType` (machines/mod.rs): the unit variant `dynamic` as a string,
    /// or the map `{ip_range: {from, to}}`.
    private mutating func readIPType(_ entry: YAMLEntry) -> Located<TopologyDocument.IPType>? {
        switch entry.value {
        case .scalar(let scalar) where YAMLReader.tagName(entry.value) != .null:
            guard scalar.string == "dynamic" else {
                reader.problems.add(
                    entry.path, "\(YAMLReader.quoted(scalar.string)) is not an ip_type; testbed-netns supports dynamic and ip_range",
                    at: entry.value.mark)
                return nil
            }
            return Located(value: .dynamic, path: entry.path, mark: entry.value.mark)
        case .mapping:
            guard let fields = reader.fields(entry.value, at: entry.path, known: ["ip_range"], required: ["ip_range"]),
                  let rangeEntry = fields["ip_range"],
                  let range = reader.fields(rangeEntry.value, at: rangeEntry.path, known: ["from", "to"], required: ["from", "to"])
            else { return nil }
            let from = range["from"].flatMap { reader.address($0.value, at: $0.path) }
            let to = range["to"].flatMap { reader.address($0.value, at: $0.path) }
            guard let from, let to else { return nil }
            guard to.value >= from.value else {
                reader.problems.add(to, "\(to.value) is before from (\(from.value))")
                return nil
            }
            return Located(value: .range(from: from.value, to: to.value), path: rangeEntry.path, mark: rangeEntry.value.mark)
        default:
            reader.problems.add(
                entry.path, "expected dynamic or ip_range, found \(YAMLReader.describe(entry.value))", at: entry.value.mark)
            return nil
        }
    }
}
