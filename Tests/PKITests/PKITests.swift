import Crypto
import Foundation
import SwiftASN1
import Testing
import TestbedPKI
import X509

/// The cluster's certificates: what the CA issues and what the node rules accept.
@Suite struct PKITests {
    @Test func chassisNamesFollowHostnameSyntax() {
        for good in ["main", "node-1", "rack2.node3", "a", String(repeating: "a", count: 63)] {
            #expect(ChassisName.problem(with: good) == nil, "\(good)")
        }
        for bad in ["", "Main", "node_1", "-node", "node-", "a..b", "node 1", "n/1", String(repeating: "a", count: 64), "ñode"] {
            #expect(ChassisName.problem(with: bad) != nil, "\(bad)")
        }
    }

    @Test func theCAKeyIsReadableByItsOwnerOnlyAndIsNeverOverwrittenSilently() throws {
        let folder = try TemporaryFolder()
        let ca = try CertificateAuthority.initialize(in: folder.path + "/pki", force: false)
        var info = stat()
        #expect(stat(folder.path + "/pki/ca.key", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(folder.path + "/pki/ca.pem", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o644)
        #expect(try ca.certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(throws: PKIError.self) { try CertificateAuthority.initialize(in: folder.path + "/pki", force: false) }
        let loaded = try CertificateAuthority.load(from: folder.path + "/pki")
        #expect(loaded.certificate == ca.certificate)
        let replaced = try CertificateAuthority.initialize(in: folder.path + "/pki", force: true)
        #expect(replaced.certificate.serialNumber != ca.certificate.serialNumber)
    }

    @Test func anIssuedCertificateNamesItsChassisForBothDirections() throws {
        let folder = try TemporaryFolder()
        let ca = try CertificateAuthority.initialize(in: folder.path + "/ca", force: false)
        let certificate = try NodeCredentials.issue(chassis: try ChassisName("node1"), by: ca, into: folder.path + "/n", force: false)
        #expect(try NodeCertificateRules.chassis(of: certificate).value == "node1")
        #expect(try certificate.extensions.subjectAlternativeNames == SubjectAlternativeNames([.dnsName("node1")]))
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(ca.certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        #expect(certificate.issuer == ca.certificate.subject)
        var info = stat()
        #expect(stat(folder.path + "/n/node.key", &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(FileManager.default.contentsEqual(atPath: folder.path + "/n/ca.pem", andPath: folder.path + "/ca/ca.pem"))
        #expect { try NodeCredentials.issue(chassis: try ChassisName("node1"), by: ca, into: folder.path + "/n", force: false) } throws: {
            ($0 as? PKIError)?.message.contains("already exists") == true
        }
        // Into a fresh folder, the CA's index refuses the same chassis unless asked to reissue.
        #expect { try NodeCredentials.issue(chassis: try ChassisName("node1"), by: ca, into: folder.path + "/m", force: false) } throws: {
            ($0 as? PKIError)?.message.contains("already issued") == true
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/m/node.key"))
        let again = try NodeCredentials.issue(chassis: try ChassisName("node1"), by: ca, into: folder.path + "/m", force: false, reissue: true)
        #expect(again.serialNumber != certificate.serialNumber)
    }

    /// A certificate made by hand, signed by `key`, to break one rule at a time.
    static func certificate(
        commonNames: [String], dnsNames: [String], usages: [ExtendedKeyUsage.Usage], key: Certificate.PrivateKey
    ) throws -> Certificate {
        let subject = try DistinguishedName(commonNames.map { RelativeDistinguishedName(RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: $0)) })
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey, notValidBefore: Date(), notValidAfter: Date() + 3600,
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                if !dnsNames.isEmpty { SubjectAlternativeNames(dnsNames.map { .dnsName($0) }) }
                if !usages.isEmpty { try ExtendedKeyUsage(usages) }
            },
            issuerPrivateKey: key)
    }

    @Test func theNodeRulesRefuseEachBrokenIdentity() throws {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let good = try Self.certificate(commonNames: ["node1"], dnsNames: ["node1"], usages: [.serverAuth, .clientAuth], key: key)
        #expect(try NodeCertificateRules.chassis(of: good).value == "node1")
        let cases: [(Certificate, String)] = [
            (try Self.certificate(commonNames: ["node1"], dnsNames: [], usages: [.serverAuth, .clientAuth], key: key), "DNS names are []"),
            (try Self.certificate(commonNames: ["node1"], dnsNames: ["node2"], usages: [.serverAuth, .clientAuth], key: key), "DNS names are [node2]"),
            (try Self.certificate(commonNames: ["node1"], dnsNames: ["node1", "node2"], usages: [.serverAuth, .clientAuth], key: key), "several hosts"),
            (try Self.certificate(commonNames: ["node1"], dnsNames: ["node1"], usages: [.serverAuth], key: key), "both TLS server and TLS client"),
            (try Self.certificate(commonNames: ["node1"], dnsNames: ["node1"], usages: [], key: key), "both TLS server and TLS client"),
            (try Self.certificate(commonNames: [], dnsNames: ["node1"], usages: [.serverAuth, .clientAuth], key: key), "0 common names"),
            (try Self.certificate(commonNames: ["a", "b"], dnsNames: ["a"], usages: [.serverAuth, .clientAuth], key: key), "2 common names"),
            (try Self.certificate(commonNames: ["Node_1"], dnsNames: ["Node_1"], usages: [.serverAuth, .clientAuth], key: key), "not a valid chassis name"),
        ]
        for (certificate, reason) in cases {
            #expect {
                _ = try NodeCertificateRules.chassis(of: certificate)
            } throws: { error in
                (error as? PKIError)?.message.contains(reason) == true
            }
        }
    }

    @Test func aRequestIsSignedOnlyWhenItsSignatureAndNameCheckOut() throws {
        let folder = try TemporaryFolder()
        let ca = try CertificateAuthority.initialize(in: folder.path + "/ca", force: false)
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName("node9") }
        let request = try CertificateSigningRequest(
            version: .v1, subject: name, privateKey: key, attributes: .init(), signatureAlgorithm: .ecdsaWithSHA256)
        let certificate = try ca.sign(request)
        #expect(certificate.publicKey == key.publicKey)
        #expect(try NodeCertificateRules.chassis(of: certificate).value == "node9")

        // The same request claiming another key: its signature no longer matches.
        let forged = try CertificateSigningRequest(
            version: .v1, subject: name, publicKey: Certificate.PrivateKey(P256.Signing.PrivateKey()).publicKey,
            attributes: .init(), signatureAlgorithm: .ecdsaWithSHA256, signature: request.signature)
        #expect { try ca.sign(forged) } throws: { ($0 as? PKIError)?.message.contains("signature does not match") == true }

        let badName = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName("Bad Name") }, privateKey: key,
            attributes: .init(), signatureAlgorithm: .ecdsaWithSHA256)
        #expect { try ca.sign(badName) } throws: { ($0 as? PKIError)?.message.contains("not a valid chassis name") == true }
    }
}
