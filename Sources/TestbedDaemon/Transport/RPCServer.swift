import Logging
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL
import ServiceLifecycle
import TestbedProtocol

/// Accepts connections on the daemon's listeners and serves each with a
/// `ConnectionHandler`. Every listener and every connection lives in a task of
/// a structured task group, so shutdown is the group ending: stop accepting,
/// let each connection finish its requests, return.
public final class RPCServer: Service {
    private let makeListeners: @Sendable () throws -> [Listener]
    private let methods: MethodTable
    private let authorizer: Authorizer
    private var policy: AccessPolicy { authorizer.policy }
    private let maxFrameBytes: Int
    private let limits: ConnectionLimits
    /// Who may connect: the caps on connections per uid, on the read-only socket, and in all.
    let admission: ConnectionAdmission
    /// The output queued for all connections together.
    let budget: OutputBudget
    private let statistics: ServerStatistics
    private let group: any EventLoopGroup
    private let logger: Logger
    private let onReady: @Sendable () -> Void
    private let onStopping: @Sendable () -> Void
    /// One quiescing helper per listener (a helper serves one server channel):
    /// each closes its listener and tells its connections when the daemon stops.
    private let quiescing = Locked<[ServerQuiescingHelper]>([])
    /// What streams are ended with when the daemon stops: what becomes of running actions.
    private let shutdownNotice: String
    private let bridge: Bridge?

    /// What the bridge listener needs: TLS with this node's credentials and
    /// the revocation check. (Which methods it serves, their descriptors say.)
    public struct Bridge: Sendable {
        let tls: BridgeTLS
        let isRevoked: @Sendable (String) -> Bool
        let connections: BridgeConnections
    }


    /// `makeListeners` runs when the service starts, after the service group
    /// traps SIGTERM and SIGINT: a client that connects can then count on a
    /// graceful shutdown, however early it connects.
    public init(
        makeListeners: @escaping @Sendable () throws -> [Listener], methods: MethodTable, authorizer: Authorizer,
        maxFrameBytes: Int,
        limits: ConnectionLimits = ConnectionLimits(), descriptorLimit: Int = DescriptorLimit.current,
        actionsGoOnAtShutdown: Bool = false, statistics: ServerStatistics,
        group: any EventLoopGroup, logger: Logger, bridge: Bridge? = nil,
        onReady: @escaping @Sendable () -> Void, onStopping: @escaping @Sendable () -> Void
    ) {
        self.bridge = bridge
        self.onStopping = onStopping
        self.makeListeners = makeListeners
        self.methods = methods
        self.authorizer = authorizer
        self.maxFrameBytes = maxFrameBytes
        self.limits = limits
        self.shutdownNotice = actionsGoOnAtShutdown
            ? ConnectionHandler.ShutdownNotice.actionsGoOn : ConnectionHandler.ShutdownNotice.cancellingActions
        self.admission = ConnectionAdmission(limits: limits, descriptorLimit: descriptorLimit)
        self.budget = OutputBudget(limit: limits.outputBytes)
        self.statistics = statistics
        self.group = group
        self.logger = logger
        self.onReady = onReady
    }

    public func run() async throws {
        let listeners = try makeListeners()
        var bound: [NIOAsyncChannel<Connection, Never>] = []
        for listener in listeners {
            bound.append(try await bind(listener))
        }
        let servers = bound
        defer {
            for listener in listeners { listener.ownedSocketFile?.remove() }
        }
        onReady()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for server in servers {
                    group.addTask { try await self.accept(on: server) }
                }
            }
        } onGracefulShutdown: {
            self.onStopping()
            // Closes the listeners and tells each connection to finish its
            // requests and close; each has shutdown_timeout to flush its answers
            // (`ShutdownDeadline`), so a client that does not read cannot hold
            // the daemon up longer than that.
            for helper in self.quiescing.withLock({ $0 }) { helper.initiateShutdown(promise: nil) }
        }
        logger.info("all connections closed")
    }

    /// A connection accepted on a listener, with the credentials of its peer
    /// and its place under the connection caps (nil: refused, or the bridge's).
    struct Connection: Sendable {
        let channel: any Channel
        let peer: PeerCredentials
        var ticket: ConnectionAdmission.Ticket? = nil
    }

    /// The handlers of a connection once its caller is known, on every
    /// listener: idle detection, framing with the frame clock, and the
    /// connection's requests. The fuzzers build the same pipeline from here.
    static func servingHandlers(
        methods: MethodTable, caller: Caller, authorizer: Authorizer, maxFrameBytes: Int,
        bounds: ConnectionHandler.Bounds, idleTimeout: TimeAmount, logger: Logger,
        shutdownNotice: String = ConnectionHandler.ShutdownNotice.cancellingActions
    ) -> [any ChannelHandler] {
        [
            IdleStateHandler(allTimeout: idleTimeout),
            ByteToMessageHandler(ServerFrameDecoder(maxFrameBytes: maxFrameBytes)),
            FrameEncoder(),
            ConnectionHandler(
                methods: methods, caller: caller, authorizer: authorizer, logger: logger, bounds: bounds,
                shutdownNotice: shutdownNotice),
        ]
    }

    /// A listening bootstrap on the daemon's event loops. Each listener rests
    /// a moment when accepting fails for want of descriptors (`ListenerPause`),
    /// and its connections are known to a quiescing helper of its own; each
    /// connection starts with its `ShutdownDeadline`.
    private func serverBootstrap() -> ServerBootstrap {
        let logger = self.logger
        let quiescing = ServerQuiescingHelper(group: group)
        self.quiescing.withLock { $0.append(quiescing) }
        let deadline = ConnectionLimits.timeAmount(limits.shutdownTimeout)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ListenerPause(logger: logger), quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ShutdownDeadline(timeout: deadline))
                }
            }
    }

    private func bind(_ listener: Listener) async throws -> NIOAsyncChannel<Connection, Never> {
        if listener.kind == .bridge {
            guard let bridge else { return try await bindRefusing(listener) }
            return try await bindBridge(listener, bridge)
        }
        let methods = self.methods
        let authorizer = self.authorizer
        let policy = authorizer.policy
        // An unknown name is refused at start-up; were one to get here, it would only let callers look.
        let kind = listener.kind ?? .readOnly
        let maxFrameBytes = self.maxFrameBytes
        let logger = self.logger
        let admission = self.admission
        let shutdownNotice = self.shutdownNotice
        let idleTimeout = ConnectionLimits.timeAmount(limits.idleTimeout)
        let privilegedBounds = limits.connectionBounds(budget: budget, privileged: true)
        let unprivilegedBounds = limits.connectionBounds(budget: budget, privileged: false)
        return try await serverBootstrap()
            // A client may send its requests and shut down its writing side; it still gets every answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // One read (at most 64 KiB) per wake-up: what a client that does not
            // read its answers can make the daemon buffer stays small.
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .bind(listener.fd) { channel in
                PeerCredentials.of(channel, withStartTime: policy.usesPolkit).flatMapThrowing { peer in
                    let privileged = policy.isAdministrator(peer)
                    let applicant = ConnectionAdmission.Applicant(uid: peer.uid, readOnly: kind == .readOnly, privileged: privileged)
                    let ticket: ConnectionAdmission.Ticket
                    switch admission.admit(applicant) {
                    case .success(let admitted):
                        ticket = admitted
                    case .failure(let refusal):
                        Self.logConnectionRefusal(refusal, peer: peer, listener: listener.name, logger: logger)
                        try channel.pipeline.syncOperations.addHandlers([
                            FrameEncoder(), ClosingHandler(refusal: refusal),
                        ])
                        return Connection(channel: channel, peer: peer)
                    }
                    let caller = Caller(peer: peer, listener: kind, role: policy.role(of: peer, on: kind))
                    try channel.pipeline.syncOperations.addHandlers(Self.servingHandlers(
                        methods: methods, caller: caller, authorizer: authorizer, maxFrameBytes: maxFrameBytes,
                        bounds: privileged ? privilegedBounds : unprivilegedBounds, idleTimeout: idleTimeout, logger: logger,
                        shutdownNotice: shutdownNotice))
                    return Connection(channel: channel, peer: peer, ticket: ticket)
                }
            }
    }

    /// Bridge connections, each admitted by `BridgeAdmission` (Cluster/):
    /// served only once its peer is verified.
    private func bindBridge(_ listener: Listener, _ bridge: Bridge) async throws -> NIOAsyncChannel<Connection, Never> {
        let methods = self.methods
        let authorizer = self.authorizer
        let maxFrameBytes = min(self.maxFrameBytes, FrameDecoder.defaultMaxFrameBytes)
        let logger = self.logger
        let peerBounds = limits.connectionBounds(budget: budget, privileged: false, maxInFlight: BridgeAdmission.maxInFlight)
        let admission = BridgeAdmission(
            serverContext: bridge.tls.serverContext, isRevoked: bridge.isRevoked, connections: bridge.connections, logger: logger
        ) { caller in
            Self.servingHandlers(
                methods: methods, caller: caller, authorizer: authorizer, maxFrameBytes: maxFrameBytes,
                bounds: peerBounds, idleTimeout: BridgeAdmission.idleTimeout, logger: logger)
        }
        return try await serverBootstrap()
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(listener.fd) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let remote = channel.remoteAddress?.ipAddress.flatMap(IPAddress.canonical) ?? "?"
                    try admission.admit(channel, from: remote)
                    return Connection(channel: channel, peer: Caller.bridgePeerCredentials)
                }
            }
    }

    /// A bridge socket systemd passed while the bridge is off (its credentials do
    /// not load): each peer is closed at once, rather than left to time out.
    private func bindRefusing(_ listener: Listener) async throws -> NIOAsyncChannel<Connection, Never> {
        try await serverBootstrap()
            .bind(listener.fd) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClosingHandler())
                    return Connection(channel: channel, peer: Caller.bridgePeerCredentials)
                }
            }
    }

    /// A refused connection is logged, at most 20 a minute with how many were
    /// refused meanwhile: a client retrying in a loop cannot flood the journal.
    private static func logConnectionRefusal(_ refusal: RPCError, peer: PeerCredentials, listener: String, logger: Logger) {
        refusalLog.record { suppressed in
            logger.notice("refused a connection: \(refusal.message)", metadata: [
                "uid": "\(peer.uid)", "pid": "\(peer.pid)", "socket": "\(listener)", "not_logged_since_last": "\(suppressed)",
            ])
        }
    }

    private static let refusalLog = RateLimitedLog(linesPerWindow: 20, window: .minutes(1))

    private func accept(on server: NIOAsyncChannel<Connection, Never>) async throws {
        try await server.executeThenClose { inbound in
            await withDiscardingTaskGroup { group in
                do {
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                } catch {
                    // An accept error ends this listener; the connections it accepted finish first.
                    logger.error("stopped accepting connections", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    private func serve(_ connection: Connection) async {
        statistics.connectionOpened()
        logger.debug("connection opened", metadata: ["uid": "\(connection.peer.uid)", "pid": "\(connection.peer.pid)"])
        try? await connection.channel.closeFuture.get()
        if let ticket = connection.ticket { admission.release(ticket) }
        statistics.connectionClosed()
        logger.debug("connection closed", metadata: ["uid": "\(connection.peer.uid)", "pid": "\(connection.peer.pid)"])
    }
}
