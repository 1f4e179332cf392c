import Testing
import TestbedNetns

/// Scaled machines: clones, their one interface each, ranged and dynamic addresses, MAC ranges.
@Suite struct TopologyScalingTests {
    @Test func clonesSplitAcrossSwitchesTakeTheirPositionInEachList() throws {
        // As kvm-compose's clones.rs: the k-th clone listed on an interface gets from + k.
        let topology = try TopologyParser.parse(project(machines: """
              - name: web
                netns: { command: serve, environment: { ROLE: web } }
                scaling:
                  count: 4
                  interfaces:
                    sw0:
                      clones: [3, 0]
                      ip_type: { ip_range: { from: "10.0.0.50", to: "10.0.0.51" } }
                      mac_range: { from: "00:00:00:00:00:20", to: "00:00:00:00:00:21" }
                    sw1:
                      clones: [1, 2]
                      gateway: 10.0.1.1
                      ip_type: dynamic
            """))
        #expect(topology.guests == [
            Guest(name: "web-0", machine: "web", cloneIndex: 0,
                  interfaces: [GuestInterface(switchName: "sw0", address: ip("10.0.0.51"), prefixLength: 24, mac: mac("00:00:00:00:00:21"))],
                  command: "serve", environment: [EnvironmentVariable(name: "ROLE", value: "web")]),
            Guest(name: "web-1", machine: "web", cloneIndex: 1,
                  interfaces: [GuestInterface(switchName: "sw1", address: ip("10.0.1.2"), prefixLength: 24, gateway: ip("10.0.1.1"))],
                  command: "serve", environment: [EnvironmentVariable(name: "ROLE", value: "web")]),
            Guest(name: "web-2", machine: "web", cloneIndex: 2,
                  interfaces: [GuestInterface(switchName: "sw1", address: ip("10.0.1.3"), prefixLength: 24, gateway: ip("10.0.1.1"))],
                  command: "serve", environment: [EnvironmentVariable(name: "ROLE", value: "web")]),
            Guest(name: "web-3", machine: "web", cloneIndex: 3,
                  interfaces: [GuestInterface(switchName: "sw0", address: ip("10.0.0.50"), prefixLength: 24, mac: mac("00:00:00:00:00:20"))],
                  command: "serve", environment: [EnvironmentVariable(name: "ROLE", value: "web")]),
        ])
    }

    @Test func dynamicAddressesSkipEveryStaticAddressWhereverItIsGiven() throws {
        let topology = try TopologyParser.parse(project(machines: """
              - name: a
                netns: {}
                scaling: { count: 3, interfaces: { sw0: { clones: [0, 1, 2], ip_type: dynamic } } }
              - { name: b, netns: {}, network: [{ switch: sw0, ip: 10.0.0.3 }] }
              - name: c
                netns: {}
                scaling: { count: 1, interfaces: { sw0: { clones: [0], ip_type: { ip_range: { from: 10.0.0.2, to: 10.0.0.2 } } } } }
              - name: d
                scaling: { count: 2, interfaces: { sw0: { clones: [0, 1], ip_type: dynamic } } }
                netns: {}
            """))
        // .1 is lr0's port, .2 c-0's range, .3 b's ip.
        #expect(topology.guests.map(\.name) == ["a-0", "a-1", "a-2", "b", "c-0", "d-0", "d-1"])
        #expect(topology.guests.map { $0.interfaces[0].address.description } == [
            "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.3", "10.0.0.2", "10.0.0.7", "10.0.0.8",
        ])
    }

    @Test func scalingMayAlsoSitInsideTheNetnsBlockAsKvmComposeHasIt() throws {
        let topology = try TopologyParser.parse(project(machines: """
              - name: w
                netns:
                  command: x
                  scaling: { count: 1, interfaces: { sw1: { clones: [0], ip_type: dynamic } } }
            """))
        #expect(topology.guests == [Guest(
            name: "w-0", machine: "w", cloneIndex: 0,
            interfaces: [GuestInterface(switchName: "sw1", address: ip("10.0.1.2"), prefixLength: 24)], command: "x")])
        #expect(problems(project(machines: """
              - name: w
                netns: { scaling: { count: 1, interfaces: { sw1: { clones: [0], ip_type: dynamic } } } }
                scaling: { count: 1, interfaces: { sw1: { clones: [0], ip_type: dynamic } } }
            """)) == ["machines[0].scaling: scaling is already given at machines[0].netns.scaling"])
    }

    @Test func aDynamicPoolThatRunsOutIsOneProblem() {
        // 10.9.0.0/29 has hosts .1 to .6; s has .1, so w-0 to w-4 fit and w-5 does not.
        #expect(problems("""
            machines:
              - { name: s, netns: {}, network: [{ switch: tiny, ip: 10.9.0.1 }] }
              - name: w
                netns: {}
                scaling: { count: 6, interfaces: { tiny: { clones: [0, 1, 2, 3, 4, 5], ip_type: dynamic } } }
            network: { ovn: { switches: { tiny: { subnet: "10.9.0.0/29" } } } }
            """) == [
            "machines[1].scaling.interfaces.tiny.ip_type: no free address left on tiny (10.9.0.0/29) for w-5",
        ])
    }

    @Test func rangesTooSmallOrBackwards() {
        #expect(problems(project(machines: """
              - name: w
                netns: {}
                scaling:
                  count: 3
                  interfaces:
                    sw0:
                      clones: [0, 1, 2]
                      ip_type: { ip_range: { from: 10.0.0.10, to: 10.0.0.11 } }
                      mac_range: { from: "00:00:00:00:00:10", to: "00:00:00:00:00:11" }
              - name: v
                netns: {}
                scaling:
                  count: 2
                  interfaces:
                    sw1:
                      clones: [0, 1]
                      ip_type: { ip_range: { from: 10.0.1.20, to: 10.0.1.19 } }
                      mac_range: { from: "00:00:00:00:00:31", to: "00:00:00:00:00:30" }
              - name: u
                netns: {}
                scaling:
                  count: 2
                  interfaces:
                    sw1:
                      clones: [0, 1]
                      ip_type: { ip_range: { from: 10.0.1.254, to: 10.0.2.0 } }
                      mac_range: { from: "00:ff:ff:ff:ff:ff", to: "02:00:00:00:00:00" }
            """)) == [
            "machines[0].scaling.interfaces.sw0.ip_type.ip_range: holds 2 addresses for 3 clones",
            "machines[0].scaling.interfaces.sw0.mac_range: holds 2 addresses for 3 clones",
            "machines[1].scaling.interfaces.sw1.ip_type.ip_range.to: 10.0.1.19 is before from (10.0.1.20)",
            "machines[1].scaling.interfaces.sw1.mac_range.to: 00:00:00:00:00:30 is before from (00:00:00:00:00:31)",
            "machines[2].scaling.interfaces.sw1.ip_type.ip_range: the last clone's address 10.0.1.255 is sw1's broadcast address",
            "machines[2].scaling.interfaces.sw1.mac_range: reaches multicast MAC addresses; an interface needs a unicast one",
        ])
    }

    @Test func everyCloneHasExactlyOneInterface() {
        #expect(problems(project(machines: """
              - name: w
                netns: {}
                scaling:
                  count: 4
                  interfaces:
                    sw0: { clones: [0, 0, 5], ip_type: dynamic }
                    sw1: { clones: [0, 1], ip_type: dynamic }
            """)) == [
            "machines[0].scaling.interfaces: clones 2, 3 of w are on no switch; list each clone in one interface's clones",
            "machines[0].scaling.interfaces.sw0.clones[1]: clone 0 is already listed at machines[0].scaling.interfaces.sw0.clones[0]; a clone has one interface",
            "machines[0].scaling.interfaces.sw0.clones[2]: clone 5 does not exist; count is 4, so clones are 0 to 3",
            "machines[0].scaling.interfaces.sw1.clones[0]: clone 0 is already listed at machines[0].scaling.interfaces.sw0.clones[0]; a clone has one interface",
        ])
    }

    @Test func aScaledMachineTakesItsInterfacesFromScalingOnly() {
        #expect(problems(project(machines: """
              - name: w
                netns: {}
                network: [{ switch: sw0, ip: 10.0.0.9 }]
                scaling: { count: 1, interfaces: { sw0: { clones: [0], ip_type: dynamic, gateway: 10.0.1.1 } } }
              - name: big
                netns: {}
                scaling: { count: 1001, interfaces: { sw0: { clones: [0], ip_type: dynamic } } }
            """)) == [
            "machines[0].network: a scaled machine's interfaces come from scaling.interfaces; remove network",
            "machines[0].scaling.interfaces.sw0.gateway: gateway 10.0.1.1 is outside sw0's subnet 10.0.0.0/24",
            "machines[1].scaling.count: at most 1000 clones are supported",
        ])
    }
}
