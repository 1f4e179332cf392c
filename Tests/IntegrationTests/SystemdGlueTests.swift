import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The systemd side of the daemon without a booted systemd: the shipped units
/// pass `systemd-analyze verify`, sockets passed by name get their roles,
/// sd_notify messages (READY, WATCHDOG, STOPPING) reach a real notify socket,
/// and a socket-activated daemon exits when idle.
@Suite struct SystemdGlueTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func theShippedUnitsPassSystemdAnalyzeVerify() async throws {
        let sandbox = try Sandbox()
        var paths: [String] = []
        for unit in ["testbedd.socket", "testbedd-ro.socket", "testbedd-bridge.socket", "testbedd.service"] {
            var text = try String(contentsOfFile: Self.repository + "/systemd/" + unit, encoding: .utf8)
            // verify checks that ExecStart= exists: point it at the build.
            text = text.replacingOccurrences(of: "/usr/local/bin/testbedd", with: Binaries.testbedd)
            paths.append(try sandbox.write(text, to: unit))
        }
        let verify = try await ProcessRun.run("/usr/bin/systemd-analyze", ["verify"] + paths)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stderr.isEmpty, "\(verify.stderr)")
        let service = try String(contentsOfFile: Self.repository + "/systemd/testbedd.service", encoding: .utf8)
        #expect(service.contains("Type=notify"))
        #expect(!service.contains("\nRuntimeDirectory="))
        let sysusers = try String(contentsOfFile: Self.repository + "/systemd/sysusers.d/testbedos.conf", encoding: .utf8)
        #expect(sysusers.contains("g testbed -") && sysusers.contains("g testbed-admin -"))
    }

    @Test func namedSocketsFromSystemdGetTheirRolesAndAnIdleDaemonExits() async throws {
        let sandbox = try Sandbox()
        let ro = sandbox.path + "/ro.sock"
        let daemon = try DaemonProcess(
            executable: "/usr/bin/systemd-socket-activate",
            arguments: [
                "--listen=\(sandbox.socket)", "--listen=\(ro)", "--fdname=rw:ro",
                Binaries.testbedd, "--state-dir", sandbox.state, "--idle-timeout", "2", "--log-level", "debug",
            ],
            socket: sandbox.socket, logPath: sandbox.path + "/activate.log")
        try await daemon.waitUntilAccepting(alsoOn: [ro])
        let reader = try RawClient(path: ro).call("rpc.hello")
        #expect((reader.result?["identity"] as? [String: Any])?["role"] as? String == "reader")
        let writer = try RawClient(path: sandbox.socket).call("rpc.hello")
        #expect((writer.result?["identity"] as? [String: Any])?["role"] as? String == "admin")
        // Both clients are gone: after two seconds of nothing, the daemon leaves.
        #expect(try await daemon.waitForExit(timeout: .seconds(20)) == 0)
        #expect(daemon.log.contains("idle for 2.0s: exiting"))
        #expect(daemon.log.contains("testbedd stopped"))
    }

    @Test func readyWatchdogAndStoppingReachTheNotifySocket() async throws {
        let sandbox = try Sandbox()
        let notify = try NotifySocket(path: sandbox.path + "/notify")
        let daemon = try DaemonProcess(
            arguments: ["--socket", sandbox.socket, "--state-dir", sandbox.state],
            socket: sandbox.socket, logPath: sandbox.path + "/d.log",
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        try await daemon.waitUntilAccepting()
        var messages: [String] = []
        while messages.filter({ $0 == "WATCHDOG=1" }).count < 3, let message = notify.receive() {
            messages.append(contentsOf: message.split(separator: "\n").map(String.init))
        }
        #expect(messages.contains("READY=1"))
        #expect(messages.contains { $0.hasPrefix("STATUS=Serving") })
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 3)
        #expect(try await daemon.stop() == 0)
        var afterStop: [String] = []
        while let message = notify.receive(timeoutSeconds: 1) {
            afterStop.append(contentsOf: message.split(separator: "\n").map(String.init))
        }
        #expect(afterStop.contains("STOPPING=1"))
    }
}

/// A datagram socket standing where systemd's notify socket would.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = try bindUnixSocket(path, type: Int32(SOCK_DGRAM.rawValue))
    }

    deinit { close(fd) }

    /// The next datagram, or nil after `timeoutSeconds` without one.
    func receive(timeoutSeconds: Int = 10) -> String? {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n], as: UTF8.self)
    }
}
