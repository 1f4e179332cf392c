import Foundation
import Testing
import TestbedProtocol

@Suite("Cluster coding")
struct ClusterCodingTests {
    static let hostJSON = #"{"identity_file":"/root/.ssh/id_ed25519","ip":"10.0.0.2","is_main_host":false,"main_interface":"eth0","ovn":{"bridge":"br-int","chassis_name":"node1","client_ovn_remote":"tcp:10.0.0.1:6642"},"testbed_nic":"eth1","user":"root"}"#

    @Test func hostDescriptionKeepsTheOriginalFieldNames() throws {
        let host = try wireDecode(HostDescription.self, Self.hostJSON)
        #expect(host.ovn.chassisName == "node1")
        #expect(host.ovn.clientOvnRemote == "tcp:10.0.0.1:6642")
        #expect(try wireString(host) == Self.hostJSON)
    }

    @Test func hostDescriptionRefusesUnknownAndMissingFields() {
        #expect(throws: DecodingError.self) {
            try wireDecode(HostDescription.self, Self.hostJSON.replacingOccurrences(of: #""user":"root""#, with: #""user":"root","usr":"x""#))
        }
        #expect(throws: DecodingError.self) {
            try wireDecode(HostDescription.self, Self.hostJSON.replacingOccurrences(of: #","user":"root""#, with: ""))
        }
        #expect(throws: DecodingError.self) {
            try wireDecode(HostDescription.self, Self.hostJSON.replacingOccurrences(of: #""bridge":"br-int","#, with: #""brige":"br-int","#))
        }
    }

    @Test func joinTravelsAsTheProtocolSays() throws {
        let host = try wireDecode(HostDescription.self, Self.hostJSON)
        let json = try wireString(JoinParams(host: host, bridgePort: 3355))
        #expect(json.hasPrefix(#"{"bridge_port":3355,"host":{"#))
        #expect(try wireString(JoinResult(mainChassis: "main", ovnRemote: "tcp:10.0.0.1:6642"))
            == #"{"main_chassis":"main","ovn_remote":"tcp:10.0.0.1:6642"}"#)
    }

    @Test func serverStatusFromADaemonBeforeTheClusterStillDecodes() throws {
        let old = #"{"deployments":1,"open_connections":1,"pid":311,"socket_activated":true,"state_dir":"/var/lib/testbedos","store":"file","uptime_seconds":2.5,"version":"0.1.0"}"#
        let status = try wireDecode(ServerStatus.self, old)
        #expect(status.mode == "main")
        #expect(status.mainReachable == nil)
        #expect(status.clusterProblems.isEmpty)
        let client = ServerStatus(
            version: "0.1.0", pid: 1, uptimeSeconds: 1, openConnections: 1, deployments: 0, store: "file", stateDir: "/s",
            socketActivated: false, mode: "client", mainReachable: false, clusterProblems: ["x"])
        let json = try wireString(client)
        #expect(json.contains(#""main_reachable":false"#) && json.contains(#""mode":"client""#) && json.contains(#""cluster_problems":["x"]"#))
        #expect(try wireDecode(ServerStatus.self, json) == client)
    }
}
