import Foundation
import Synchronization
import TestbedProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A testbedd in a cluster role for one test: its own state folder, sockets,
/// certificates and bridge port on loopback.
final class ClusterDaemon: Sendable {
    let chassis: String
    let folder: String
    let bridgePort: Int
    let daemon: DaemonProcess
    var socket: String { daemon.socket }
    var state: String { folder + "/state" }
    var configFolder: String { state + "/config" }

    /// Test intervals: short, so eviction after misses takes about a second.
    static let interval = "0.3"

    private init(chassis: String, folder: String, bridgePort: Int, daemon: DaemonProcess) {
        self.chassis = chassis
        self.folder = folder
        self.bridgePort = bridgePort
        self.daemon = daemon
    }

    /// Starts a daemon named `chassis` (its folder `sandbox/chassis`) with `pki` as its certificates.
    static func start(
        _ chassis: String, in sandbox: Sandbox, pki: String, mode: [String], bridgePort: Int? = nil,
        extra: [String] = [], environment: [String: String] = [:], folderName: String? = nil, socketGroup: String = "",
        networkNamespace: String? = nil, bridgeHost: String = "127.0.0.1"
    ) async throws -> ClusterDaemon {
        let folder = sandbox.path + "/" + (folderName ?? chassis)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let port = try bridgePort ?? freePort()
        let arguments = mode + [
            "--socket", folder + "/d.sock", "--ro-socket", "", "--socket-group", socketGroup,
            "--admin-group", String(TestUser.adminGroup),
            "--state-dir", folder + "/state", "--pki-dir", pki, "--log-level", "debug",
            "--bridge-listen", "\(bridgeHost):\(port)",
        ] + (extra.contains("--heartbeat-interval") ? [] : ["--heartbeat-interval", interval]) + extra
        // In a network namespace: `ip netns exec` enters it and execs testbedd, which keeps its pid.
        let (executable, prefix) = networkNamespace.map { (NetworkNamespace.ip, ["netns", "exec", $0, Binaries.testbedd]) }
            ?? (Binaries.testbedd, [])
        let daemon = try DaemonProcess(
            executable: executable, arguments: prefix + arguments, socket: folder + "/d.sock",
            logPath: folder + "/testbedd-\(UUID().uuidString.prefix(6)).log", environment: environment)
        try await daemon.waitUntilAccepting()
        return ClusterDaemon(chassis: chassis, folder: folder, bridgePort: port, daemon: daemon)
    }

    /// Another run of this daemon (same folder, certificates and port), after it stopped.
    func restart(pki: String, mode: [String], extra: [String] = []) async throws -> ClusterDaemon {
        try await Self.start(chassis, in: Sandbox(reusing: (folder as NSString).deletingLastPathComponent), pki: pki,
                             mode: mode, bridgePort: bridgePort, extra: extra, folderName: (folder as NSString).lastPathComponent)
    }

    func call<R: Decodable & Sendable>(_ method: String, as type: R.Type = R.self) async throws -> R {
        let connection = try await RPCConnection.connect(unixSocketPath: socket)
        return try await withCleanup {
            try await connection.call(method, as: R.self)
        } cleanup: {
            await connection.close()
        }
    }

    func clusterStatus() async throws -> ClusterStatus { try await call(RPCMethod.clusterStatus.name) }

    /// The member `chassis` as the main's cluster.status shows it.
    func member(_ chassis: String) async throws -> MemberStatus? {
        try await clusterStatus().members.first { $0.chassis == chassis }
    }

    /// kvm-compose-config.json's members, as read from the file.
    func configuredMembers() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: configFolder + "/kvm-compose-config.json"))
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(top["testbed_host_ssh_config"] as? [String: [String: Any]])
    }

    func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configFolder + "/" + name)), options: [.fragmentsAllowed])
    }

    var log: String { daemon.log }

    func stop(signal: Int32 = SIGTERM) async throws { _ = try await daemon.stop(signal: signal) }

    /// Runs `body`, then stops this daemon and waits for it, however `body` ended.
    func stopAfter<T>(_ body: () async throws -> T) async throws -> T {
        try await withCleanup(body) { try? await self.stop() }
    }
}

/// The cluster's certificates, made with the real `testbedctl cluster` commands.
struct TestPKI: Sendable {
    let caFolder: String
    let sandbox: String

    static func make(in sandbox: Sandbox, name: String = "ca") async throws -> TestPKI {
        let folder = sandbox.path + "/" + name
        let run = try await ProcessRun.run(Binaries.testbedctl, ["cluster", "ca", "init", "--pki-dir", folder])
        guard run.status == 0 else { throw ProcessRunError("cluster ca init failed: \(run.stderr)") }
        return TestPKI(caFolder: folder, sandbox: sandbox.path)
    }

    /// A node folder for `chassis` (node.pem, node.key, ca.pem), issued by this CA.
    func issue(_ chassis: String, folderName: String? = nil, reissue: Bool = false) async throws -> String {
        let folder = sandbox + "/" + (folderName ?? "pki-\(chassis)-\((caFolder as NSString).lastPathComponent)")
        let run = try await ProcessRun.run(
            Binaries.testbedctl, ["cluster", "issue", chassis, "--out", folder, "--pki-dir", caFolder] + (reissue ? ["--reissue"] : []))
        guard run.status == 0 else { throw ProcessRunError("cluster issue \(chassis) failed: \(run.stderr)") }
        return folder
    }
}

/// The ports `freePort` has handed out in this test process: the kernel may
/// give a port it just freed to the next caller, and tests run in parallel.
private let portsHandedOut = Locked<Set<Int>>([])

/// A TCP port on loopback that nothing listens on right now, and that no other
/// test of this process was given.
func freePort() throws -> Int {
    for _ in 0..<100 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw ProcessRunError("cannot find a free port: \(String(cString: strerror(errno)))") }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if portsHandedOut.withLock({ $0.insert(port).inserted }) { return port }
    }
    throw ProcessRunError("cannot find a free port that no other test was given")
}

/// Polls `condition` every 20 ms until it holds; throws after `timeout`.
func eventually(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ProcessRunError("timed out after \(timeout) waiting until \(what())")
}
