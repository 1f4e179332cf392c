import Foundation
import Logging
import NIOCore
import NIOPosix
import TestbedPKI
import TestbedProtocol

/// This host's part in the cluster. On the main: membership (join, heartbeat,
/// leave, evict) and the health checks of every member. On a client: the link
/// to the main (join, heartbeats, rejoin when it comes back) and the OVN
/// remote it hands out. Files go through the `ClusterRegistry`; each state
/// change is logged once, when it happens.
public final class ClusterNode: Sendable {
    public let mode: ClusterMode
    public let registry: ClusterRegistry
    /// This node's bridge identity; nil when its certificate cannot be loaded (a problem says why).
    public let tls: BridgeTLS?
    /// Where the bridge listens, when it does.
    public let bridgeAddress: BridgeAddress?
    /// A bridge was asked for (configured, or passed by systemd), even if it is off.
    let bridgeRequested: Bool
    let configuration: DaemonConfiguration
    let blockingPool: NIOThreadPool
    let logger: Logger
    let dialer: BridgeDialer?

    /// A client's link to its main.
    struct Link: Sendable {
        var joined = false
        var everJoined = false
        var reachable = false
        var lastContact: Date?
        var lastError: String?
        var ovnRemote: String?
        var ovnRemoteError: String?
        /// The remote ovs-vsctl last applied successfully.
        var appliedRemote: String?
        /// Bumped by each change of host.json: a join that sent an older one does not count.
        var hostGeneration = 0
    }

    let link = Locked(Link())
    /// The bridge's connections, so an evicted member's can be closed.
    let connections = BridgeConnections()

    init(
        mode: ClusterMode, registry: ClusterRegistry, tls: BridgeTLS?, bridgeAddress: BridgeAddress?, bridgeRequested: Bool,
        configuration: DaemonConfiguration, blockingPool: NIOThreadPool, logger: Logger
    ) {
        self.bridgeRequested = bridgeRequested
        self.mode = mode
        self.registry = registry
        self.tls = tls
        self.bridgeAddress = bridgeAddress
        self.configuration = configuration
        self.blockingPool = blockingPool
        self.logger = logger
        let timeout = TimeAmount.milliseconds(Int64(max(1, min(configuration.heartbeatInterval, 10)) * 1000))
        self.dialer = tls.map { BridgeDialer(tls: $0, isRevoked: { [registry] in registry.isRevoked(serial: $0) }, timeout: timeout, logger: logger) }
    }

    /// This host's chassis: its certificate's, else its host.json's.
    public var chassis: String? { tls?.chassis.value ?? registry.host?.ovn.chassisName }

    var isMain: Bool { if case .main = mode { true } else { false } }

    /// Whether this node has duties that keep the daemon running (it never
    /// idle-exits then): a client, or a node asked to open a bridge, even one
    /// whose credentials do not load (an idle exit would only make systemd start it again).
    public var hasDuties: Bool { !isMain || bridgeRequested }

    // MARK: Status

    public func status() -> ClusterStatus {
        let members: [MemberStatus] = isMain ? registry.members().map { member in
            let own = member.chassis == chassis
            return MemberStatus(
                chassis: member.chassis, address: own ? "" : member.record?.address ?? "",
                lastSeen: own ? nil : member.health.lastSeen, misses: member.health.misses,
                state: own ? "self" : member.health.misses > 0 ? "missing" : member.health.lastSeen == nil ? "unchecked" : "healthy")
        } : []
        var main: MainLinkStatus?
        if case .client(let address) = mode {
            let link = self.link.withLock { $0 }
            main = MainLinkStatus(
                address: address.description, chassis: configuration.mainChassis, reachable: link.reachable,
                joined: link.joined, lastContact: link.lastContact, lastError: link.lastError,
                ovnRemote: link.ovnRemote, ovnRemoteError: link.ovnRemoteError)
        }
        return ClusterStatus(
            mode: mode.name, chassis: chassis, bridge: bridgeAddress?.description, members: members, main: main,
            problems: problems, certificateExpires: tls?.notValidAfter)
    }

    /// How long before its certificate expires a node starts to say so.
    static let expiryWarning: TimeInterval = 30 * 86400

    /// The cluster's problems: the registry's, and a certificate about to expire.
    public var problems: [String] {
        var problems = registry.problems
        if let tls, tls.notValidAfter.timeIntervalSinceNow < Self.expiryWarning {
            let days = Int(max(0, tls.notValidAfter.timeIntervalSinceNow) / 86400)
            problems.append("this node's certificate (\(configuration.pkiDirectory)/node.pem) expires in \(days) days, on \(tls.notValidAfter); issue a new one")
        }
        return problems
    }

    /// On a client, whether the main answered the last check.
    public var mainReachable: Bool? {
        if case .client = mode { return link.withLock { $0.reachable } }
        return nil
    }

    // MARK: Start-up

    /// Checks the host description against the certificate, makes one when
    /// there is none, and on the main writes its own entry into the cluster.
    func prepare() {
        // A first host.json only where there is none: an unreadable one is reported, never replaced.
        if let tls, !FileManager.default.fileExists(atPath: registry.hostPath) {
            // The bridge's own address when it names one; else this host's first
            // IPv4 address; loopback only when there is nothing else.
            let listening = bridgeAddress.flatMap { IPAddress.isUnspecified($0.host) ? nil : $0.host }
            let host = HostDescription(
                ip: listening ?? IPAddress.primary() ?? "127.0.0.1",
                user: "root", identityFile: "/root/.ssh/id_ed25519", testbedNic: "", mainInterface: "",
                isMainHost: isMain, ovn: .init(chassisName: tls.chassis.value))
            do {
                try registry.setHost(host, isMain: false)
                logger.notice("wrote a first \(registry.hostPath) for chassis \(tls.chassis); review it with testbedctl config get host and set it with testbedctl config set host FILE")
            } catch {
                registry.setProblem("host.json", "cannot write \(registry.hostPath): \(error)")
            }
        }
        if let tls, let host = registry.host, host.ovn.chassisName != tls.chassis.value {
            registry.setProblem("chassis", "host.json names chassis \(host.ovn.chassisName) but this node's certificate names \(tls.chassis); make them agree")
        }
        if isMain {
            do { try registry.ensureOwnEntry() } catch {
                registry.setProblem("own-entry", "cannot write this host's entry into \(registry.clusterPath): \(error)")
            }
        }
        for problem in registry.problems { logger.error("cluster: \(problem)") }
    }

    /// Runs blocking registry work on the blocking pool.
    func offload<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await blockingPool.runIfActive(work)
    }
}

extension ClusterNode {
    /// `config.set host`: writes host.json; on the main its own cluster entry
    /// follows, on a client the next check sends it to the main. Blocks on disk.
    func setHost(_ host: HostDescription) throws {
        var host = host
        host.isMainHost = isMain
        try registry.setHost(host, isMain: isMain)
        registry.setProblem("chassis", nil)
        if !isMain {
            link.withLock { link in
                link.joined = false
                link.hostGeneration += 1
            }
        }
        logger.notice("cluster: host.json updated", metadata: ["chassis": "\(host.ovn.chassisName)"])
    }
}
