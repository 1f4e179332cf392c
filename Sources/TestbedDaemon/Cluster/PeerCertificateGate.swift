import Logging
import NIOCore
import NIOSSL
import NIOTLS
import TestbedPKI
import X509

/// Sits behind the TLS handler on every bridge connection, both ways. TLS has
/// checked the chain against the cluster CA and the validity dates; once the
/// handshake completes this checks what TLS does not: the certificate names
/// one chassis (as its common name and its DNS name), allows both server and
/// client authentication, is not revoked and, when dialing, names the chassis
/// expected. Nothing passes before that, and a connection that does not
/// complete it in time is closed.
final class PeerCertificateGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// How long a peer dialing in has to complete the handshake.
    static let handshakeTimeout = TimeAmount.seconds(5)

    private let expected: String?
    private let isRevoked: @Sendable (String) -> Bool
    private let verified: EventLoopPromise<VerifiedPeer>
    private let logger: Logger
    /// Serving: the bridge's connections, whose refusal log rate applies. Nil when dialing.
    private let connections: BridgeConnections?
    private var passed = false
    private var settled = false
    private var timeout: Scheduled<Void>?
    private let handshakeTimeout: TimeAmount

    init(
        expecting expected: String?, isRevoked: @escaping @Sendable (String) -> Bool,
        verified: EventLoopPromise<VerifiedPeer>, logger: Logger, handshakeTimeout: TimeAmount,
        connections: BridgeConnections? = nil
    ) {
        self.handshakeTimeout = handshakeTimeout
        self.connections = connections
        self.expected = expected
        self.isRevoked = isRevoked
        self.verified = verified
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let limit = handshakeTimeout
        timeout = context.eventLoop.scheduleTask(in: limit) {
            let (gate, context) = loopBound.value
            gate.refuse(PKIError("the peer did not complete the TLS handshake within \(Double(limit.nanoseconds) / 1e9) s"), context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
        settle(.failure(PKIError("the connection closed before the peer was verified")))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            check(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard passed else { return }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        settle(.failure(PKIError("the peer closed the connection before it was verified (wrong CA, expired, revoked or missing certificate?)")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !passed {
            refuse(error, context: context)
            return
        }
        context.fireErrorCaught(error)
    }

    private func check(context: ChannelHandlerContext) {
        do {
            guard let presented = try context.pipeline.syncOperations.nioSSL_peerCertificate() else {
                throw PKIError("the peer presented no certificate")
            }
            let certificate = try Certificate(derEncoded: presented.toDERBytes())
            let chassis = try NodeCertificateRules.chassis(of: certificate)
            if let expected, chassis.value != expected {
                throw PKIError("the peer's certificate names chassis \(chassis), not \(expected) as expected")
            }
            let serial = NodeCertificateRules.serial(of: certificate)
            if isRevoked(serial) {
                throw PKIError("the certificate of \(chassis) (serial \(serial)) is revoked")
            }
            passed = true
            timeout?.cancel()
            settle(.success(VerifiedPeer(chassis: chassis.value, serial: serial, notValidAfter: certificate.notValidAfter)))
        } catch {
            refuse(error, context: context)
        }
    }

    private func refuse(_ error: any Error, context: ChannelHandlerContext) {
        timeout?.cancel()
        // Dialing, the caller reports the failure (once per change); serving, each
        // refusal is logged, up to a rate, then counted.
        if !settled, let connections {
            let remote = context.remoteAddress?.ipAddress ?? "an unknown address"
            connections.logRefusal(from: remote, error is PKIError ? "\(error)" : TLSFailure.describe(error), logger: logger)
        }
        settle(.failure(error))
        context.close(promise: nil)
    }

    private func settle(_ outcome: Result<VerifiedPeer, any Error>) {
        guard !settled else { return }
        settled = true
        verified.completeWith(outcome)
    }
}
