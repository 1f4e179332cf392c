import Foundation
import Testing
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Several daemons on loopback, each with its own state folder and
/// certificates: a main and its clients joining, beating, being evicted and
/// rejoining, all through the mutually authenticated bridge.
@Suite struct ClusterMembershipTests {
    /// A CA, a main and one client joined to it.
    struct Cluster {
        let sandbox: Sandbox
        let pki: TestPKI
        let main: ClusterDaemon
        let client: ClusterDaemon
        let mainCredentials: String
        let clientCredentials: String

        /// `misses` is high by default: on a loaded machine, tests that are not about
        /// eviction must not see one.
        static func start(
            misses: Int = 20, interval: String = ClusterDaemon.interval, clientInterval: String? = nil,
            clientEnvironment: [String: String] = [:]
        ) async throws -> Cluster {
            let sandbox = try Sandbox()
            let pki = try await TestPKI.make(in: sandbox)
            let mainCredentials = try await pki.issue("main")
            let clientCredentials = try await pki.issue("node1")
            let main = try await ClusterDaemon.start(
                "main", in: sandbox, pki: mainCredentials, mode: ["main"],
                extra: ["--heartbeat-misses", String(misses), "--heartbeat-interval", interval])
            // A cluster that does not come up leaves nothing running.
            var client: ClusterDaemon?
            do {
                client = try await ClusterDaemon.start(
                    "node1", in: sandbox, pki: clientCredentials,
                    mode: ["client", "--main", "127.0.0.1:\(main.bridgePort)", "--main-chassis", "main"],
                    extra: ["--heartbeat-interval", clientInterval ?? interval], environment: clientEnvironment)
                try await eventually("node1 joins the main") { try await main.member("node1")?.state == "healthy" }
            } catch {
                try? await client?.stop()
                try? await main.stop()
                throw error
            }
            return Cluster(sandbox: sandbox, pki: pki, main: main, client: client!,
                           mainCredentials: mainCredentials, clientCredentials: clientCredentials)
        }

        /// Runs `body` with a fresh cluster, then stops both daemons and waits for them, however `body` ended.
        static func with(
            misses: Int = 20, interval: String = ClusterDaemon.interval, clientInterval: String? = nil,
            clientEnvironment: [String: String] = [:], _ body: (Cluster) async throws -> Void
        ) async throws {
            let cluster = try await start(
                misses: misses, interval: interval, clientInterval: clientInterval, clientEnvironment: clientEnvironment)
            try await withCleanup { try await body(cluster) } cleanup: { await cluster.stop() }
        }

        func stop() async {
            try? await client.stop()
            try? await main.stop()
        }
    }

    @Test func aJoinWritesTheMemberIntoKvmComposeConfig() async throws {
        try await Cluster.with { cluster in
            let members = try cluster.main.configuredMembers()
            #expect(Set(members.keys) == ["main", "node1"])
            #expect(members["main"]?["is_main_host"] as? Bool == true)
            #expect(members["node1"]?["is_main_host"] as? Bool == false)
            #expect((members["node1"]?["ovn"] as? [String: Any])?["chassis_name"] as? String == "node1")
            #expect(members["node1"]?["ip"] as? String == "127.0.0.1")

            // The client recorded the main's OVN southbound address in its host.json.
            let host = try #require(try cluster.client.json("host.json") as? [String: Any])
            try await eventually("the client records the OVN remote") {
                let host = try cluster.client.json("host.json") as? [String: Any]
                return (host?["ovn"] as? [String: Any])?["client_ovn_remote"] as? String == "tcp:127.0.0.1:6642"
            }
            #expect((host["ovn"] as? [String: Any])?["chassis_name"] as? String == "node1")

            // mode.json in the original's shape, plus the port.
            #expect(try cluster.main.json("mode.json") as? String == "Main")
            let mode = try #require(try cluster.client.json("mode.json") as? [String: [String: Any]])
            #expect(mode["Client"]?["main_ip"] as? String == "127.0.0.1")
            #expect(mode["Client"]?["main_port"] as? Int == cluster.main.bridgePort)

            let status: ServerStatus = try await cluster.client.call(RPCMethod.serverStatus.name)
            #expect(status.mode == "client")
            #expect(status.mainReachable == true)
            let mainStatus: ServerStatus = try await cluster.main.call(RPCMethod.serverStatus.name)
            #expect(mainStatus.mode == "main")
            #expect(mainStatus.mainReachable == nil)
            #expect(cluster.main.log.contains("cluster: node1 joined"))
        }
    }

    @Test func heartbeatsKeepBothSidesCurrent() async throws {
        // The main checks once a minute: only the client's heartbeats can move what it has seen.
        try await Cluster.with(interval: "60", clientInterval: "0.3") { cluster in
            let firstSeen = try #require(try await cluster.main.member("node1")?.lastSeen)
            let firstContact = try #require(try await cluster.client.clusterStatus().main?.lastContact)
            try await eventually("the main hears node1 again and node1 hears from the main again") {
                let seen = try await cluster.main.member("node1")?.lastSeen ?? .distantPast
                let contact = try await cluster.client.clusterStatus().main?.lastContact ?? .distantPast
                return seen > firstSeen && contact > firstContact
            }
            #expect(try await cluster.main.member("node1")?.misses == 0)
            #expect(try await cluster.client.clusterStatus().main?.joined == true)
            // They were heartbeats, not joins.
            #expect(cluster.main.log.components(separatedBy: "cluster: node1 ").filter { $0.hasPrefix("joined") || $0.hasPrefix("rejoined") }.count == 1)
            #expect(!cluster.client.log.contains("rejoined the main"))
        }
    }

    @Test func aKilledClientIsEvictedAfterIntervalTimesMissesAndNotBefore() async throws {
        try await Cluster.with(misses: 3) { cluster in
            // Watched on the main: the member's health, then its eviction.
            let watcher = try await RPCConnection.connect(unixSocketPath: cluster.main.socket)
            let watch = try await EventsTests.watch(watcher)
            let _: EmptyResult = try await watcher.call(RPCMethod.ping)
            try await cluster.client.stop(signal: SIGKILL)
            try await eventually("node1 is evicted", timeout: .seconds(30)) {
                try cluster.main.configuredMembers()["node1"] == nil
            }
            let events = try await watch.wait(for: "the eviction is announced") { $0.contains { $0.kind == .clusterEvicted } }
            #expect(events.filter { $0.chassis == "node1" }.map(\.kind) == [.clusterHealth, .clusterEvicted])
            #expect(events.first { $0.kind == .clusterHealth }?.healthy == false)
            await watcher.close()
            #expect(try await cluster.main.member("node1") == nil)
            #expect(try cluster.main.configuredMembers()["main"] != nil)
            // The log holds each check in order: the eviction came after the third miss, not before.
            let log = cluster.main.log
            let first = try #require(log.range(of: "node1 missed check 1 of 3"))
            let second = try #require(log.range(of: "node1 missed check 2 of 3"))
            let third = try #require(log.range(of: "node1 missed check 3 of 3"))
            let evicted = try #require(log.range(of: "node1 evicted after 3 missed health checks"))
            #expect(first.lowerBound < second.lowerBound && second.lowerBound < third.lowerBound && third.lowerBound < evicted.lowerBound)
            // Each transition is logged once (at notice level and above), not every tick.
            #expect(log.components(separatedBy: "node1 missed a health check").count == 2)
            #expect(log.components(separatedBy: "node1 evicted after 3 missed health checks").count == 2)
        }
    }

    @Test func aRestartedMainIsRejoinedByItsClients() async throws {
        try await Cluster.with { cluster in
            try await cluster.main.stop()
            try await eventually("node1 notices the main is gone") {
                try await cluster.client.clusterStatus().main?.reachable == false
            }
            let status: ServerStatus = try await cluster.client.call(RPCMethod.serverStatus.name)
            #expect(status.mainReachable == false)
            // No mode on the command line: the restarted main reads mode.json.
            let main = try await cluster.main.restart(pki: cluster.mainCredentials, mode: [])
            try await main.stopAfter {
                try await eventually("node1 rejoins") { main.log.contains("cluster: node1 rejoined") }
                try await eventually("node1 is healthy on the restarted main") { try await main.member("node1")?.state == "healthy" }
                #expect(cluster.client.log.contains("rejoined the main main"))
                #expect(try await cluster.client.clusterStatus().main?.reachable == true)
                #expect(try main.configuredMembers()["node1"] != nil)
            }
        }
    }

    @Test func aClientRefusesAMainPresentingAnotherNodesCertificate() async throws {
        let sandbox = try Sandbox()
        let pki = try await TestPKI.make(in: sandbox)
        // A valid certificate of the same CA, but for node2: it runs a "main".
        let impostor = try await ClusterDaemon.start("node2", in: sandbox, pki: try await pki.issue("node2"), mode: ["main"])
        try await impostor.stopAfter {
            let client = try await ClusterDaemon.start(
                "node1", in: sandbox, pki: try await pki.issue("node1"),
                mode: ["client", "--main", "127.0.0.1:\(impostor.bridgePort)", "--main-chassis", "main"])
            try await client.stopAfter {
                try await eventually("node1 reports why it refuses") {
                    try await client.clusterStatus().main?.lastError?.contains("names chassis node2, not main") == true
                }
                let link = try #require(try await client.clusterStatus().main)
                #expect(link.joined == false)
                #expect(link.reachable == false)
                #expect(try impostor.configuredMembers()["node1"] == nil)
                #expect(!impostor.log.contains("node1 joined"))
            }
        }
    }

    @Test func anEvictedAndRevokedMemberCannotRejoin() async throws {
        try await Cluster.with { cluster in
            let run = try await ProcessRun.run(Binaries.testbedctl, ["--socket", cluster.main.socket, "cluster", "evict", "node1"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("evicted node1"))
            #expect(run.stdout.contains("revoked"))
            #expect(try cluster.main.configuredMembers()["node1"] == nil)
            let revoked = try #require(try cluster.main.json("cluster-state.json") as? [String: Any])
            #expect((revoked["revoked"] as? [[String: Any]])?.first?["chassis"] as? String == "node1")
            // The client keeps trying; the bridge refuses its revoked certificate every time.
            try await eventually("node1 loses its membership") { try await cluster.client.clusterStatus().main?.joined == false }
            // The first refusal ended its membership; a second is an attempt to rejoin,
            // refused too. That attempt, not a pause, is what is awaited.
            try await eventually("node1 tries to rejoin and is refused again") {
                cluster.main.log.split(separator: "\n").filter { $0.contains("bridge: refused a peer") && $0.contains("is revoked") }.count >= 2
            }
            #expect(try cluster.main.configuredMembers()["node1"] == nil)
            #expect(cluster.main.log.contains("is revoked"))
            let again = try await ProcessRun.run(Binaries.testbedctl, ["--socket", cluster.main.socket, "cluster", "evict", "nobody"])
            #expect(again.status == 1)
            #expect(again.stderr.contains("not a member"))
        }
    }

    @Test func aCorruptClusterFileIsReportedAndMovedAsideNotOverwritten() async throws {
        let sandbox = try Sandbox()
        let pki = try await TestPKI.make(in: sandbox)
        let config = sandbox.path + "/main/state/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let garbage = "{\"testbed_host_ssh_config\": {\"x\": 1"
        try Data(garbage.utf8).write(to: URL(fileURLWithPath: config + "/kvm-compose-config.json"))
        try Data("not json".utf8).write(to: URL(fileURLWithPath: config + "/cluster-state.json"))
        let main = try await ClusterDaemon.start("main", in: sandbox, pki: try await pki.issue("main"), mode: ["main"])
        // Not `main.stopAfter { … }`: with these lines in that closure, the Swift 6.3.1
        // debug build listed the config folder without the file moved aside, reproducibly,
        // while the folder held it (watched from outside); at function level it is seen.
        do {
            let problems = try await main.clusterStatus().problems
            #expect(problems.contains { $0.contains("cluster-state.json is corrupt") }, "\(problems)")
            let status: ServerStatus = try await main.call(RPCMethod.serverStatus.name)
            #expect(status.clusterProblems.contains { $0.contains("kvm-compose-config.json") })
            // Its own entry had to be written: the corrupt file went aside first, intact.
            let asides = try FileManager.default.contentsOfDirectory(atPath: config).filter { $0.hasPrefix("kvm-compose-config.json.corrupt-") }
            #expect(asides.count == 1)
            let aside = try #require(asides.first)
            #expect(try String(contentsOfFile: config + "/" + aside, encoding: .utf8) == garbage)
            #expect(try main.configuredMembers()["main"] != nil)
            let client = try await ClusterDaemon.start(
                "node1", in: sandbox, pki: try await pki.issue("node1"),
                mode: ["client", "--main", "127.0.0.1:\(main.bridgePort)", "--main-chassis", "main"])
            try await client.stopAfter {
                try await eventually("node1 joins despite the corrupt files") { try main.configuredMembers()["node1"] != nil }
                #expect(main.daemon.child.exitStatus == nil)
            }
        } catch {
            try? await main.stop()
            throw error
        }
        try? await main.stop()
    }

    @Test func aCorruptModeFileStopsAStartWithoutAModeWithAClearError() async throws {
        let sandbox = try Sandbox()
        let config = sandbox.path + "/state/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try Data("{\"Client\":".utf8).write(to: URL(fileURLWithPath: config + "/mode.json"))
        let run = try await ProcessRun.run(Binaries.testbedd, [
            "--socket", sandbox.socket, "--ro-socket", "", "--socket-group", "", "--state-dir", sandbox.state,
        ])
        #expect(run.status != 0)
        #expect(run.stderr.contains("mode.json is not JSON"), "\(run.stderr)")
        #expect(run.stderr.contains("explicit mode"))
        // An explicit mode rewrites it.
        let daemon = try DaemonProcess(
            arguments: ["main", "--socket", sandbox.socket, "--ro-socket", "", "--socket-group", "", "--state-dir", sandbox.state],
            socket: sandbox.socket, logPath: sandbox.path + "/d.log")
        try await daemon.waitUntilAccepting()
        #expect(try String(contentsOfFile: config + "/mode.json", encoding: .utf8).contains("\"Main\""))
        #expect(try await daemon.stop() == 0)
    }

    @Test func theOVNRemoteIsAppliedWithOvsVsctlAndAFailureIsReported() async throws {
        let tools = try Sandbox()
        let record = tools.path + "/ovs-args"
        // A stand-in for Open vSwitch's ovs-vsctl (a tool we do not ship): records its arguments, then fails.
        // The record is replaced whole (the daemon retries): a read never finds it half written.
        let fake = try tools.write("#!/bin/sh\necho \"$@\" > \(record).$$ && mv \(record).$$ \(record)\necho 'ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed' >&2\nexit 1\n", to: "ovs-vsctl")
        chmod(fake, 0o755)
        try await Cluster.with(clientEnvironment: ["PATH": tools.path + ":/usr/bin:/bin"]) { cluster in
            try await eventually("the failure is reported") {
                let status: ServerStatus = try await cluster.client.call(RPCMethod.serverStatus.name)
                return status.clusterProblems.contains { $0.contains("database connection failed") }
            }
            #expect(try String(contentsOfFile: record, encoding: .utf8) == "--timeout=10 set open . external-ids:ovn-remote=tcp:127.0.0.1:6642\n")
            #expect(try await cluster.client.clusterStatus().main?.ovnRemoteError?.contains("exited with status 1") == true)
        }
    }
}
