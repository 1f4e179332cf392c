import Foundation
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

    func call<P, R>(
        _ address: BridgeAddress, expecting chassis: String, _ method: MethodDescriptor<P, R>, params: P
    ) async throws -> R {
        do {
            return try await exchange(address, expecting: chassis, method.name, params: params, as: R.self)
        } catch let error as RPCError {
            throw error
        } catch {
            throw BridgeError(Self.describe(error, address: address, timeout: timeout))
        }
    }

    private func exchange<P: Encodable & Sendable, R: Decodable & Sendable>(
        _ address: BridgeAddress, expecting chassis: String, _ method: String, params: P, as type: R.Type
    ) async throws -> R {
        let tls = self.tls, isRevoked = self.isRevoked, logger = self.logger, timeout = self.timeout
        // One deadline for the whole exchange: the gate's timer starts before the
        // connection does and covers connect and handshake; the call gets what is left.
        let deadline = NIODeadline.now() + timeout
        let connection = try await RPCConnection.connect(
            host: address.host, port: address.port, connectTimeout: timeout
        ) { channel in
            let verified = channel.eventLoop.makePromise(of: VerifiedPeer.self)
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls.clientContext, serverHostname: nil))
            try channel.pipeline.syncOperations.addHandler(
                PeerCertificateGate(
                    expecting: chassis, isRevoked: isRevoked, verified: verified, logger: logger, handshakeTimeout: timeout))
            return verified.futureResult.map { _ in }
        }
        let expiry = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(deadline: deadline) { connection.abort() }
        defer {
            expiry.cancel()
            connection.abort()
        }
        return try await connection.call(method, params: params, as: R.self)
    }
}

extension BridgeDialer {
    /// One sentence for a failed exchange, without NIO's type names.
    static func describe(_ error: any Error, address: BridgeAddress, timeout: TimeAmount) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error, address: address, timeout: timeout) }
            return "cannot connect to \(address)"
        case let error as IOError:
            return "cannot connect to \(address): \(String(cString: strerror(error.errnoCode)))"
        case ChannelError.connectTimeout:
            return "no connection to \(address) within \(Double(timeout.nanoseconds) / 1e9) s"
        case RPCConnectionError.closed:
            return "\(address) closed the connection without answering (did it refuse this node's certificate, or time out?)"
        case is NIOSSLError, is BoringSSLError:
            return "TLS with \(address) failed: \(TLSFailure.describe(error))"
        default:
            return "\(error)"
        }
    }
}
