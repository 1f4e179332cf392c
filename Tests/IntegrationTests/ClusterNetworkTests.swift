import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A main and a client in two network namespaces on one veth link: real,
/// distinct addresses, a bridge on every address, and a partition.
@Suite struct ClusterNetworkTests {
    @Test func twoHostsOnALinkJoinSurviveAShortPartitionAndUseTheirOwnAddresses() async throws {
        let network = try await NetworkNamespacePair.make()
        var daemons: [ClusterDaemon] = []
        do {
            let sandbox = try Sandbox()
            let pki = try await TestPKI.make(in: sandbox)
            // Both listen on every address, on the bridge's own port: the addresses in
            // host.json are each host's, found on its interface.
            let main = try await ClusterDaemon.start(
                "main", in: sandbox, pki: try await pki.issue("main"), mode: ["main"], bridgePort: 3355,
                extra: ["--heartbeat-interval", "0.5", "--heartbeat-misses", "20"],
                networkNamespace: network.names.0, bridgeHost: "0.0.0.0")
            daemons.append(main)
            let client = try await ClusterDaemon.start(
                "node1", in: sandbox, pki: try await pki.issue("node1"),
                mode: ["client", "--main", network.addresses.0, "--main-chassis", "main"], bridgePort: 3355,
                extra: ["--heartbeat-interval", "0.5"], networkNamespace: network.names.1, bridgeHost: "0.0.0.0")
            daemons.append(client)
            try await eventually("node1 joins across the link") { try await main.member("node1")?.state == "healthy" }

            let members = try main.configuredMembers()
            #expect(members["main"]?["ip"] as? String == network.addresses.0)
            #expect(members["node1"]?["ip"] as? String == network.addresses.1)
            #expect(try await main.member("node1")?.address == "\(network.addresses.1):3355")
            try await eventually("node1 records the main's OVN address") {
                let host = try client.json("host.json") as? [String: Any]
                return (host?["ovn"] as? [String: Any])?["client_ovn_remote"] as? String == "tcp:\(network.addresses.0):6642"
            }

            // A partition: both sides notice; the main counts misses but, under the
            // limit, keeps the member.
            try await network.setLink(up: false)
            try await eventually("the main misses node1") { try await main.member("node1")?.misses ?? 0 >= 2 }
            try await eventually("node1 loses the main") { try await client.clusterStatus().main?.reachable == false }
            #expect(try main.configuredMembers()["node1"] != nil)
            try await network.setLink(up: true)
            try await eventually("both sides recover", timeout: .seconds(30)) {
                let member = try await main.member("node1")
                let link = try await client.clusterStatus().main
                return member?.misses == 0 && member?.state == "healthy" && link?.reachable == true && link?.joined == true
            }
            // The main saw it come back: through its own check, or the client's join, whichever came first.
            #expect(main.log.contains("node1 is back after") || main.log.contains("cluster: node1 rejoined"))
            #expect(client.log.contains("rejoined the main main"))
            for daemon in daemons.reversed() { try await daemon.stop() }
            daemons = []
        } catch {
            for daemon in daemons { try? await daemon.stop(signal: SIGKILL) }
            await network.remove()
            throw error
        }
        await network.remove()
    }
}
