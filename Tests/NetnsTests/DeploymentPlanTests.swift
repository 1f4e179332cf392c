import Testing
import TestbedNetns

@Suite struct DeploymentPlanTests {
    static let yaml = """
        machines:
          - name: client-with-a-long-name
            network:
              - { switch: sw0, ip: "10.0.0.10", gateway: "10.0.0.1" }
              - { switch: sw1, ip: "10.0.1.10", gateway: "10.0.1.1" }
            netns: { command: "sleep infinity" }
        network:
          ovn:
            switches:
              sw0: { subnet: "10.0.0.0/24" }
              sw1: { subnet: "10.0.1.0/24" }
            routers:
              lr0:
                ports:
                  - { name: p0, mac: "02:00:00:00:ff:01", gateway_ip: "10.0.0.1/24", switch: sw0 }
                  - { name: p1, mac: "02:00:00:00:ff:02", gateway_ip: "10.0.1.1/24", switch: sw1 }
                static_routes:
                  - { prefix: "10.9.0.0/16", nexthop: "10.0.1.2" }

        """

    static func plan(folder: String = "/home/alice/lab", state: String = "/var/lib/testbedos") throws -> DeploymentPlan {
        DeploymentPlan(
            topology: try TopologyParser.parse(yaml),
            identity: ProjectIdentity(stateFolder: state, projectFolder: folder, deployment: "lab"))
    }

    @Test func everyNameCarriesTheProjectsTagAndInterfaceNamesFitLinux() throws {
        let plan = try Self.plan()
        let prefix = plan.identity.namespacePrefix
        #expect(prefix.count == 20 && prefix.hasPrefix("tb-") && prefix.hasSuffix("-"))
        #expect(plan.namespaces.map(\.name) == [prefix + "fabric", prefix + "r-lr0", prefix + "g-client-with-a-long-name"])
        for link in plan.links {
            #expect(link.fabricEnd.count <= 15)
            #expect(link.fabricEnd.hasPrefix("tb" + plan.identity.hash.prefix(6)))
            #expect(link.namespace.hasPrefix(prefix))
        }
        #expect(plan.identity.guestUnit("web") == "testbed-guest-\(plan.identity.hash.prefix(16))-web.service")
    }

    @Test func linksAreMadeInTheFabricWithTheirOtherEndInTheirNamespace() throws {
        let plan = try Self.plan()
        let fabric = plan.fabricBatch
        #expect(fabric.namespace == plan.identity.fabricNamespace)
        let veths = fabric.lines.filter { $0.contains("type veth") }
        #expect(veths.count == 4)
        for line in veths { #expect(line.contains(" netns \(plan.identity.namespacePrefix)")) }
        // Only `netns add` runs in the host's own namespace: no link is ever created there.
        #expect(plan.namespaceBatch.namespace == nil)
        #expect(plan.namespaceBatch.lines.allSatisfy { $0.hasPrefix("netns add \(plan.identity.namespacePrefix)") })
    }

    @Test func routersForwardAndGuestsGetAddressesAndOneDefaultRoutePerGateway() throws {
        let plan = try Self.plan()
        let router = try #require(plan.memberBatches.first { $0.namespace == plan.identity.routerNamespace("lr0") })
        #expect(router.lines.contains("address add 10.0.0.1/24 dev eth0"))
        #expect(router.lines.contains("route add 10.9.0.0/16 via 10.0.1.2"))
        let guest = try #require(plan.memberBatches.first { $0.namespace == plan.identity.guestNamespace("client-with-a-long-name") })
        #expect(guest.lines.contains("route add default via 10.0.0.1 dev eth0 metric 100"))
        #expect(guest.lines.contains("route add default via 10.0.1.1 dev eth1 metric 101"))
        let sysctls = Dictionary(uniqueKeysWithValues: plan.sysctls.map { ($0.namespace, $0.values.map(\.key)) })
        #expect(sysctls[plan.identity.routerNamespace("lr0")]?.contains("net.ipv4.ip_forward") == true)
        #expect(sysctls[plan.identity.guestNamespace("client-with-a-long-name")] == ["net.ipv4.ping_group_range"])
    }

    @Test func projectsDifferingInFolderOrDaemonNeverShareNamesAndMACsAreStable() throws {
        let one = try Self.plan()
        let other = try Self.plan(folder: "/home/bob/lab")
        let otherDaemon = try Self.plan(state: "/tmp/dev/.testbedos")
        #expect(one.identity.namespacePrefix != other.identity.namespacePrefix)
        #expect(one.identity.namespacePrefix != otherDaemon.identity.namespacePrefix)
        #expect(try Self.plan().links.map(\.mac) == one.links.map(\.mac))
        let guestMAC = try #require(MACAddress(one.links[2].mac))
        #expect(!guestMAC.isMulticast && guestMAC.value >> 40 & 2 == 2)  // locally administered
    }
}
