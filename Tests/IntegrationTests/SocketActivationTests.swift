import Foundation
import TestbedPKI
import TestbedProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemon under `systemd-socket-activate` (Debian's systemd package): the
/// first client's connection starts it, and it serves the socket it is passed.
@Suite struct SocketActivationTests {
    static let activator = "/usr/bin/systemd-socket-activate"

    /// The activator's own file, links resolved, as /proc/PID/exe names it.
    static var activatorPath: String { URL(fileURLWithPath: activator).resolvingSymlinksInPath().path }

    /// The program process `pid` runs, as /proc/PID/exe names it.
    static func executable(of pid: pid_t) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    /// True when a Unix socket listens at `path` (/proc/net/unix: flag __SO_ACCEPTCON),
    /// found without connecting, which would start the daemon.
    static func isListening(_ path: String) -> Bool {
        // Read to the end: /proc files report a size of 0, and come a page at a time.
        let table = String(decoding: FileHandle(forReadingAtPath: "/proc/net/unix")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count >= 8 && fields[7] == path && fields[3] == "00010000"
        }
    }

    @Test func theFirstConnectionStartsTheDaemonOnThePassedSocket() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.activator), "install the systemd package")
        let sandbox = try Sandbox()
        let daemon = try DaemonProcess(
            executable: Self.activator,
            arguments: [
                "--listen=\(sandbox.socket)", "--fdname=rw", "--setenv=TESTBED_TEST=1",
                Binaries.testbedd, "--state-dir", sandbox.state, "--socket", sandbox.path + "/unused.sock",
                "--log-level", "debug",
            ],
            socket: sandbox.socket, logPath: sandbox.path + "/activate.log")
        // The activator holds the socket; testbedd is not started until someone connects
        // (the activator execs it in its own process then).
        try await eventually("systemd-socket-activate listens on \(sandbox.socket)") { Self.isListening(sandbox.socket) }
        #expect(Self.executable(of: daemon.child.pid) == Self.activatorPath, "testbedd started before anyone connected")
        #expect(!FileManager.default.fileExists(atPath: sandbox.state))

        let status = try await ProcessRun.run(Binaries.testbedctl, ["status", "--json", "--socket", sandbox.socket])
        #expect(status.status == 0, "\(status.stderr)\n\(daemon.log)")
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["socket_activated"] as? Bool == true)
        #expect(object?["state_dir"] as? String == sandbox.state)
        // It served the passed socket and bound none of its own.
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/unused.sock"))

        let project = try sandbox.project("p")
        let created = try await ProcessRun.run(
            Binaries.testbedctl, ["deployment", "create", "p", "--path", project, "--socket", sandbox.socket])
        #expect(created.status == 0, "\(created.stderr)")

        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("ready"))
        #expect(daemon.log.contains("sockets from systemd"))
    }
}

/// The bridge passed by systemd (`testbedd-bridge.socket`, FileDescriptorName=bridge).
@Suite struct BridgeSocketActivationTests {
    /// A main under systemd-socket-activate with the rw socket and a TCP bridge
    /// on `bridgePort`, an idle timeout far shorter than any test.
    static func activated(in sandbox: Sandbox, bridgePort port: Int, pki: String) throws -> DaemonProcess {
        try DaemonProcess(
            executable: SocketActivationTests.activator,
            arguments: [
                "--listen=\(sandbox.socket)", "--listen=127.0.0.1:\(port)", "--fdname=rw:bridge",
                Binaries.testbedd, "main", "--state-dir", sandbox.state, "--socket", sandbox.path + "/unused.sock",
                "--ro-socket", "", "--pki-dir", pki, "--idle-timeout", "0.2", "--log-level", "debug",
            ],
            socket: sandbox.socket, logPath: sandbox.path + "/activate.log")
    }

    @Test func aBridgeSocketFromSystemdIsServedWithTLSAndKeepsTheDaemonFromIdling() async throws {
        let sandbox = try Sandbox()
        let pki = try await TestPKI.make(in: sandbox)
        let credentials = try await pki.issue("main")
        let port = try freePort()
        let daemon = try Self.activated(in: sandbox, bridgePort: port, pki: credentials)
        try await daemon.waitUntilAccepting()  // systemd-socket-activate makes the socket a moment after it starts
        let status = try await ProcessRun.run(Binaries.testbedctl, ["cluster", "status", "--json", "--socket", sandbox.socket])
        #expect(status.status == 0, "\(status.stderr)\n\(daemon.log)")
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["bridge"] as? String == "127.0.0.1:\(port)")
        let peer = BridgeTestClient(
            port: port, credentials: try await pki.issue("node1"), caFile: CertificateAuthority.certificatePath(in: pki.caFolder))
        let hello: HelloResult = try await peer.call(RPCMethod.hello.name)
        #expect(hello.identity.role == "peer:node1")
        // A node with cluster duties never exits when idle, however short idle_timeout is.
        #expect(daemon.log.contains("never exits when idle"))
        try await Task.sleep(for: .milliseconds(600))
        #expect(daemon.child.exitStatus == nil, "\(daemon.log)")
        #expect(try await daemon.stop() == 0)
    }
}

extension BridgeSocketActivationTests {
    @Test func aBridgeSocketWithoutUsableCredentialsClosesEachPeerAndTheDaemonStaysUp() async throws {
        let sandbox = try Sandbox()
        let pki = try await TestPKI.make(in: sandbox)
        let port = try freePort()
        let daemon = try Self.activated(in: sandbox, bridgePort: port, pki: sandbox.path + "/missing")
        try await daemon.waitUntilAccepting()
        let status = try await ProcessRun.run(Binaries.testbedctl, ["status", "--socket", sandbox.socket])
        #expect(status.status == 0, "\(status.stderr)\n\(daemon.log)")
        #expect(status.stdout.contains("the bridge is off"))
        let peer = BridgeTestClient(
            port: port, credentials: try await pki.issue("node1"), caFile: CertificateAuthority.certificatePath(in: pki.caFolder))
        let start = ContinuousClock.now
        await #expect(throws: (any Error).self) {
            let _: EmptyResult = try await peer.call(RPCMethod.ping.name)
        }
        // Closed at once, not left to the test client's 10 s deadline (the
        // margin is for a loaded machine: setting up TLS in a debug build is slow).
        #expect(ContinuousClock.now - start < .seconds(8))
        #expect(daemon.log.contains("never exits when idle"))
        try await Task.sleep(for: .milliseconds(600))
        #expect(daemon.child.exitStatus == nil, "\(daemon.log)")
        #expect(try await daemon.stop() == 0)
    }
}
