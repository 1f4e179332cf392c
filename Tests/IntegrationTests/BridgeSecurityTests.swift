import Crypto
import Foundation
import NIOSSL
import Testing
import TestbedPKI
import TestbedProtocol
import X509
#if canImport(Glibc)
import Glibc
#endif

/// The bridge admits only TLS peers whose certificate chains to the cluster
/// CA, is current, unrevoked, names one chassis, and then only to the peer
/// methods, as that chassis.
@Suite struct BridgeSecurityTests {
    /// A CA and a main with its bridge open.
    struct Bridge {
        let sandbox: Sandbox
        let pki: TestPKI
        let main: ClusterDaemon
        var caFile: String { CertificateAuthority.certificatePath(in: pki.caFolder) }

        static func start() async throws -> Bridge {
            let sandbox = try Sandbox()
            let pki = try await TestPKI.make(in: sandbox)
            // Checks once a minute: the members these tests join have no bridge to check, and
            // must not be evicted while a test looks at them.
            let main = try await ClusterDaemon.start(
                "main", in: sandbox, pki: try await pki.issue("main"), mode: ["main"], extra: ["--heartbeat-interval", "60"])
            return Bridge(sandbox: sandbox, pki: pki, main: main)
        }

        func client(_ credentials: String?) -> BridgeTestClient {
            BridgeTestClient(port: main.bridgePort, credentials: credentials, caFile: caFile)
        }

        /// The main still serves a valid peer, and its process is alive.
        func expectStillServing() async throws {
            let hello: HelloResult = try await client(try await pki.issue("probe", folderName: "probe-\(UUID().uuidString.prefix(6))")).call(RPCMethod.hello.name)
            #expect(hello.identity.role == "peer:probe")
            #expect(main.daemon.child.exitStatus == nil)
        }

        func stop() async { try? await main.stop() }

        /// Runs `body` with a fresh bridge, then stops its main and waits for it, however `body` ended.
        static func with(_ body: (Bridge) async throws -> Void) async throws {
            let bridge = try await start()
            try await withCleanup { try await body(bridge) } cleanup: { await bridge.stop() }
        }

        /// The main logged a refused peer for `reason`.
        func expectRefusalLogged(_ reason: String) async throws {
            try await eventually("the main logs the refusal (\(reason))", timeout: .seconds(10)) {
                main.log.split(separator: "\n").contains { $0.contains("bridge: refused a peer") && $0.contains(reason) }
            }
        }
    }

    /// A plain TCP connection to 127.0.0.1:`port`: no TLS.
    static func plainConnection(to port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ProcessRunError("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    static func host(_ chassis: String) -> HostDescription {
        HostDescription(
            ip: "127.0.0.1", user: "root", identityFile: "/root/.ssh/id_ed25519", testbedNic: "eth1",
            mainInterface: "eth0", isMainHost: false, ovn: .init(chassisName: chassis))
    }

    @Test func aValidPeerGetsThePeerMethodsAndNothingElse() async throws {
        try await Bridge.with { bridge in
            let peer = bridge.client(try await bridge.pki.issue("node2"))
            let hello: HelloResult = try await peer.call(RPCMethod.hello.name)
            #expect(hello.identity.role == "peer:node2")
            #expect(hello.mode == "main")
            let _: EmptyResult = try await peer.call(RPCMethod.ping.name)
            let status: HostStatus = try await peer.call(RPCMethod.hostStatus.name)
            #expect(status.chassis == "main")
            for method in [RPCMethod.deploymentList.name, RPCMethod.serverStatus.name, RPCMethod.clusterStatus.name, RPCMethod.clusterEvict.name, "no.such.method"] {
                await #expect(throws: RPCError.self) {
                    let _: JSONValue = try await peer.call(method)
                }
                do {
                    let _: JSONValue = try await peer.call(method)
                } catch let error as RPCError {
                    #expect(error.code == .permissionDenied, "\(method): \(error)")
                    #expect(error.message.contains("over the bridge"))
                }
            }
        }
    }

    @Test func plaintextIsRefused() async throws {
        try await Bridge.with { bridge in
            let fd = try Self.plainConnection(to: bridge.main.bridgePort)
            defer { close(fd) }
            let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"rpc.ping"}"#.utf8)
            let frame = withUnsafeBytes(of: UInt32(request.count).bigEndian, Array.init) + request
            #expect(write(fd, frame, frame.count) == frame.count)
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received += buffer[..<n]
            }
            // At most a TLS alert (content type 21), never a JSON-RPC answer; then the connection closes.
            #expect(received.isEmpty || received[0] == 21, "\(received.prefix(16))")
            #expect(!String(decoding: received, as: UTF8.self).contains("jsonrpc"))
            try await bridge.expectRefusalLogged("does not speak TLS")
            try await bridge.expectStillServing()
        }
    }

    @Test func aPeerWithoutACertificateIsRefused() async throws {
        try await Bridge.with { bridge in
            await #expect(throws: (any Error).self) {
                let _: EmptyResult = try await bridge.client(nil).call(RPCMethod.ping.name)
            }
            try await bridge.expectRefusalLogged("presented no certificate")
            try await bridge.expectStillServing()
        }
    }

    @Test func aCertificateFromAnotherCAIsRefused() async throws {
        try await Bridge.with { bridge in
            let other = try await TestPKI.make(in: bridge.sandbox, name: "other-ca")
            let stranger = try await other.issue("node2")
            await #expect(throws: (any Error).self) {
                let _: EmptyResult = try await bridge.client(stranger).call(RPCMethod.ping.name)
            }
            await #expect(throws: (any Error).self) {
                let _: JoinResult = try await bridge.client(stranger).call(
                    RPCMethod.clusterJoin.name, params: JoinParams(host: Self.host("node2"), bridgePort: 1))
            }
            #expect(try bridge.main.configuredMembers()["node2"] == nil)
            try await bridge.expectRefusalLogged("not signed by the cluster CA")
            try await bridge.expectStillServing()
        }
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        try await Bridge.with { bridge in
            // Signed by the right CA, valid for one day, ten days ago.
            let authority = try CertificateAuthority.load(from: bridge.pki.caFolder)
            let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let expired = try authority.issue(
                chassis: try ChassisName("node2"), publicKey: key.publicKey, days: 1, notBefore: Date().addingTimeInterval(-10 * 86400))
            let folder = bridge.sandbox.path + "/expired"
            try PKIFiles.makeFolder(folder, mode: 0o755)
            try PKIFiles.write(try key.serializeAsPEM().pemString, to: NodeCredentials.keyPath(in: folder), mode: 0o600, force: false)
            try PKIFiles.write(try CertificateAuthority.pem(expired), to: NodeCredentials.certificatePath(in: folder), mode: 0o644, force: false)
            await #expect(throws: (any Error).self) {
                let _: EmptyResult = try await bridge.client(folder).call(RPCMethod.ping.name)
            }
            try await bridge.expectRefusalLogged("did not verify against the cluster CA")
            // The same CA, one day of validity from now: admitted. Only the dates differed.
            let current = try authority.issue(chassis: try ChassisName("node2"), publicKey: key.publicKey, days: 1)
            try PKIFiles.write(try CertificateAuthority.pem(current), to: NodeCredentials.certificatePath(in: folder), mode: 0o644, force: true)
            let _: EmptyResult = try await bridge.client(folder).call(RPCMethod.ping.name)
            try await bridge.expectStillServing()
        }
    }

    @Test func aPeerMayActOnlyAsTheChassisItsCertificateNames() async throws {
        try await Bridge.with { bridge in
            let node2 = bridge.client(try await bridge.pki.issue("node2"))
            do {
                let _: JoinResult = try await node2.call(RPCMethod.clusterJoin.name, params: JoinParams(host: Self.host("node1"), bridgePort: 4000))
                Issue.record("node2 joined as node1")
            } catch let error as RPCError {
                #expect(error.code == .permissionDenied)
                #expect(error.message.contains("certificate names chassis node2"))
            }
            // Even a certificate that names the main (issued again, by mistake) cannot replace the main's entry.
            let fakeMain = bridge.client(try await bridge.pki.issue("main", folderName: "fake-main", reissue: true))
            do {
                let _: JoinResult = try await fakeMain.call(RPCMethod.clusterJoin.name, params: JoinParams(host: Self.host("main"), bridgePort: 4000))
                Issue.record("a peer joined as the main")
            } catch let error as RPCError {
                #expect(error.code == .permissionDenied)
                #expect(error.message.contains("is the main's own"))
            }
            #expect(try bridge.main.configuredMembers()["node1"] == nil)
            #expect(try bridge.main.configuredMembers()["main"]?["is_main_host"] as? Bool == true)
            // Not a member: a heartbeat is told to join first.
            do {
                let _: EmptyResult = try await node2.call(RPCMethod.clusterHeartbeat.name)
                Issue.record("a heartbeat from a non-member was accepted")
            } catch let error as RPCError {
                #expect(error.code == .notFound)
            }
            // A bad host.json is refused with the field named, and nothing is written.
            var bad = Self.host("node2")
            bad.identityFile = "relative/key"
            do {
                let _: JoinResult = try await node2.call(RPCMethod.clusterJoin.name, params: JoinParams(host: bad, bridgePort: 4000))
                Issue.record("a relative identity_file was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidParams)
                #expect(error.message.contains("host.identity_file"))
            }
            #expect(try bridge.main.configuredMembers()["node2"] == nil)
            // Its address is the one it connects from: it cannot send the main's checks elsewhere.
            var elsewhere = Self.host("node2")
            elsewhere.ip = "10.9.9.9"
            do {
                let _: JoinResult = try await node2.call(RPCMethod.clusterJoin.name, params: JoinParams(host: elsewhere, bridgePort: 4000))
                Issue.record("a member chose another address than its own")
            } catch let error as RPCError {
                #expect(error.code == .invalidParams)
                #expect(error.message.contains("comes from 127.0.0.1"))
            }
            #expect(try bridge.main.configuredMembers()["node2"] == nil)
            // Its own name works, and it may then leave.
            let joined: JoinResult = try await node2.call(RPCMethod.clusterJoin.name, params: JoinParams(host: Self.host("node2"), bridgePort: 4000))
            #expect(joined.mainChassis == "main")
            #expect(joined.ovnRemote == "tcp:127.0.0.1:6642")
            #expect(try bridge.main.configuredMembers()["node2"] != nil)
            let _: EmptyResult = try await node2.call(RPCMethod.clusterLeave.name)
            #expect(try bridge.main.configuredMembers()["node2"] == nil)
        }
    }

    @Test func anEvictionEndsTheConnectionsTheMemberHasOpen() async throws {
        try await Bridge.with { bridge in
            let connection = try await bridge.client(try await bridge.pki.issue("node2")).connect()
            defer { connection.abort() }
            let _: JoinResult = try await connection.call(RPCMethod.clusterJoin, params: JoinParams(host: Self.host("node2"), bridgePort: 4000))
            // Without revoking: only the closing of its connections can stop this one.
            let evict = try await ProcessRun.run(
                Binaries.testbedctl, ["--socket", bridge.main.socket, "cluster", "evict", "node2", "--keep-certificate"])
            #expect(evict.status == 0, "\(evict.stderr)")
            do {
                let _: EmptyResult = try await connection.call(RPCMethod.ping)
                Issue.record("the connection opened before the eviction still works")
            } catch {
                let closed = if case .closed? = error as? RPCConnectionError { true } else { false }
                #expect(closed, "\(error)")
            }
            #expect(try bridge.main.configuredMembers()["node2"] == nil)
        }
    }

    @Test func oneChassisHoldsAtMostEightConnections() async throws {
        try await Bridge.with { bridge in
            let node2 = bridge.client(try await bridge.pki.issue("node2"))
            var open: [RPCConnection] = []
            defer { for connection in open { connection.abort() } }
            for _ in 0..<8 {
                let connection = try await node2.connect()
                let _: EmptyResult = try await connection.call(RPCMethod.ping)
                open.append(connection)
            }
            await #expect(throws: (any Error).self) {
                let _: EmptyResult = try await node2.call(RPCMethod.ping.name)
            }
            try await eventually("the main says why") { bridge.main.log.contains("node2 already holds 8 connections") }
            // Another chassis is not affected, and a slot freed is a slot taken.
            try await bridge.expectStillServing()
            open.removeFirst().abort()
            try await eventually("a ninth connection fits once one closed") {
                let _: EmptyResult = try await node2.call(RPCMethod.ping.name)
                return true
            }
        }
    }

    @Test func oneAddressCannotTakeEveryHandshakeSlot() async throws {
        try await Bridge.with { bridge in
            // Eight connections that never start TLS hold this address's share for 5 s.
            var sockets: [Int32] = []
            defer { for fd in sockets { close(fd) } }
            for _ in 0..<8 {
                sockets.append(try Self.plainConnection(to: bridge.main.bridgePort))
            }
            let node2 = bridge.client(try await bridge.pki.issue("node2"))
            var outcomes: [String] = []
            do {
                try await eventually("a ninth handshake from the same address is refused", timeout: .seconds(4)) {
                    do {
                        let _: EmptyResult = try await node2.call(RPCMethod.ping.name)
                        outcomes.append("answered")
                        return false
                    } catch {
                        outcomes.append("\(error)")
                        return bridge.main.log.contains("too many TLS handshakes in progress")
                    }
                }
            } catch {
                let bridgeLines = bridge.main.log.split(separator: "\n").filter { $0.contains("bridge") }.suffix(20)
                Issue.record("\(error)\noutcomes: \(outcomes)\n\(bridgeLines.joined(separator: "\n"))")
                throw error
            }
            for fd in sockets { close(fd) }
            sockets = []
            try await eventually("the slots are free again once those connections close") {
                let _: EmptyResult = try await node2.call(RPCMethod.ping.name)
                return true
            }
        }
    }

    @Test func aRevokedCertificateIsRefused() async throws {
        try await Bridge.with { bridge in
            let credentials = try await bridge.pki.issue("node2")
            let node2 = bridge.client(credentials)
            let _: JoinResult = try await node2.call(RPCMethod.clusterJoin.name, params: JoinParams(host: Self.host("node2"), bridgePort: 4000))
            let evict = try await ProcessRun.run(Binaries.testbedctl, ["--socket", bridge.main.socket, "--json", "cluster", "evict", "node2"])
            #expect(evict.status == 0, "\(evict.stderr)")
            let serial = try NodeCertificateRules.serial(of: CertificateAuthority.loadCertificate(
                NodeCredentials.certificatePath(in: credentials), what: "certificate"))
            #expect(evict.stdout.contains(serial))
            await #expect(throws: (any Error).self) {
                let _: EmptyResult = try await node2.call(RPCMethod.ping.name)
            }
            #expect(bridge.main.log.contains("(serial \(serial)) is revoked"))
            // A new certificate for the same chassis is a new serial: it is admitted.
            let reissued = try await bridge.pki.issue("node2", folderName: "node2-reissued", reissue: true)
            let _: EmptyResult = try await bridge.client(reissued).call(RPCMethod.ping.name)
        }
    }
}
