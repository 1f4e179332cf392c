import Testing
import TestbedNetns

@Suite struct TopologyParserTests {
    static let example = """
        machines:
          - name: client1
            network:
              - switch: sw0
                gateway: 10.0.0.1
                mac: "00:00:00:00:00:01"
                ip: "10.0.0.11"
            netns:
              command: "python3 -m http.server 8080"
              setup_script: "echo ready > $TESTBED_GUEST_DIR/setup.done"
              environment:
                PORT: 8080
                DEBUG: true
                _NAME: "client one"
          - name: web
            netns: { command: "sleep infinity" }
            scaling:
              count: 2
              interfaces:
                sw0:
                  clones: [0, 1]
                  gateway: "10.0.0.1"
                  ip_type: dynamic
                  mac_range: { from: "00:00:00:00:00:10", to: "00:00:00:00:00:11" }
          - name: db
            network:
              - { switch: sw1, ip: 10.0.1.20 }
              - { switch: sw0, ip: 10.0.0.2, gateway: 10.0.0.1, mac: "02:00:00:00:00:AA" }
            netns: {}
        network:
          ovn:
            switches:
              sw0: { subnet: "10.0.0.0/24" }
              sw1: { subnet: "10.0.1.0/24" }
            routers:
              lr0:
                ports:
                  - { name: lr0-sw0, mac: "00:00:00:00:ff:01", gateway_ip: "10.0.0.1/24", switch: sw0 }
                  - { name: lr0-sw1, mac: "00:00:00:00:ff:02", gateway_ip: "10.0.1.1/24", switch: sw1 }
                static_routes:
                  - { prefix: "10.0.2.0/24", nexthop: "10.0.1.2" }
        """

    @Test func theExampleResolvesExactly() throws {
        let topology = try TopologyParser.parse(Self.example)
        let expected = Topology(
            switches: [
                Switch(name: "sw0", subnet: net("10.0.0.0/24")),
                Switch(name: "sw1", subnet: net("10.0.1.0/24")),
            ],
            routers: [
                Router(
                    name: "lr0",
                    ports: [
                        RouterPort(name: "lr0-sw0", mac: mac("00:00:00:00:ff:01"), address: ip("10.0.0.1"), prefixLength: 24, switchName: "sw0"),
                        RouterPort(name: "lr0-sw1", mac: mac("00:00:00:00:ff:02"), address: ip("10.0.1.1"), prefixLength: 24, switchName: "sw1"),
                    ],
                    staticRoutes: [StaticRoute(prefix: net("10.0.2.0/24"), nexthop: ip("10.0.1.2"))])
            ],
            guests: [
                Guest(
                    name: "client1", machine: "client1",
                    interfaces: [GuestInterface(switchName: "sw0", address: ip("10.0.0.11"), prefixLength: 24,
                                                gateway: ip("10.0.0.1"), mac: mac("00:00:00:00:00:01"))],
                    command: "python3 -m http.server 8080",
                    setupScript: "echo ready > $TESTBED_GUEST_DIR/setup.done",
                    environment: [
                        EnvironmentVariable(name: "PORT", value: "8080"),
                        EnvironmentVariable(name: "DEBUG", value: "true"),
                        EnvironmentVariable(name: "_NAME", value: "client one"),
                    ]),
                // 10.0.0.1 is the router port, 10.0.0.2 is db's (later in the file), 10.0.0.11 client1's.
                Guest(
                    name: "web-0", machine: "web", cloneIndex: 0,
                    interfaces: [GuestInterface(switchName: "sw0", address: ip("10.0.0.3"), prefixLength: 24,
                                                gateway: ip("10.0.0.1"), mac: mac("00:00:00:00:00:10"))],
                    command: "sleep infinity"),
                Guest(
                    name: "web-1", machine: "web", cloneIndex: 1,
                    interfaces: [GuestInterface(switchName: "sw0", address: ip("10.0.0.4"), prefixLength: 24,
                                                gateway: ip("10.0.0.1"), mac: mac("00:00:00:00:00:11"))],
                    command: "sleep infinity"),
                Guest(
                    name: "db", machine: "db",
                    interfaces: [
                        GuestInterface(switchName: "sw1", address: ip("10.0.1.20"), prefixLength: 24),
                        GuestInterface(switchName: "sw0", address: ip("10.0.0.2"), prefixLength: 24,
                                       gateway: ip("10.0.0.1"), mac: mac("02:00:00:00:00:aa")),
                    ]),
            ])
        #expect(topology == expected)
    }

    @Test func theBriefsExampleGivesWebTheFirstFreeAddresses() throws {
        let topology = try TopologyParser.parse(project(machines: """
              - name: client1
                network:
                  - { switch: sw0, gateway: 10.0.0.1, mac: "00:00:00:00:00:01", ip: "10.0.0.11" }
                netns: { command: "python3 -m http.server 8080" }
              - name: web
                netns: { command: "sleep infinity" }
                scaling:
                  count: 2
                  interfaces:
                    sw0:
                      clones: [0, 1]
                      gateway: "10.0.0.1"
                      ip_type: dynamic
                      mac_range: { from: "00:00:00:00:00:10", to: "00:00:00:00:00:11" }
            """))
        #expect(topology.guests.map(\.name) == ["client1", "web-0", "web-1"])
        #expect(topology.guests.map { $0.interfaces.map(\.address.description) } == [["10.0.0.11"], ["10.0.0.2"], ["10.0.0.3"]])
        #expect(topology.guests.map { $0.interfaces.map { $0.mac?.description } } == [
            ["00:00:00:00:00:01"], ["00:00:00:00:00:10"], ["00:00:00:00:00:11"],
        ])
    }

    @Test func scalarsAreReadAsWrittenNotAsYAMLNumbers() throws {
        // Unquoted, 00:00:00:00:00:12 is a base-60 integer to YAML 1.1 and 010 an octal one.
        let topology = try TopologyParser.parse(project(machines: """
              - name: 007
                network: [{ switch: sw0, ip: 10.0.0.9, mac: 00:00:00:00:00:12 }]
                netns: { command: 42, environment: { A: 010, B: 1e3, C: "", D: yes } }
            """))
        let guest = try #require(topology.guests.first)
        #expect(guest.name == "007")
        #expect(guest.interfaces.first?.mac == mac("00:00:00:00:00:12"))
        #expect(guest.command == "42")
        #expect(guest.environment.map(\.value) == ["010", "1e3", "", "yes"])
    }

    @Test func errorsPrintOneProblemALine() {
        do {
            _ = try TopologyParser.parse("machines: [{ name: a }, { name: b, libvirt: {} }]")
            Issue.record("parsed")
        } catch {
            #expect(error.problems == [
                TopologyProblem("machines[0]", "a guest needs a `netns:` block; testbed-netns runs netns guests"),
                TopologyProblem("machines[1].libvirt", "libvirt guests need kvm-compose; testbed-netns runs netns guests"),
            ])
            #expect(error.description == """
                machines[0]: a guest needs a `netns:` block; testbed-netns runs netns guests
                machines[1].libvirt: libvirt guests need kvm-compose; testbed-netns runs netns guests
                """)
        }
    }
}
