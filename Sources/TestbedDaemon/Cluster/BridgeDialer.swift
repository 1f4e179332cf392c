import Logging
import NIOCore
import NIOPosix
import NIOSSL
import TestbedProtocol

/// Calls a peer's bridge: a TCP connection, mutual TLS, the peer's
/// certificate checked to name the chassis expected, one call, closed. The
/// whole exchange is bounded by `timeout`.
struct BridgeDialer: Sendable {
    let tls: BridgeTLS
    let isRevoked: @Sendable (String) -> Bool
    let timeout: TimeAmount
    let logger: Logger

    func call<P: Encodable & Sendable, R: Decodable & Sendable>(
        _ address: BridgeAddress, expecting chassis: String, _ method: String, params: P, as type: R.Type = R.self
    ) async throws -> R {
        let tls = self.tls, isRevoked = self.isRevoked, logger = self.logger, timeout = self.timeout
        let connection = try await RPCConnection.connect(
            host: address.host, port: address.port, connectTimeout: timeout
        ) { channel in
            let verified = channel.eventLoop.makePromise(of: VerifiedPeer.self)
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls.clientContext, serverHostname: chassis))
            try channel.pipeline.syncOperations.addHandler(
                PeerCertificateGate(
                    expecting: chassis, isRevoked: isRevoked, verified: verified, logger: logger, handshakeTimeout: timeout))
            return verified.futureResult.map { _ in }
        }
        let deadline = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: timeout) { connection.abort() }
        defer {
            deadline.cancel()
            connection.abort()
        }
        return try await connection.call(method, params: params, as: R.self)
    }
}
