/// Hands out a switch's free addresses for `ip_type: dynamic`, lowest first: every
/// address of the subnet but the network and broadcast addresses and those `reserved`
/// (router ports' and every address the file gives statically, wherever it comes later).
///
/// kvm-compose itself leaves `dynamic` to OVN's DHCP (components/helpers/clones.rs gives
/// such a clone the ip "dynamic"); testbed-netns has no DHCP, so it assigns the address here.
struct AddressAllocator {
    /// The switch's subnet.
    let subnet: IPv4Network
    private let reserved: Set<IPv4Address>
    /// The next candidate, as a wider integer so the end of 255.255.255.255/x cannot overflow.
    private var next: UInt64

    init(subnet: IPv4Network, reserved: Set<IPv4Address>) {
        self.subnet = subnet
        self.reserved = reserved
        self.next = UInt64(subnet.address.value) + 1
    }

    /// The next free address, or nil when the subnet has none left.
    mutating func allocate() -> IPv4Address? {
        let last = UInt64(subnet.broadcast.value)  // exclusive: the broadcast address
        while next < last {
            let candidate = IPv4Address(value: UInt32(next))
            next += 1
            if !reserved.contains(candidate) { return candidate }
        }
        return nil
    }
}
