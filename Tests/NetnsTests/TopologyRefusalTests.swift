import Testing
import TestbedNetns

/// Keys testbed-netns does not run are refused at their path, each with its own sentence.
@Suite struct TopologyRefusalTests {
    @Test func otherGuestKindsAreRefusedWithoutAlsoAskingForNetns() {
        #expect(problems(project(machines: """
              - { name: a, netns: {} }
              - { name: b, libvirt: { cpus: 2 } }
              - { name: c, docker: { image: nginx } }
              - { name: d, android: { avd: {} } }
              - { name: e }
            """)) == [
            "machines[1].libvirt: libvirt guests need kvm-compose; testbed-netns runs netns guests",
            "machines[2].docker: docker guests need kvm-compose; testbed-netns runs netns guests",
            "machines[3].android: android guests need kvm-compose; testbed-netns runs netns guests",
            "machines[4]: a guest needs a `netns:` block; testbed-netns runs netns guests",
        ])
    }

    @Test func networkFeaturesAreRefusedWhereKvmComposePutsThem() {
        let yaml = """
            machines:
              - { name: a, netns: {}, network: [{ switch: sw0, ip: 10.0.0.5, network_name: public }] }
            network:
              ovn:
                switches:
                  sw0: { subnet: "10.0.0.0/24", dhcp: true }
                  public:
                    subnet: "172.16.1.0/24"
                    ports:
                      - { name: ls-public, localnet: { network_name: public } }
                      - { name: p2, chassis: main, internal: {} }
                      - { name: p3, router: { router_port: x } }
                routers:
                  lr0:
                    ports:
                      - { name: lr0-pub, mac: "00:00:20:20:12:13", gateway_ip: "172.16.1.200/24", switch: public, set_gateway_chassis: main }
                    nat:
                      - { nat_type: snat, external_ip: "172.16.1.200", logical_ip: "10.0.0.0/16" }
                    dhcp:
                      - { switch: sw0, exclude_ips: { from: "10.0.0.1", to: "10.0.0.20" } }
                acl:
                  apply_deny_all: false
              ovs: {}
            tooling: {}
            testbed_options: { load_balancing: NaiveRoundRobin }
            """
        #expect(problems(yaml) == [
            "machines[0].network[0].network_name: provider networks (network_name) need kvm-compose; testbed-netns connects guests to the project's switches only",
            "network.ovn.switches.sw0.dhcp: DHCP is not supported by testbed-netns; give each interface an ip",
            "network.ovn.switches.public.ports[0].localnet: localnet ports (a switch bridged to a host network) need kvm-compose; testbed-netns keeps the project's network inside its namespaces",
            "network.ovn.switches.public.ports[1].chassis: chassis binding needs kvm-compose; testbed-netns runs on one host",
            "network.ovn.switches.public.ports[2]: explicit switch ports need kvm-compose; testbed-netns makes a switch's ports from machines' network and routers' ports",
            "network.ovn.routers.lr0.ports[0].set_gateway_chassis: gateway chassis need kvm-compose; testbed-netns runs on one host",
            "network.ovn.routers.lr0.nat: NAT is not supported by testbed-netns; guests reach only the project's own switches",
            "network.ovn.routers.lr0.dhcp: DHCP is not supported by testbed-netns; give each interface an ip",
            "network.ovn.acl: ACLs are not supported by testbed-netns; guests reach each other through switches and routers unfiltered",
            "network.ovs: the ovs network backend needs kvm-compose; testbed-netns supports network.ovn",
            "tooling: tooling needs kvm-compose; testbed-netns has none",
            "testbed_options: testbed_options (load balancing across testbed hosts) need kvm-compose; testbed-netns runs on one host",
        ])
    }

    @Test func dynamicIPMeansDHCPAndIsRefused() {
        #expect(problems(project(machines: """
              - { name: a, netns: {}, network: [{ switch: sw0, ip: dynamic }] }
            """)) == [
            "machines[0].network[0].ip: \"dynamic\" asks for DHCP, which testbed-netns does not support; give an address like 10.0.0.2",
        ])
    }

    @Test func unknownKeysAnywhereAreRefused() {
        #expect(problems(project(machines: """
              - name: a
                cpus: 2
                netns: { command: x, user: root }
                network: [{ switch: sw0, ip: 10.0.0.5, mtu: 9000 }]
              - name: w
                netns: {}
                scaling:
                  count: 1
                  clone_setup: [{ script: s.sh, clones: [0] }]
                  interfaces:
                    sw0: { clones: [0], ip_type: dynamic, mac_range: { from: "00:00:00:00:00:10", to: "00:00:00:00:00:10", step: 1 } }
            """, network: "    extra: 1")) == [
            "machines[0].cpus: unknown key; testbed-netns supports name, network, netns, scaling here",
            "machines[0].netns.user: unknown key; testbed-netns supports command, setup_script, environment, scaling here",
            "machines[0].network[0].mtu: unknown key; testbed-netns supports switch, ip, gateway, mac here",
            "machines[1].scaling.clone_setup: per-clone scripts need kvm-compose; netns.setup_script and netns.command run in every clone",
            "machines[1].scaling.interfaces.sw0.mac_range.step: unknown key; testbed-netns supports from, to here",
            "network.ovn.extra: unknown key; testbed-netns supports switches, routers here",
        ])
    }

    @Test func aKeyWithAControlCharacterIsShownEscapedAndAddsNoLine() {
        let found = problems(project(machines: """
              - name: a
                netns: {}
                "x\\nnetns del tb-victim": 1
            """))
        #expect(found == [#"machines[0]."x\nnetns del tb-victim": unknown key; testbed-netns supports name, network, netns, scaling here"#])
        #expect(found.allSatisfy { !$0.contains("\n") })
    }

    @Test func anUnknownIPTypeIsRefusedWithItsPath() {
        #expect(problems(project(machines: """
              - name: w
                netns: {}
                scaling:
                  count: 1
                  interfaces:
                    sw0: { clones: [0], ip_type: dhcp }
            """)) == [
            "machines[0].scaling.interfaces.sw0.ip_type: \"dhcp\" is not an ip_type; testbed-netns supports dynamic and ip_range",
        ])
    }
}

@Suite struct TopologyLimitTests {
    @Test func aliasesThatMultiplyTheFileAreRefusedBeforeTheyAreRead() {
        // 600 guests, each naming an environment of 1,000 entries through one alias.
        var yaml = "env: &big\n"
        for index in 0..<1000 { yaml += "  V\(index): x\n" }
        yaml += "machines:\n"
        for index in 0..<600 { yaml += "  - { name: g\(index), netns: { environment: *big } }\n" }
        #expect(problems(yaml) == [
            "the file holds more than 250000 YAML nodes once its aliases are followed; testbed-netns reads no more",
        ])
    }

    @Test func aProjectOfMoreThan2000GuestsIsRefused() {
        let clones = (0..<1000).map(String.init).joined(separator: ", ")
        var yaml = "machines:\n"
        for name in ["w", "v", "u"] {
            let count = name == "u" ? 1 : 1000
            let list = name == "u" ? "0" : clones
            yaml += "  - { name: \(name), netns: {}, scaling: { count: \(count), interfaces: { sw0: { clones: [\(list)], ip_type: dynamic } } } }\n"
        }
        yaml += "network: { ovn: { switches: { sw0: { subnet: \"10.0.0.0/16\" } } } }\n"
        #expect(problems(yaml) == ["machines: 2001 guests with their clones; testbed-netns deploys at most 2000"])
    }
}
