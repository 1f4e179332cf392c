import Foundation
import NIOCore
import NIOSSL
import TestbedPKI
import X509

/// This node's identity on the bridge: its certificate and key, the cluster
/// CA, and the TLS contexts made from them. TLS 1.2 or later, certificates
/// required both ways, verified against the cluster CA alone.
public struct BridgeTLS: Sendable {
    /// The chassis this node's certificate names.
    public let chassis: ChassisName
    /// When this node's certificate expires.
    public let notValidAfter: Date
    let serverContext: NIOSSLContext
    let clientContext: NIOSSLContext

    /// Loads `node.pem`, `node.key` and `ca.pem` from `pkiDirectory`.
    public init(pkiDirectory folder: String) throws(PKIError) {
        let certificatePath = NodeCredentials.certificatePath(in: folder)
        let keyPath = NodeCredentials.keyPath(in: folder)
        let caPath = CertificateAuthority.certificatePath(in: folder)
        let certificate = try CertificateAuthority.loadCertificate(certificatePath, what: "node certificate")
        let authority = try CertificateAuthority.loadCertificate(caPath, what: "cluster CA certificate")
        chassis = try NodeCertificateRules.chassis(of: certificate)
        notValidAfter = certificate.notValidAfter
        guard certificate.issuer == authority.subject, authority.publicKey.isValidSignature(certificate.signature, for: certificate) else {
            throw PKIError("\(certificatePath) was not issued by the cluster CA in \(caPath); issue it again with testbedctl cluster issue")
        }
        guard certificate.notValidAfter > Date() else {
            throw PKIError("\(certificatePath) expired on \(certificate.notValidAfter); issue a new one with testbedctl cluster issue")
        }
        var keyStatus = stat()
        if stat(keyPath, &keyStatus) == 0, keyStatus.st_mode & 0o077 != 0 {
            throw PKIError("\(keyPath) is readable by others (mode \(String(keyStatus.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        do {
            let nodeCertificate = try NIOSSLCertificate(bytes: Array(try CertificateAuthority.pem(certificate).utf8), format: .pem)
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            let trusted = try NIOSSLCertificate.fromPEMFile(caPath)
            var server = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(nodeCertificate)], privateKey: .privateKey(key))
            server.certificateVerification = .noHostnameVerification
            server.trustRoots = .certificates(trusted)
            server.minimumTLSVersion = .tlsv12
            var client = TLSConfiguration.makeClientConfiguration()
            client.certificateChain = [.certificate(nodeCertificate)]
            client.privateKey = .privateKey(key)
            // The chain is TLS's to check; the name is the gate's (PeerCertificateGate), which
            // compares it with the chassis expected and says what it found instead.
            client.certificateVerification = .noHostnameVerification
            client.trustRoots = .certificates(trusted)
            client.minimumTLSVersion = .tlsv12
            // A connection the daemon closes (a bad frame, idle, an eviction) waits this
            // long for the peer's close_notify before the socket goes; with NIO's 5 s it
            // went on counting against the peer's eight connections that long.
            server.shutdownTimeout = Self.closeNotifyWait
            client.shutdownTimeout = Self.closeNotifyWait
            serverContext = try NIOSSLContext(configuration: server)
            clientContext = try NIOSSLContext(configuration: client)
        } catch {
            throw PKIError("cannot load the bridge's TLS credentials from \(folder): \(error)")
        }
    }

    /// How long a closing bridge connection waits for the peer's close_notify.
    static let closeNotifyWait = TimeAmount.milliseconds(500)
}
