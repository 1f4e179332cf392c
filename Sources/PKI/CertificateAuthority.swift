import Crypto
import FoundationEssentials
import SwiftASN1
import X509

/// The cluster's certificate authority: a self-signed P-256 certificate and
/// its key, which sign every node certificate. Nodes are signed directly by
/// it; there are no intermediates.
public struct CertificateAuthority: Sendable {
    /// The CA certificate, which every node trusts.
    public let certificate: Certificate
    private let key: Certificate.PrivateKey
    /// The folder it was loaded from or created in, which holds its index of issued names.
    public private(set) var folder: String?

    private init(certificate: Certificate, key: Certificate.PrivateKey, folder: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.folder = folder
    }

    /// The CA certificate's file in a PKI folder.
    public static func certificatePath(in folder: String) -> String { folder + "/ca.pem" }
    /// The CA key's file in a PKI folder, readable by root only.
    public static func keyPath(in folder: String) -> String { folder + "/ca.key" }

    /// A new CA named `name`, valid for `days` from `now`.
    public static func create(name: String = "TestbedOS cluster CA", days: Int = 3650, now: Date = Date()) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            OrganizationName("TestbedOS")
            CommonName(name)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(days) * 86400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
        return CertificateAuthority(certificate: certificate, key: key)
    }

    /// Creates a CA in `folder`: `ca.pem` (0644) and `ca.key` (0600).
    public static func initialize(in folder: String, force: Bool) throws(PKIError) -> CertificateAuthority {
        try PKIFiles.makeFolder(folder, mode: 0o755)
        let certificatePath = Self.certificatePath(in: folder), keyPath = Self.keyPath(in: folder)
        if !force {
            for path in [certificatePath, keyPath] where FileManager.default.fileExists(atPath: path) {
                throw PKIError("\(path) already exists: this host already has a cluster CA (pass --force to replace it, which invalidates every certificate it issued)")
            }
        }
        var authority: CertificateAuthority
        do { authority = try create() } catch { throw PKIError("cannot create the CA: \(error)") }
        authority.folder = folder
        try PKIFiles.write(try authority.keyPEM(), to: keyPath, mode: 0o600, force: true)
        try PKIFiles.write(try Self.pem(authority.certificate), to: certificatePath, mode: 0o644, force: true)
        // A new CA has issued nothing yet.
        try IssuedIndex(caFolder: folder).reset()
        return authority
    }

    /// The CA in `folder`.
    public static func load(from folder: String) throws(PKIError) -> CertificateAuthority {
        let certificate = try Self.loadCertificate(CertificateAuthority.certificatePath(in: folder), what: "cluster CA certificate")
        let keyText = try PKIFiles.read(keyPath(in: folder), what: "cluster CA key")
        let key: Certificate.PrivateKey
        do { key = try Certificate.PrivateKey(pemEncoded: keyText) } catch {
            throw PKIError("the cluster CA key at \(keyPath(in: folder)) is not a PEM private key: \(error)")
        }
        guard key.publicKey == certificate.publicKey else {
            throw PKIError("the CA key at \(keyPath(in: folder)) does not belong to the certificate at \(certificatePath(in: folder))")
        }
        return CertificateAuthority(certificate: certificate, key: key, folder: folder)
    }

    /// Throws when `chassis` already has a certificate from this CA, unless `force`.
    func checkNotIssued(_ chassis: ChassisName, reissue: Bool) throws(PKIError) {
        guard let folder else { return }
        try IssuedIndex(caFolder: folder).checkNotIssued(chassis, reissue: reissue)
    }

    /// Records that `certificate` was issued.
    func recordIssued(_ certificate: Certificate) throws(PKIError) {
        guard let folder, let name = NodeCertificateRules.commonNames(of: certificate).first else { return }
        try IssuedIndex(caFolder: folder).record(try ChassisName(name), serial: NodeCertificateRules.serial(of: certificate))
    }

    /// A node certificate for `chassis` and `publicKey`, valid from `notBefore` for `days`.
    public func issue(
        chassis: ChassisName, publicKey: Certificate.PublicKey, days: Int = 825, notBefore: Date = Date().addingTimeInterval(-300)
    ) throws(PKIError) -> Certificate {
        guard days > 0 else { throw PKIError("a certificate must be valid for at least one day (got \(days))") }
        do {
            return try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: notBefore, notValidAfter: notBefore.addingTimeInterval(Double(days) * 86400),
                issuer: certificate.subject,
                subject: try DistinguishedName {
                    OrganizationName("TestbedOS")
                    CommonName(chassis.value)
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try NodeCertificateRules.extensions(for: chassis, issuer: certificate),
                issuerPrivateKey: key)
        } catch {
            throw PKIError("cannot sign a certificate for \(chassis): \(error)")
        }
    }

    /// A certificate for the node that made `request`, once its signature and
    /// its name check out. Only the request's key and common name are used:
    /// the extensions are this CA's, whatever the request asks for.
    public func sign(_ request: CertificateSigningRequest, days: Int = 825) throws(PKIError) -> Certificate {
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw PKIError("the request's signature does not match its key: it was altered or is corrupt")
        }
        let names = NodeCertificateRules.commonNames(in: request.subject)
        guard names.count == 1 else {
            throw PKIError("the request has \(names.count) common names; it must name one chassis (make it with testbedctl cluster csr CHASSIS)")
        }
        return try issue(chassis: try ChassisName(names[0]), publicKey: request.publicKey, days: days)
    }

    /// The key as PKCS#8 PEM.
    func keyPEM() throws(PKIError) -> String {
        do { return try key.serializeAsPEM().pemString } catch { throw PKIError("cannot encode the key: \(error)") }
    }

    /// `certificate` as PEM.
    public static func pem(_ certificate: Certificate) throws(PKIError) -> String {
        do { return try certificate.serializeAsPEM().pemString } catch { throw PKIError("cannot encode the certificate: \(error)") }
    }

    /// The certificate at `path`.
    public static func loadCertificate(_ path: String, what: String) throws(PKIError) -> Certificate {
        let text = try PKIFiles.read(path, what: what)
        do { return try Certificate(pemEncoded: text) } catch {
            throw PKIError("the \(what) at \(path) is not a PEM certificate: \(error)")
        }
    }
}
