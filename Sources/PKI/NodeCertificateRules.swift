import FoundationEssentials
import SwiftASN1
import X509

/// What makes a certificate a cluster node's: one name, the chassis, as its
/// common name and as its only DNS subject alternative name, and extended key
/// usage for both TLS server and TLS client authentication (every node both
/// listens and dials). The chain itself is checked by TLS against the cluster CA.
public enum NodeCertificateRules {
    /// The chassis `certificate` names, once every rule above holds.
    public static func chassis(of certificate: Certificate) throws(PKIError) -> ChassisName {
        let names = commonNames(of: certificate)
        guard names.count == 1, let commonName = names.first else {
            throw PKIError("the certificate has \(names.count) common names; a node certificate names its chassis exactly once")
        }
        let chassis = try ChassisName(commonName)
        let dnsNames: [String]
        do {
            dnsNames = (try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames()).compactMap {
                if case .dnsName(let name) = $0 { return name } else { return nil }
            }
        } catch {
            throw PKIError("the certificate's subject alternative names cannot be read: \(error)")
        }
        guard dnsNames.contains(chassis.value) else {
            throw PKIError("the certificate's common name is \(chassis) but its DNS names are [\(dnsNames.joined(separator: ", "))]; both must name the chassis")
        }
        guard dnsNames.count == 1 else {
            throw PKIError("the certificate names several hosts (\(dnsNames.joined(separator: ", "))); a node certificate names one chassis")
        }
        let usages: ExtendedKeyUsage?
        do {
            usages = try certificate.extensions.extendedKeyUsage
        } catch {
            throw PKIError("the certificate's extended key usage cannot be read: \(error)")
        }
        guard let usages, usages.contains(.serverAuth), usages.contains(.clientAuth) else {
            throw PKIError("the certificate for \(chassis) lacks extended key usage for both TLS server and TLS client authentication")
        }
        return chassis
    }

    /// The subject's common names.
    public static func commonNames(of certificate: Certificate) -> [String] {
        commonNames(in: certificate.subject)
    }

    /// The common names in `name`.
    public static func commonNames(in name: DistinguishedName) -> [String] {
        name.flatMap { rdn in
            rdn.compactMap { attribute in
                attribute.type == .RDNAttributeType.commonName ? String(attribute.value) : nil
            }
        }
    }

    /// The serial number as lowercase hex, the form the revocation list uses.
    public static func serial(of certificate: Certificate) -> String {
        certificate.serialNumber.bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The extensions every node certificate gets.
    static func extensions(for chassis: ChassisName, issuer: Certificate) throws -> Certificate.Extensions {
        try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames([.dnsName(chassis.value)])
        }
    }
}
