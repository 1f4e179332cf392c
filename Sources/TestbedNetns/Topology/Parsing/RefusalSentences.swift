/// What testbed-netns says about kvm-compose keys it does not run, each where
/// kvm-compose's schema puts the key (kvm-compose-schemas/src/kvm_compose_yaml/…).
enum RefusalSentences {
    static let libvirt = "libvirt guests need kvm-compose; testbed-netns runs netns guests"
    static let docker = "docker guests need kvm-compose; testbed-netns runs netns guests"
    static let android = "android guests need kvm-compose; testbed-netns runs netns guests"
    static let missingNetns = "a guest needs a `netns:` block; testbed-netns runs netns guests"
    static let dhcp = "DHCP is not supported by testbed-netns; give each interface an ip"
    static let dynamicIP = "\"dynamic\" asks for DHCP, which testbed-netns does not support; give an address like 10.0.0.2"
    static let nat = "NAT is not supported by testbed-netns; guests reach only the project's own switches"
    static let acl = "ACLs are not supported by testbed-netns; guests reach each other through switches and routers unfiltered"
    static let localnet = "localnet ports (a switch bridged to a host network) need kvm-compose; testbed-netns keeps the project's network inside its namespaces"
    static let chassis = "chassis binding needs kvm-compose; testbed-netns runs on one host"
    static let gatewayChassis = "gateway chassis need kvm-compose; testbed-netns runs on one host"
    static let switchPorts = "explicit switch ports need kvm-compose; testbed-netns makes a switch's ports from machines' network and routers' ports"
    static let providerNetwork = "provider networks (network_name) need kvm-compose; testbed-netns connects guests to the project's switches only"
    static let ovs = "the ovs network backend needs kvm-compose; testbed-netns supports network.ovn"
    static let tooling = "tooling needs kvm-compose; testbed-netns has none"
    static let testbedOptions = "testbed_options (load balancing across testbed hosts) need kvm-compose; testbed-netns runs on one host"
    static let cloneScripts = "per-clone scripts need kvm-compose; netns.setup_script and netns.command run in every clone"
}
