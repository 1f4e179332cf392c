import ArgumentParser
import FoundationEssentials
import TestbedPKI

/// `testbedctl cluster ca init`: creates the CA (on the main, as root).
struct ClusterCAInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the cluster CA: ca.pem, and ca.key readable by root only.",
        discussion: "Run it once, on the main. Every node certificate is signed by this CA, and the bridge trusts nothing else.")

    @OptionGroup var pki: PKIOptions

    func run() throws {
        try pki.run { () throws(PKIError) in
            let authority = try CertificateAuthority.initialize(in: pki.pkiDir, force: pki.force)
            let files = [CertificateAuthority.certificatePath(in: pki.pkiDir), CertificateAuthority.keyPath(in: pki.pkiDir)]
            Output(json: pki.json).emit(IssuedCertificate(
                chassis: "", serial: NodeCertificateRules.serial(of: authority.certificate),
                notValidAfter: authority.certificate.notValidAfter, files: files)) {
                """
                created the cluster CA: \(files[0]) (key \(files[1]), mode 0600)
                next: testbedctl cluster issue CHASSIS --out DIR for each node, or cluster sign a node's request

                """
            }
        }
    }
}
