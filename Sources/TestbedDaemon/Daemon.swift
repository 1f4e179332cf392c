#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The daemon assembled from its configuration: the store, the listeners, the
/// RPC server, and systemd glue, run until SIGTERM or SIGINT.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let logger: Logger
    /// This daemon's metrics; `testbedd` bootstraps the global MetricsSystem with their factory.
    public let metrics: DaemonMetrics
    private let onReady: @Sendable () -> Void

    /// `onReady` runs once the daemon serves its sockets.
    public init(
        configuration: DaemonConfiguration, logger: Logger, metrics: DaemonMetrics = DaemonMetrics(),
        onReady: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.onReady = onReady
    }

    /// Asks polkit for a caller's role on the bus pool: admin, operator, or none.
    static func polkitAuthorizer(
        pool: NIOThreadPool, logger: Logger
    ) -> Authorizer.AskPolkit {
        let authority = PolkitAuthority()
        return { peer, loop in
            pool.runIfActive(eventLoop: loop) {
                if try authority.isAuthorized(peer, for: PolkitAuthority.adminAction) { return .admin }
                if try authority.isAuthorized(peer, for: PolkitAuthority.manageAction) { return .operator }
                return nil
            }
        }
    }

    /// Under systemd each action runs as its own unit; otherwise as a child process.
    static func launcher(_ logger: Logger) -> any ActionLauncher {
        if SystemdUnitLauncher.applies {
            logger.info("actions run as transient systemd units (testbed-action-ID.service)")
            return SystemdUnitLauncher()
        }
        return ChildProcessLauncher()
    }

    /// The cluster side of the daemon: its mode (saved to mode.json when given
    /// explicitly), its files, and its bridge credentials when it needs them.
    static func clusterNode(
        configuration: DaemonConfiguration, bridgeAddress: BridgeAddress?, blockingPool: NIOThreadPool, events: EventHub,
        logger: Logger
    ) throws -> ClusterNode {
        let registry = try ClusterRegistry(folder: configuration.stateDirectory + "/config", events: events)
        let mode: ClusterMode
        if let explicit = configuration.mode {
            mode = explicit
            if (try? ModeFile.read(registry.modePath)) != explicit {
                try ModeFile.write(explicit, to: registry.modePath)
                logger.notice("cluster mode \(explicit) saved to \(registry.modePath)")
            }
        } else {
            do {
                mode = try ModeFile.read(registry.modePath) ?? .main
            } catch {
                throw ConfigurationError("\(error); start testbedd with an explicit mode (testbedd main, or testbedd client --main HOST) to rewrite it")
            }
        }
        if case .client = mode {
            guard bridgeAddress != nil else {
                throw ConfigurationError("client mode needs the bridge (bridge_listen = \"HOST:PORT\" or testbedd-bridge.socket): the main checks this host through it")
            }
            guard !configuration.mainChassis.isEmpty else {
                throw ConfigurationError("client mode needs main_chassis (--main-chassis): the chassis the main's certificate must name")
            }
        }
        // Without valid credentials the bridge stays off, the daemon still serves
        // its local users, and the problem is reported: never a restart loop.
        var tls: BridgeTLS?
        var tlsProblem: String?
        if bridgeAddress != nil {
            do {
                tls = try BridgeTLS(pkiDirectory: configuration.pkiDirectory)
            } catch {
                tlsProblem = "the bridge is off: \(error)"
                logger.error("cluster: the bridge is off: \(error)")
            }
        }
        let node = ClusterNode(
            mode: mode, registry: registry, tls: tls, bridgeAddress: tls == nil ? nil : bridgeAddress,
            bridgeRequested: bridgeAddress != nil, configuration: configuration, blockingPool: blockingPool, logger: logger)
        registry.setProblem("bridge", tlsProblem)
        node.prepare()
        return node
    }

    /// Starts the daemon and returns when it has shut down.
    public func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let notifier = SystemdNotifier()
        let descriptors = DescriptorLimit.raiseToHardLimit()

        var passed = try SocketActivation.listeners()
        let activated = !passed.isEmpty
        try AtomicFile.makeFolder(configuration.stateDirectory, mode: 0o755)
        let store: any DeploymentStore = switch configuration.store {
        case .file: try FileDeploymentStore(stateDirectory: configuration.stateDirectory)
        case .sqlite: try SQLiteDeploymentStore(stateDirectory: configuration.stateDirectory)
        }
        let events = EventHub(capacity: configuration.eventsKept)
        let metrics = self.metrics
        events.observe { metrics.observe($0) }
        let registry = try DeploymentRegistry(store: TimedDeploymentStore(store, timer: metrics.storeWrites), events: events)
        for problem in registry.loadProblems {
            logger.error("store: \(problem)")
        }

        // Each kind of blocking work gets a pool of its own, so that none can
        // stall another: disk writes and sweeps; log followers' reads; D-Bus calls
        // to systemd; and polkit's questions (asked by anyone who can connect).
        let blockingPool = NIOThreadPool(numberOfThreads: 2)
        blockingPool.start()
        let logPool = NIOThreadPool(numberOfThreads: 2)
        logPool.start()
        let scanPool = NIOThreadPool(numberOfThreads: 1)
        scanPool.start()
        let busPool = NIOThreadPool(numberOfThreads: 2)
        busPool.start()
        let polkitPool = NIOThreadPool(numberOfThreads: configuration.auth == .polkit ? 2 : 1)
        polkitPool.start()
        let pools = [blockingPool, logPool, scanPool, busPool, polkitPool]

        if activated {
            let names = passed.map(\.name)
            if names.count == 1 && names[0] != "rw" && names[0] != "ro" {
                logger.notice("systemd passed one socket named \(names[0]); serving it as the read-write socket")
                passed[0].name = "rw"
            }
            if let unknown = passed.first(where: { !["rw", "ro", "bridge"].contains($0.name) }) {
                throw ListenerError("systemd passed a socket named \"\(unknown.name)\"; name them rw, ro or bridge with FileDescriptorName=")
            }
        }
        let socketGroup = AccessPolicy.resolveGroup(configuration.socketGroup)
        if !configuration.socketGroup.isEmpty && socketGroup == nil && !activated {
            logger.warning("group \(configuration.socketGroup) does not exist: \(configuration.socketPath) stays root-only until it is created (or socket_group is changed)")
        }
        if access(configuration.orchestrator, X_OK) != 0 {
            let reason = String(cString: strerror(errno))
            logger.warning("the orchestrator \(configuration.orchestrator) cannot be run (\(reason)): every action will fail until it is installed, or orchestrator = is set to another (docs/orchestrator.md)")
        }
        let adminGID = AccessPolicy.resolveGroup(configuration.adminGroup)
        let activatedListeners = passed
        let configuration = self.configuration
        let passedBridge = passed.first { $0.name == "bridge" }
        let activatedBridge = passedBridge != nil
        let bridgeAddress = passedBridge.map { TCPSocketBinder.localAddress(of: $0.fd) ?? BridgeAddress(host: "0.0.0.0") }
            ?? configuration.bridgeListen
        let cluster = try Self.clusterNode(
            configuration: configuration, bridgeAddress: bridgeAddress, blockingPool: blockingPool, events: registry.events,
            logger: logger)
        let bridgeServed = cluster.tls != nil
        let makeListeners: @Sendable () throws -> [Listener] = {
            if activated {
                // A bridge socket systemd passed is served even when the bridge is off
                // (each peer closed at once): systemd would hold it open regardless.
                guard !activatedBridge, bridgeServed, let address = configuration.bridgeListen else { return activatedListeners }
                return activatedListeners + [try TCPSocketBinder.bind(address)]
            }
            var listeners = [try UnixSocketBinder.bind(
                path: configuration.socketPath, mode: configuration.socketMode, group: socketGroup, name: "rw")]
            if !configuration.readOnlySocketPath.isEmpty {
                do {
                    listeners.append(try UnixSocketBinder.bind(path: configuration.readOnlySocketPath, mode: 0o666, name: "ro"))
                } catch {
                    listeners[0].ownedSocketFile?.remove()
                    close(listeners[0].fd)
                    throw error
                }
            }
            if bridgeServed, let address = configuration.bridgeListen {
                do {
                    listeners.append(try TCPSocketBinder.bind(address))
                } catch {
                    for listener in listeners {
                        listener.ownedSocketFile?.remove()
                        close(listener.fd)
                    }
                    throw error
                }
            }
            return listeners
        }
        let policy = AccessPolicy(
            adminGID: adminGID, readWriteSocket: configuration.socketPath, usesPolkit: configuration.auth == .polkit)

        let launcher = Self.launcher(logger)
        let supervisor = try ActionSupervisor(
            registry: registry, launcher: launcher, watcher: LogWatcher(),
            configuration: configuration, blockingPool: blockingPool, busPool: busPool, logger: logger)
        // Held back now; decided by ActionService once the daemon serves.
        supervisor.reserveUnfinished()

        let daemonServices = DaemonServices(
            configuration: configuration, registry: registry, supervisor: supervisor,
            statistics: ServerStatistics(),
            blockingPool: blockingPool, logPool: logPool, scanPool: scanPool, socketActivated: activated, cluster: cluster, logger: logger,
            metrics: metrics)
        let logger = self.logger
        let server = RPCServer(
            makeListeners: makeListeners,
            methods: .daemon(services: daemonServices),
            authorizer: Authorizer(
                policy: policy, askPolkit: Self.polkitAuthorizer(pool: polkitPool, logger: logger), logger: logger),
            maxFrameBytes: configuration.maxFrameBytes,
            limits: configuration.limits,
            descriptorLimit: descriptors,
            actionsGoOnAtShutdown: launcher.actionsSurviveTheDaemon,
            statistics: daemonServices.statistics,
            group: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            bridge: cluster.tls.map { tls in
                RPCServer.Bridge(
                    tls: tls,
                    isRevoked: { cluster.registry.isRevoked(serial: $0) }, connections: cluster.connections)
            },
            onReady: {
                let where_ = activated ? "sockets from systemd" : configuration.socketPath
                logger.info("testbedd \(DaemonVersion.current) ready", metadata: [
                    "listening": "\(where_)", "store": "\(store.kind.rawValue)",
                    "state_dir": "\(configuration.stateDirectory)", "deployments": "\(registry.count)",
                    "mode": "\(cluster.mode)", "bridge": "\(cluster.bridgeAddress?.description ?? "off")",
                    "chassis": "\(cluster.chassis ?? "-")",
                ])
                notifier.ready(status: "Serving \(registry.count) deployments")
                onReady()
                notifier.startWatchdog(on: MultiThreadedEventLoopGroup.singleton.next())
            },
            onStopping: {
                logger.info("shutting down: finishing in-flight requests")
                notifier.stopping()
            })
        logger.debug("connection limits", metadata: [
            "descriptors": "\(descriptors)", "max_connections": "\(server.admission.maxConnections)",
            "per_uid": "\(configuration.limits.maxConnectionsPerUID)", "ro": "\(configuration.limits.maxReadOnlyConnections)",
        ])
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ActionService(supervisor: supervisor, blockingPool: blockingPool, sweepInterval: .seconds(3600))),
            .init(service: MemoryTrimmer()),
            .init(service: server),
        ]
        if cluster.bridgeAddress != nil || !cluster.isMain {
            services.insert(.init(service: ClusterService(node: cluster)), at: 1)
        }
        if let path = configuration.metricsFile {
            services.insert(.init(service: MetricsFileWriter(
                path: path, interval: .milliseconds(Int64(configuration.metricsInterval * 1000)), pool: blockingPool,
                render: { ServerMethods.metricsText(daemonServices) }, logger: logger)), at: 1)
        }
        if let idle = configuration.idleTimeout {
            if cluster.hasDuties {
                logger.notice("this host has cluster duties (\(cluster.mode), bridge \(cluster.bridgeAddress?.description ?? "off")): it never exits when idle")
            } else if activated {
                let monitor = IdleMonitor(
                    timeout: .milliseconds(Int64(idle * 1000)), statistics: daemonServices.statistics, supervisor: supervisor,
                    onIdle: { logger.info("idle for \(idle)s: exiting; systemd keeps the sockets and starts testbedd again on demand") })
                services.append(.init(service: monitor, successTerminationBehavior: .gracefullyShutdownGroup))
            } else {
                logger.notice("idle_timeout applies only under socket activation (nothing would start testbedd again); ignoring it")
            }
        }
        let group = ServiceGroup(
            configuration: .init(
                // Stopped in reverse order: first the server (drain), then the actions.
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            for pool in pools { try? await pool.shutdownGracefully() }
            throw error
        }
        for pool in pools { try? await pool.shutdownGracefully() }
        logger.info("testbedd stopped")
    }
}
