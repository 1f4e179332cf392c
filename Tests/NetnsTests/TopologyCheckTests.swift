import Testing
import TestbedNetns

/// Each check gives one line at the path of what is wrong.
@Suite struct TopologyCheckTests {
    @Test func badAddressesNetworksAndMACs() {
        #expect(problems("""
            machines:
              - name: a
                netns: {}
                network:
                  - { switch: sw0, ip: 10.0.0.300, gateway: "10.0.0", mac: "00:00:00:00:00" }
                  - { switch: sw0, ip: 10.0.0.6, mac: "01:00:5e:00:00:01" }
            network:
              ovn:
                switches:
                  sw0: { subnet: "10.0.0.1/24" }
                  sw1: { subnet: "10.0.1.0/33" }
                routers:
                  lr0:
                    ports:
                      - { name: p, mac: "0g:00:00:00:00:01", gateway_ip: "10.0.0.1", switch: sw0 }
                    static_routes:
                      - { prefix: "10.0.2.0", nexthop: "10.0.0.x" }
            """) == [
            "machines[0].network[0].ip: \"10.0.0.300\" is not an IPv4 address like 10.0.0.1",
            "machines[0].network[0].gateway: \"10.0.0\" is not an IPv4 address like 10.0.0.1",
            "machines[0].network[0].mac: \"00:00:00:00:00\" is not a MAC address like 00:00:00:00:00:01",
            "machines[0].network[1].mac: 01:00:5e:00:00:01 is a multicast MAC address; an interface needs a unicast one (even first byte)",
            "network.ovn.switches.sw0.subnet: \"10.0.0.1/24\" has host bits set; the network is 10.0.0.0/24",
            "network.ovn.switches.sw1.subnet: \"10.0.1.0/33\" is not an IPv4 network like 10.0.0.0/24",
            "network.ovn.routers.lr0.ports[0].mac: \"0g:00:00:00:00:01\" is not a MAC address like 00:00:00:00:00:01",
            "network.ovn.routers.lr0.ports[0].gateway_ip: \"10.0.0.1\" is not an IPv4 address with a prefix like 10.0.0.1/24",
            "network.ovn.routers.lr0.static_routes[0].prefix: \"10.0.2.0\" is not an IPv4 network like 10.0.0.0/24",
            "network.ovn.routers.lr0.static_routes[0].nexthop: \"10.0.0.x\" is not an IPv4 address like 10.0.0.1",
        ])
    }

    @Test func addressesMustBeHostsOfTheirSwitch() {
        #expect(problems(project(machines: """
              - name: a
                netns: {}
                network:
                  - { switch: sw0, ip: 10.0.1.5, gateway: 10.0.1.1 }
                  - { switch: sw0, ip: 10.0.0.0 }
                  - { switch: sw1, ip: 10.0.1.255 }
            """)) == [
            "machines[0].network[0].ip: 10.0.1.5 is outside sw0's subnet 10.0.0.0/24",
            "machines[0].network[0].gateway: gateway 10.0.1.1 is outside sw0's subnet 10.0.0.0/24",
            "machines[0].network[1].ip: 10.0.0.0 is sw0's network address",
            "machines[0].network[2].ip: 10.0.1.255 is sw1's broadcast address",
        ])
    }

    @Test func duplicateAddressesOnOneSwitchCountRouterPortsToo() {
        #expect(problems(project(machines: """
              - { name: a, netns: {}, network: [{ switch: sw0, ip: 10.0.0.1 }, { switch: sw1, ip: 10.0.1.7 }] }
              - { name: b, netns: {}, network: [{ switch: sw1, ip: 10.0.1.7 }, { switch: sw0, ip: 10.0.1.8 }] }
              - { name: c, netns: {}, network: [{ switch: sw1, ip: 10.0.0.7 }] }
            """)) == [
            "machines[1].network[0].ip: 10.0.1.7 is already used on sw1 by machines[0].network[1].ip",
            "machines[1].network[1].ip: 10.0.1.8 is outside sw0's subnet 10.0.0.0/24",
            "machines[2].network[0].ip: 10.0.0.7 is outside sw1's subnet 10.0.1.0/24",
            "network.ovn.routers.lr0.ports[0].gateway_ip: 10.0.0.1 is already used on sw0 by machines[0].network[0].ip",
        ])
    }

    @Test func duplicateMACsAnywhereInTheProject() {
        #expect(problems(project(machines: """
              - { name: a, netns: {}, network: [{ switch: sw0, ip: 10.0.0.5, mac: "00:00:00:00:00:11" }] }
              - { name: b, netns: {}, network: [{ switch: sw1, ip: 10.0.1.5, mac: "00:00:00:00:FF:01" }] }
              - name: w
                netns: {}
                scaling:
                  count: 2
                  interfaces:
                    sw0: { clones: [0, 1], ip_type: dynamic, mac_range: { from: "00:00:00:00:00:10", to: "00:00:00:00:00:11" } }
            """)) == [
            "machines[2].scaling.interfaces.sw0.mac_range: 00:00:00:00:00:11 for w-1 is already used by machines[0].network[0].mac",
            "network.ovn.routers.lr0.ports[0].mac: 00:00:00:00:ff:01 is already used by machines[1].network[0].mac",
        ])
    }

    @Test func switchesThatDoNotExist() {
        #expect(problems(project(machines: """
              - { name: a, netns: {}, network: [{ switch: sw9, ip: 10.0.9.5 }] }
              - name: w
                netns: {}
                scaling:
                  count: 1
                  interfaces:
                    sw8: { clones: [0], ip_type: dynamic }
            """, network: """
                  lr1:
                    ports:
                      - { name: lr1-x, mac: "00:00:00:00:ff:09", gateway_ip: "10.0.7.1/24", switch: sw7 }
            """)) == [
            "machines[0].network[0].switch: no switch named \"sw9\" in network.ovn.switches",
            "machines[1].scaling.interfaces.sw8: no switch named \"sw8\" in network.ovn.switches",
            "network.ovn.routers.lr1.ports[0].switch: no switch named \"sw7\" in network.ovn.switches",
        ])
    }

    @Test func duplicateGuestNamesAfterCloneExpansion() {
        #expect(problems(project(machines: """
              - name: web
                netns: {}
                scaling: { count: 2, interfaces: { sw0: { clones: [0, 1], ip_type: dynamic } } }
              - { name: web-1, netns: {} }
              - { name: a, netns: {} }
              - { name: a, netns: {} }
            """)) == [
            "machines[1].name: \"web-1\" is already the name of clone 1 of machines[0]",
            "machines[3].name: \"a\" is already the name of machines[2]",
        ])
    }

    @Test func namesFollowTheNamespaceRules() {
        let long = String(repeating: "x", count: 47)
        #expect(problems(project(machines: """
              - { name: "-a", netns: {} }
              - { name: "a b", netns: {} }
              - { name: \(long), netns: {}, scaling: { count: 10, interfaces: { sw0: { clones: [0,1,2,3,4,5,6,7,8,9], ip_type: dynamic } } } }
              - { name: \(long)y, netns: {} }
            """)) == [
            "machines[0].name: \"-a\" is not a valid name; a name is 1 to 48 characters of A-Z a-z 0-9 _ -, starting with a letter or digit",
            "machines[1].name: \"a b\" is not a valid name; a name is 1 to 48 characters of A-Z a-z 0-9 _ -, starting with a letter or digit",
            "machines[2].name: clone name \"\(long)-9\" is longer than 48 characters",
        ])
        #expect(problems(project(machines: "  - { name: a, netns: {} }", network: """
                  _r: {}
              switches:
                s.w: { subnet: "10.9.0.0/24" }
            """)).contains("network.ovn.routers._r: \"_r\" is not a valid name; a name is 1 to 48 characters of A-Z a-z 0-9 _ -, starting with a letter or digit"))
    }

    @Test func overlappingSubnets() {
        #expect(problems("""
            machines: [{ name: a, netns: {} }]
            network:
              ovn:
                switches:
                  sw0: { subnet: "10.0.0.0/16" }
                  sw1: { subnet: "10.1.0.0/16" }
                  sw2: { subnet: "10.0.5.0/24" }
                  sw3: { subnet: "0.0.0.0/0" }
            """) == [
            "network.ovn.switches.sw2.subnet: 10.0.5.0/24 overlaps sw0's subnet 10.0.0.0/16",
            "network.ovn.switches.sw3.subnet: 0.0.0.0/0 overlaps sw0's subnet 10.0.0.0/16",
        ])
    }

    @Test func routerPortsAndStaticRoutes() {
        #expect(problems("""
            machines: [{ name: a, netns: {} }]
            network:
              ovn:
                switches:
                  sw0: { subnet: "10.0.0.0/24" }
                  sw1: { subnet: "10.0.1.0/24" }
                routers:
                  lr0:
                    ports:
                      - { name: p0, mac: "00:00:00:00:ff:01", gateway_ip: "10.0.0.1/16", switch: sw0 }
                      - { name: p1, mac: "00:00:00:00:ff:02", gateway_ip: "10.0.2.1/24", switch: sw1 }
                      - { name: p2, mac: "00:00:00:00:ff:03", gateway_ip: "10.0.1.2/24", switch: sw1 }
                    static_routes:
                      - { prefix: "10.0.9.0/24", nexthop: "10.0.1.9" }
                      - { prefix: "10.0.9.0/24", nexthop: "10.1.8.1" }
                  lr1:
                    ports:
                      - { name: p2, mac: "00:00:00:00:ff:04", gateway_ip: "10.0.1.255/24", switch: sw1 }
                  lr2:
                    static_routes: [{ prefix: "0.0.0.0/0", nexthop: "10.0.0.1" }]
            """) == [
            "network.ovn.routers.lr0.ports[0].gateway_ip: prefix /16 differs from sw0's subnet 10.0.0.0/24",
            "network.ovn.routers.lr0.ports[1].gateway_ip: 10.0.2.1 is outside sw1's subnet 10.0.1.0/24",
            "network.ovn.routers.lr0.ports[2].switch: lr0 already has a port on sw1 (network.ovn.routers.lr0.ports[1])",
            "network.ovn.routers.lr0.static_routes[1].prefix: 10.0.9.0/24 is already routed by network.ovn.routers.lr0.static_routes[0]",
            "network.ovn.routers.lr0.static_routes[1].nexthop: nexthop 10.1.8.1 is not inside any of lr0's port subnets (10.0.0.0/16, 10.0.2.0/24, 10.0.1.0/24)",
            "network.ovn.routers.lr1.ports[0].name: \"p2\" is already the name of network.ovn.routers.lr0.ports[2]",
            "network.ovn.routers.lr1.ports[0].gateway_ip: 10.0.1.255 is sw1's broadcast address",
            "network.ovn.routers.lr2.static_routes[0].nexthop: lr2 has no ports, so no next hop is reachable",
        ])
    }

    @Test func wrongTypesAreProblemsAtTheirPath() {
        #expect(problems("""
            machines:
              - name: [a]
                netns: "yes"
                network: { switch: sw0 }
              - name: b
                netns: { environment: [A], command: { x: 1 } }
              - name: c
                netns: { environment: { "1A": x, B: ~, C: [1], TESTBED_GUEST: y } }
                scaling: { count: two, interfaces: [] }
              - name: d
                netns: {}
                scaling: { count: 0, interfaces: { sw0: { clones: 0, ip_type: [dynamic] } } }
            network: [ovn]
            """) == [
            "machines[0].name: expected a string, found a list",
            "machines[0].netns: expected a mapping, found a string",
            "machines[0].network: expected a list, found a mapping",
            "machines[1].netns.environment: expected a mapping, found a list",
            "machines[1].netns.command: expected a string, found a mapping",
            "machines[2].netns.environment.1A: \"1A\" is not a valid variable name; names match [A-Za-z_][A-Za-z0-9_]*",
            "machines[2].netns.environment.B: expected a string, found nothing (null)",
            "machines[2].netns.environment.C: expected a string, found a list",
            "machines[2].netns.environment.TESTBED_GUEST: variables starting with TESTBED_ are set by testbed-netns; choose another name",
            "machines[2].scaling.count: expected a whole number, found a string",
            "machines[2].scaling.interfaces: expected a mapping, found a list",
            "machines[3].scaling.count: must be at least 1",
            "machines[3].scaling.interfaces.sw0: no switch named \"sw0\" in network.ovn.switches",
            "machines[3].scaling.interfaces.sw0.clones: expected a list, found a number",
            "machines[3].scaling.interfaces.sw0.ip_type: expected dynamic or ip_range, found a list",
            "network: expected a mapping, found a list",
        ])
    }

    @Test func missingRequiredKeys() {
        #expect(problems("""
            machines:
              - netns: {}
                network: [{ ip: 10.0.0.5 }]
            network:
              ovn:
                switches: { sw0: {} }
                routers: { lr0: { ports: [{ name: p }], static_routes: [{ prefix: "10.0.0.0/8" }] } }
            """) == [
            "machines[0].name: missing; it is required",
            "machines[0].network[0].switch: missing; it is required",
            "network.ovn.switches.sw0.subnet: missing; it is required",
            "network.ovn.routers.lr0.ports[0].mac: missing; it is required",
            "network.ovn.routers.lr0.ports[0].gateway_ip: missing; it is required",
            "network.ovn.routers.lr0.ports[0].switch: missing; it is required",
            "network.ovn.routers.lr0.static_routes[0].nexthop: missing; it is required",
        ])
    }

    @Test func emptyFilesAndMachines() {
        #expect(problems("") == ["the file is empty; testbed-netns needs machines"])
        #expect(problems("# nothing but a comment\n") == ["the file is empty; testbed-netns needs machines"])
        #expect(problems("network: {}") == ["machines: missing; testbed-netns needs at least one machine"])
        #expect(problems("machines: []") == ["machines: empty; testbed-netns needs at least one machine"])
        #expect(problems("just text") == ["expected a mapping, found a string"])
    }

    @Test func aYAMLSyntaxErrorIsOneProblemWithItsLineAndColumn() {
        let found = problems("""
            machines:
              - name: a
                netns: { command: "x"
              - name: b
            """)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("line 4, column 3: YAML syntax error: ") == true, "\(found)")
        #expect(problems("machines: []\nmachines: []\n") == ["line 1, column 1: duplicate key \"machines\" in one mapping"])
    }

    @Test func allProblemsComeTogetherInFileOrder() {
        // Read-time (types, refusals) and whole-file checks (references, duplicates) interleave by position.
        #expect(problems("""
            machines:
              - { name: a, netns: {}, network: [{ switch: sw0, ip: 10.0.0.5 }] }
              - { name: b, docker: {} }
              - { name: c, netns: {}, network: [{ switch: sw9, ip: 10.0.0.5 }] }
              - { name: d, netns: {}, network: [{ switch: sw0, ip: 10.0.0.5, mac: "ff:ff:ff:ff:ff:ff" }] }
            network:
              ovn:
                switches:
                  sw0: { subnet: "10.0.0.0/24" }
                acl: {}
            """) == [
            "machines[1].docker: docker guests need kvm-compose; testbed-netns runs netns guests",
            "machines[2].network[0].switch: no switch named \"sw9\" in network.ovn.switches",
            "machines[3].network[0].ip: 10.0.0.5 is already used on sw0 by machines[0].network[0].ip",
            "machines[3].network[0].mac: ff:ff:ff:ff:ff:ff is a multicast MAC address; an interface needs a unicast one (even first byte)",
            "network.ovn.acl: ACLs are not supported by testbed-netns; guests reach each other through switches and routers unfiltered",
        ])
    }
}
