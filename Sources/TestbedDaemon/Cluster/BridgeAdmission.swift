import Logging
import NIOCore
import NIOSSL
import TestbedProtocol

/// How the bridge admits a connection, from its channel initializer: a few
/// TLS handshakes at a time per address, TLS against the cluster CA, the
/// peer's certificate checked by `PeerCertificateGate`, the cap per chassis,
/// and only then the serving handlers, before any byte of the peer's reaches
/// them. `RPCServer` admits each bridge connection with it, and the bridge
/// fuzzer builds the same pipeline from here.
struct BridgeAdmission: Sendable {
    /// The server side of TLS: this node's certificate and the cluster CA.
    let serverContext: NIOSSLContext
    /// True for a certificate serial the cluster has revoked.
    let isRevoked: @Sendable (String) -> Bool
    let connections: BridgeConnections
    let logger: Logger
    /// The handlers that serve a verified peer (`RPCServer.servingHandlers`).
    let servingHandlers: @Sendable (Caller) -> [any ChannelHandler]

    /// Requests one bridge connection may have in flight: peers make one call per connection.
    static let maxInFlight = 8
    /// A bridge connection with no traffic either way for this long is closed.
    static let idleTimeout = TimeAmount.seconds(60)

    /// Adds the admission to `channel`, which is not registered yet (the
    /// handshake cannot be waited for here): the gate adds the serving handlers
    /// once the peer is verified. `remote` is the peer's canonical address;
    /// `observer`, if given, sits just above TLS (the fuzzer's probe).
    func admit(_ channel: any Channel, from remote: String, observer: (any ChannelHandler)? = nil) throws {
        let operations = channel.pipeline.syncOperations
        guard connections.beginHandshake(from: remote) else {
            connections.logRefusal(from: remote, "too many TLS handshakes in progress", logger: logger)
            // Closed once active: a failed initializer would leave the connection open.
            try operations.addHandler(ClosingHandler())
            return
        }
        let verified = channel.eventLoop.makePromise(of: VerifiedPeer.self)
        let (connections, logger, servingHandlers) = (self.connections, self.logger, self.servingHandlers)
        verified.futureResult.whenComplete { outcome in
            connections.endHandshake(from: remote)
            guard case .success(let peer) = outcome else { return }
            guard connections.admit(channel, as: peer.chassis) else {
                logger.notice("bridge: \(peer.chassis) already holds \(BridgeConnections.maxPerChassis) connections; closed one more from \(remote)")
                channel.close(promise: nil)
                return
            }
            do {
                try channel.pipeline.syncOperations.addHandlers(servingHandlers(Caller.bridge(peer, remoteAddress: remote)))
                logger.debug("bridge: peer verified", metadata: ["chassis": "\(peer.chassis)", "remote": "\(remote)"])
            } catch {
                channel.close(promise: nil)
            }
        }
        do {
            try operations.addHandler(NIOSSLServerHandler(context: serverContext))
            if let observer { try operations.addHandler(observer) }
            try operations.addHandler(PeerCertificateGate(
                expecting: nil, isRevoked: isRevoked, verified: verified, logger: logger,
                handshakeTimeout: PeerCertificateGate.handshakeTimeout, connections: connections))
        } catch {
            // The gate owns the promise once added; before that, it is failed here (which frees the slot).
            verified.fail(error)
            try operations.addHandler(ClosingHandler())
        }
    }
}
