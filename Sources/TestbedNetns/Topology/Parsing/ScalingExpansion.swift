/// Which interface each clone of a scaled machine gets, and its MAC and ranged address.
///
/// Follows kvm-compose's components/helpers/clones.rs (`generate_clone_guests`,
/// `get_clone_interface`, `get_clone_mac_from_range`, `get_clone_ip_from_range`):
/// clone `i` (0 ..< count) is named `<machine>-<i>` and gets exactly one interface, the one
/// whose `clones` lists `i` (a clone listed nowhere is an error there, and the schema
/// expects each clone listed once); the clone at position `k` of that list gets
/// `mac_range.from + k` and, for `ip_range`, `ip_range.from + k`. kvm-compose insists a
/// range holds exactly as many addresses as the list has clones; testbed-netns only
/// refuses a range that is too small.
struct ScalingExpansion {
    /// Where one clone's interface comes from.
    struct Assignment {
        /// The index in `Scaling.interfaces`.
        var interface: Int
        /// The clone's position in that interface's `clones`.
        var position: Int
    }

    /// The clones' assignments, by clone index; nil for a clone without a (valid) interface.
    private(set) var assignments: [Assignment?]

    /// Checks `scaling`'s clone lists and ranges against `count`, reporting into `problems`.
    init(_ scaling: TopologyDocument.Scaling, count: Int, machineName: String, problems: inout ProblemList) {
        assignments = Array(repeating: nil, count: count)
        var listedAt: [Int: YAMLPath] = [:]
        for (interfaceIndex, interface) in scaling.interfaces.enumerated() {
            var position = 0
            for clone in interface.clones {
                defer { position += 1 }
                guard clone.value < count else {
                    problems.add(clone, "clone \(clone.value) does not exist; count is \(count), so clones are 0 to \(count - 1)")
                    continue
                }
                if let earlier = listedAt[clone.value] {
                    problems.add(clone, "clone \(clone.value) is already listed at \(earlier); a clone has one interface")
                    continue
                }
                listedAt[clone.value] = clone.path
                assignments[clone.value] = Assignment(interface: interfaceIndex, position: position)
            }
            let needed = interface.clones.count
            if let range = interface.macRange {
                let size = range.value.to.value - range.value.from.value + 1
                if size < UInt64(needed) {
                    problems.add(range, "holds \(size) address\(size == 1 ? "" : "es") for \(needed) clones")
                } else if (0..<UInt64(needed)).contains(where: { MACAddress(value: range.value.from.value + $0).isMulticast }) {
                    problems.add(range, "reaches multicast MAC addresses; an interface needs a unicast one")
                }
            }
            if let ipType = interface.ipType, case .range(let from, let to) = ipType.value {
                let size = UInt64(to.value) - UInt64(from.value) + 1
                if size < UInt64(needed) {
                    problems.add(ipType, "holds \(size) address\(size == 1 ? "" : "es") for \(needed) clones")
                }
            }
        }
        let unlisted = (0..<count).filter { listedAt[$0] == nil }
        if !unlisted.isEmpty, !scaling.interfaces.isEmpty, let first = scaling.interfaces.first {
            let list = unlisted.map(String.init).joined(separator: ", ")
            problems.add(
                scaling.path["interfaces"],
                "clone\(unlisted.count == 1 ? "" : "s") \(list) of \(machineName) \(unlisted.count == 1 ? "is" : "are") on no switch; list each clone in one interface's clones",
                at: first.switchName.mark)
        }
    }

    /// The MAC of the clone at `position` of `interface`'s list, if it has a `mac_range`.
    static func mac(for interface: TopologyDocument.ScalingInterface, position: Int) -> MACAddress? {
        interface.macRange.map { MACAddress(value: $0.value.from.value + UInt64(position)) }
    }

    /// The address of the clone at `position`, if `interface` has an `ip_range`.
    static func rangedAddress(for interface: TopologyDocument.ScalingInterface, position: Int) -> IPv4Address? {
        guard let ipType = interface.ipType, case .range(let from, _) = ipType.value else { return nil }
        return IPv4Address(value: from.value &+ UInt32(position))
    }
}
