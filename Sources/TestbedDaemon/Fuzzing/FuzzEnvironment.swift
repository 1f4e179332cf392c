import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import TestbedPKI
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's real parts over a throwaway folder, for the fuzzers: a file
/// store with two deployments and a failed action, a main node with bridge
/// credentials from a throwaway CA, the daemon's and the bridge's method
/// tables, one event loop and a one-thread blocking pool. Actions never start
/// a process (`RefusingLauncher`).
///
/// Every input starts from the same state: `prepare` copies the seeded
/// template over the served folder again whenever the last input changed it.
final class FuzzEnvironment: @unchecked Sendable {
    let root: String
    let loop: any EventLoop
    let policy = AccessPolicy(adminGID: nil, readWriteSocket: "/run/testbedos/testbedd.sock")
    /// The authorizer every fuzzed connection gets (no polkit).
    var authorizer: Authorizer { Authorizer(policy: policy, askPolkit: nil, logger: logger) }
    /// The daemon-wide output budget, with its default size, shared by every input's connection.
    let budget = OutputBudget(limit: ConnectionLimits().outputBytes)

    /// A connection's bounds as the daemon's defaults give them, for an unprivileged caller.
    func bounds(maxInFlight: Int) -> ConnectionHandler.Bounds {
        ConnectionLimits().connectionBounds(budget: budget, privileged: false, maxInFlight: maxInFlight)
    }
    let logger: Logger
    /// This main's bridge identity (chassis `main`).
    let tls: BridgeTLS
    /// Client identities for the bridge: chassis `node1`, the main's own chassis,
    /// a certificate from another CA, and none. Each a TLS client context.
    let clientIdentities: [NIOSSLContext]

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let blockingPool = NIOThreadPool(numberOfThreads: 1)
    private let watcher: LogWatcher
    private let template: String
    private let work: String
    private var workFingerprint: [String] = []

    private(set) var services: DaemonServices!
    /// `MethodTable.daemon(services:)` over `services`.
    private(set) var daemonTable: MethodTable!

    init() throws {
        let level = ProcessInfo.processInfo.environment["TESTBED_FUZZ_LOG"].flatMap(Logger.Level.init(rawValue:))
        logger = Logger(label: "testbed-fuzz") { label in
            guard let level else { return SwiftLogNoOpLogHandler() }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        // Under $TMPDIR, so that scripts/fuzz can give each run a folder it removes afterwards.
        let temporary = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var pattern = (temporary + "/testbed-fuzz-XXXXXX").utf8CString
        guard let made = pattern.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw LaunchError("cannot make a temporary folder: \(String(cString: strerror(errno)))")
        }
        root = String(cString: made)
        self.template = root + "/template"
        work = root + "/work"
        loop = group.next()
        blockingPool.start()
        watcher = try LogWatcher()

        // The cluster's throwaway CA, this main's credentials and the clients'.
        let authority = try CertificateAuthority.initialize(in: root + "/ca", force: true)
        try NodeCredentials.issue(chassis: try ChassisName("main"), by: authority, into: root + "/pki-main", force: true)
        try NodeCredentials.issue(chassis: try ChassisName("node1"), by: authority, into: root + "/pki-node1", force: true)
        let stranger = try CertificateAuthority.initialize(in: root + "/other-ca", force: true)
        try NodeCredentials.issue(chassis: try ChassisName("node2"), by: stranger, into: root + "/pki-other", force: true)
        tls = try BridgeTLS(pkiDirectory: root + "/pki-main")
        clientIdentities = [
            try BridgeTLS(pkiDirectory: root + "/pki-node1").clientContext,
            tls.clientContext,
            try Self.clientContext(certificateFolder: root + "/pki-other", trusting: root + "/ca"),
            try Self.clientContext(certificateFolder: nil, trusting: root + "/ca"),
        ]

        try seedTemplate()
        try resetWork()
    }

    /// A TLS client with the node certificate in `certificateFolder` (none when nil), trusting the CA in `caFolder`.
    private static func clientContext(certificateFolder: String?, trusting caFolder: String) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let folder = certificateFolder {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(NodeCredentials.certificatePath(in: folder)).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: NodeCredentials.keyPath(in: folder), format: .pem))
        }
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(CertificateAuthority.certificatePath(in: caFolder)))
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: configuration)
    }

    private func configuration(stateDirectory: String) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        configuration.stateDirectory = stateDirectory
        configuration.pkiDirectory = root + "/pki-main"
        configuration.socketPath = root + "/testbedd.sock"
        configuration.readOnlySocketPath = root + "/testbedd-ro.sock"
        configuration.socketGroup = ""
        configuration.orchestrator = root + "/no-orchestrator"
        configuration.cancelGrace = 1
        return configuration
    }

    /// Two deployments (`lab1`, owned by uid 1000; `web`, by root), a failed
    /// action of `web`, and the main's host.json and cluster entry. They are
    /// made in the served folder (records hold absolute paths), then kept as the template.
    private func seedTemplate() throws {
        let operatorUID: UInt32 = getuid() == 0 ? 1000 : getuid()
        for (name, owner) in [("lab1", operatorUID), ("web", getuid())] {
            let project = root + "/projects/" + name
            try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: project + "/kvm-compose.yaml", contents: Data("machines: []\n".utf8))
            chmod(project, 0o755)
            if getuid() == 0 {
                chown(project, owner, owner)
                chown(project + "/kvm-compose.yaml", owner, owner)
            }
        }
        let parts = try open(stateDirectory: work)
        _ = try parts.registry.create(name: "lab1", projectLocation: root + "/projects/lab1", owner: operatorUID)
        _ = try parts.registry.create(name: "web", projectLocation: root + "/projects/web", owner: getuid())
        _ = try parts.supervisor.start(.down, on: "web", by: PeerCredentials(pid: 1, uid: getuid(), gid: getgid()))
        parts.node.prepare()
        try waitUntilIdle(parts.supervisor)
        try FileManager.default.copyItem(atPath: work, toPath: template)
    }

    /// The served parts over `stateDirectory`.
    private func open(stateDirectory: String) throws -> (registry: DeploymentRegistry, supervisor: ActionSupervisor, node: ClusterNode, services: DaemonServices) {
        let configuration = configuration(stateDirectory: stateDirectory)
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let registry = try DeploymentRegistry(store: try FileDeploymentStore(stateDirectory: stateDirectory))
        let supervisor = try ActionSupervisor(
            registry: registry, launcher: RefusingLauncher(), watcher: watcher, configuration: configuration,
            blockingPool: blockingPool, logger: logger)
        let node = ClusterNode(
            mode: .main, registry: try ClusterRegistry(folder: stateDirectory + "/config"), tls: tls, bridgeAddress: nil,
            bridgeRequested: false, configuration: configuration, blockingPool: blockingPool, logger: logger)
        let services = DaemonServices(
            configuration: configuration, registry: registry, supervisor: supervisor,
            statistics: ServerStatistics(), blockingPool: blockingPool, socketActivated: false, cluster: node, logger: logger)
        return (registry, supervisor, node, services)
    }

    /// Makes the served folder a fresh copy of the template, and the parts over it.
    private func resetWork() throws {
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.copyItem(atPath: template, toPath: work)
        let parts = try open(stateDirectory: work)
        services = parts.services
        daemonTable = .daemon(services: parts.services)
        workFingerprint = fingerprint()
    }

    /// Call before each input: waits until the last input's work is done, and
    /// starts again from the template if it changed anything on disk.
    func prepare() throws {
        try waitUntilIdle(services.supervisor)
        if fingerprint() != workFingerprint { try resetWork() }
    }

    /// Every file of the served folder with its size and modification time.
    private func fingerprint() -> [String] {
        var entries: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: work) else { return entries }
        while let path = walker.nextObject() as? String {
            var info = stat()
            guard lstat(work + "/" + path, &info) == 0 else { continue }
            entries.append("\(path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
        }
        return entries.sorted()
    }

    /// Waits until no action runs and the blocking pool has done all it was given.
    private func waitUntilIdle(_ supervisor: ActionSupervisor) throws {
        let deadline = NIODeadline.now() + .seconds(20)
        while true {
            // One thread: once this runs, everything queued before it has run.
            try blockingPool.runIfActive(eventLoop: loop) {}.wait()
            if supervisor.runningCount == 0 { return }
            guard NIODeadline.now() < deadline else {
                preconditionFailure("an action of the fuzzer's daemon was still running 20 s after its input ended")
            }
            usleep(1000)
        }
    }

    deinit {
        // Without waiting: the last reference may go on the event loop itself.
        blockingPool.shutdownGracefully { _ in }
        group.shutdownGracefully { _ in }
        try? FileManager.default.removeItem(atPath: root)
    }
}
