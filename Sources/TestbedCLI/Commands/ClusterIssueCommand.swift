import ArgumentParser
import FoundationEssentials
import TestbedPKI

/// `testbedctl cluster issue CHASSIS --out DIR`: a key and certificate for a node, made on the CA's host.
struct ClusterIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a node's key and certificate, signed by the cluster CA.",
        discussion: "Writes DIR/node.pem, DIR/node.key (mode 0600) and DIR/ca.pem. Copy DIR to the node's PKI folder over a secure channel, or use csr and sign so the key never leaves the node.")

    @Argument(help: ArgumentHelp("The node's chassis name (its certificate's common and DNS name).", valueName: "chassis"))
    var chassis: String

    @Option(name: .long, help: ArgumentHelp("The folder to write the node's files to.", valueName: "dir"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Days the certificate is valid.", valueName: "days"))
    var days = 825

    @Flag(name: .long, help: "Issue a certificate for a chassis the CA has issued for before (a host that replaces it).")
    var reissue = false

    @OptionGroup var pki: PKIOptions

    func validate() throws {
        _ = try PKIOptions.chassis(chassis)
        try PKIOptions.validateDays(days)
    }

    func run() throws {
        let chassis = try PKIOptions.chassis(self.chassis)
        try pki.run { () throws(PKIError) in
            let authority = try CertificateAuthority.load(from: pki.pkiDir)
            let certificate = try NodeCredentials.issue(chassis: chassis, by: authority, into: out, days: days, force: pki.force, reissue: reissue)
            let files = [NodeCredentials.certificatePath(in: out), NodeCredentials.keyPath(in: out), CertificateAuthority.certificatePath(in: out)]
            Output(json: pki.json).emit(IssuedCertificate(
                chassis: chassis.value, serial: NodeCertificateRules.serial(of: certificate),
                notValidAfter: certificate.notValidAfter, files: files)) {
                "issued \(chassis) (serial \(NodeCertificateRules.serial(of: certificate)), valid until \(Output.describe(certificate.notValidAfter))): \(files.joined(separator: ", "))\n"
            }
        }
    }
}
