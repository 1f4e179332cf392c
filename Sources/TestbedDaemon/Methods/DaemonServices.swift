import Logging
import NIOPosix

/// The long-lived parts the methods work with, built once at start-up.
public struct DaemonServices: Sendable {
    public let configuration: DaemonConfiguration
    public let registry: DeploymentRegistry
    public let supervisor: ActionSupervisor
    public let statistics: ServerStatistics
    /// Threads for blocking work (disk writes), so event loops never wait on a disk.
    public let blockingPool: NIOThreadPool
    /// Threads for log followers' reads, so that many followers never delay a disk write.
    public let logPool: NIOThreadPool
    /// The thread that finds where a log is to start (`tail`, `since`), so
    /// that those searches never delay a follower.
    public let scanPool: NIOThreadPool
    public let socketActivated: Bool
    /// This host's part in the cluster.
    public let cluster: ClusterNode
    public let logger: Logger
    /// Counted requests, actions and log traffic (`server.metrics`).
    public let metrics: DaemonMetrics

    public init(
        configuration: DaemonConfiguration, registry: DeploymentRegistry, supervisor: ActionSupervisor,
        statistics: ServerStatistics,
        blockingPool: NIOThreadPool, logPool: NIOThreadPool? = nil, scanPool: NIOThreadPool? = nil, socketActivated: Bool, cluster: ClusterNode, logger: Logger,
        metrics: DaemonMetrics = DaemonMetrics()
    ) {
        self.metrics = metrics
        self.cluster = cluster
        self.configuration = configuration
        self.registry = registry
        self.supervisor = supervisor
        self.statistics = statistics
        self.blockingPool = blockingPool
        self.logPool = logPool ?? blockingPool
        self.scanPool = scanPool ?? logPool ?? blockingPool
        self.socketActivated = socketActivated
        self.logger = logger
    }

    /// Runs blocking `work` on the blocking pool; the reply completes on the caller's loop.
    func blocking<R: Sendable>(
        _ context: RequestContext, _ work: @escaping @Sendable () throws -> R
    ) -> MethodReply<R> {
        .later(blockingPool.runIfActive(eventLoop: context.eventLoop, work))
    }

    /// Logs a mutating call with who made it, for the audit trail.
    func audit(_ context: RequestContext, deployment: String, _ message: Logger.Message) {
        logger.info(message, metadata: [
            "method": "\(context.method.name)", "deployment": "\(deployment)",
            "uid": "\(context.peer.uid)", "pid": "\(context.peer.pid)", "role": "\(context.caller.role.rawValue)",
        ])
    }
}
