import Crypto
import FoundationEssentials
import X509

/// A node's files in a folder: `node.pem` (its certificate), `node.key` (its
/// key, 0600), `ca.pem` (the cluster CA), and `node.csr` while it waits for
/// the CA to sign.
public enum NodeCredentials {
    public static func certificatePath(in folder: String) -> String { folder + "/node.pem" }
    public static func keyPath(in folder: String) -> String { folder + "/node.key" }
    public static func requestPath(in folder: String) -> String { folder + "/node.csr" }

    /// Issues a key and a certificate for `chassis` and writes them, with the CA
    /// certificate, to `folder`. `force` replaces files; `reissue` allows a second
    /// certificate for a chassis the CA has issued for before.
    @discardableResult
    public static func issue(
        chassis: ChassisName, by authority: CertificateAuthority, into folder: String, days: Int = 825, force: Bool,
        reissue: Bool = false
    ) throws(PKIError) -> Certificate {
        try refuseExisting([certificatePath(in: folder), keyPath(in: folder)], force: force)
        try authority.checkNotIssued(chassis, reissue: reissue)
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let certificate = try authority.issue(chassis: chassis, publicKey: key.publicKey, days: days)
        try PKIFiles.makeFolder(folder, mode: 0o755)
        try PKIFiles.write(try pem(key), to: keyPath(in: folder), mode: 0o600, force: true)
        try PKIFiles.write(try CertificateAuthority.pem(certificate), to: certificatePath(in: folder), mode: 0o644, force: true)
        try writeCA(authority.certificate, into: folder)
        try authority.recordIssued(certificate)
        return certificate
    }

    /// Makes a key and a signing request for `chassis` in `folder`; the key never leaves it.
    /// Returns the request's path.
    public static func request(chassis: ChassisName, into folder: String, force: Bool) throws(PKIError) -> String {
        try refuseExisting([keyPath(in: folder), requestPath(in: folder)], force: force)
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let text: String
        do {
            let request = try CertificateSigningRequest(
                version: .v1,
                subject: try DistinguishedName {
                    OrganizationName("TestbedOS")
                    CommonName(chassis.value)
                },
                privateKey: key,
                attributes: CertificateSigningRequest.Attributes(),
                signatureAlgorithm: .ecdsaWithSHA256)
            text = try request.serializeAsPEM().pemString
        } catch {
            throw PKIError("cannot make a signing request for \(chassis): \(error)")
        }
        try PKIFiles.makeFolder(folder, mode: 0o755)
        try PKIFiles.write(try pem(key), to: keyPath(in: folder), mode: 0o600, force: true)
        try PKIFiles.write(text, to: requestPath(in: folder), mode: 0o644, force: true)
        return requestPath(in: folder)
    }

    /// Signs the request at `requestPath` and writes the certificate to `outputPath`.
    /// `force` replaces the file; `reissue` allows a chassis issued for before.
    @discardableResult
    public static func sign(
        requestAt requestPath: String, by authority: CertificateAuthority, to outputPath: String, days: Int = 825, force: Bool,
        reissue: Bool = false
    ) throws(PKIError) -> Certificate {
        try refuseExisting([outputPath], force: force)
        let text = try PKIFiles.read(requestPath, what: "signing request")
        let request: CertificateSigningRequest
        do { request = try CertificateSigningRequest(pemEncoded: text) } catch {
            throw PKIError("\(requestPath) is not a PEM certificate signing request: \(error)")
        }
        let names = NodeCertificateRules.commonNames(in: request.subject)
        if names.count == 1 { try authority.checkNotIssued(try ChassisName(names[0]), reissue: reissue) }
        let certificate = try authority.sign(request, days: days)
        try PKIFiles.write(try CertificateAuthority.pem(certificate), to: outputPath, mode: 0o644, force: true)
        try authority.recordIssued(certificate)
        return certificate
    }

    /// Writes the CA certificate next to a node's files; an identical copy already there is fine.
    public static func writeCA(_ certificate: Certificate, into folder: String) throws(PKIError) {
        let path = CertificateAuthority.certificatePath(in: folder)
        let text = try CertificateAuthority.pem(certificate)
        if let existing = FileManager.default.contents(atPath: path), String(data: existing, encoding: .utf8) == text { return }
        try PKIFiles.write(text, to: path, mode: 0o644, force: true)
    }

    static func pem(_ key: Certificate.PrivateKey) throws(PKIError) -> String {
        do { return try key.serializeAsPEM().pemString } catch { throw PKIError("cannot encode the key: \(error)") }
    }

    static func refuseExisting(_ paths: [String], force: Bool) throws(PKIError) {
        guard !force else { return }
        for path in paths where FileManager.default.fileExists(atPath: path) {
            throw PKIError("\(path) already exists; pass --force to replace it")
        }
    }
}
