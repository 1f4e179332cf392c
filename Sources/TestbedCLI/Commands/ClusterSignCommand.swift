import ArgumentParser
import FoundationEssentials
import TestbedPKI

/// `testbedctl cluster sign CSR`: signs a node's request with the cluster CA.
struct ClusterSignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a node's certificate signing request with the cluster CA.",
        discussion: "Only the request's key and chassis name are used; the certificate gets the cluster's own extensions. Writes the certificate beside the request (X.csr gives X.pem) unless --out says otherwise.")

    @Argument(help: ArgumentHelp("The node's request (node.csr).", valueName: "csr"))
    var request: String

    @Option(name: .long, help: ArgumentHelp("Where to write the certificate.", valueName: "file"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Days the certificate is valid.", valueName: "days"))
    var days = 825

    @Flag(name: .long, help: "Issue a certificate for a chassis the CA has issued for before (a host that replaces it).")
    var reissue = false

    @OptionGroup var pki: PKIOptions

    func validate() throws { try PKIOptions.validateDays(days) }

    func run() throws {
        let output = out ?? (request.hasSuffix(".csr") ? String(request.dropLast(4)) : request) + ".pem"
        try pki.run { () throws(PKIError) in
            let authority = try CertificateAuthority.load(from: pki.pkiDir)
            let certificate = try NodeCredentials.sign(requestAt: request, by: authority, to: output, days: days, force: pki.force, reissue: reissue)
            let chassis = NodeCertificateRules.commonNames(of: certificate).first ?? ""
            let caPath = CertificateAuthority.certificatePath(in: pki.pkiDir)
            Output(json: pki.json).emit(IssuedCertificate(
                chassis: chassis, serial: NodeCertificateRules.serial(of: certificate),
                notValidAfter: certificate.notValidAfter, files: [output])) {
                "signed \(chassis) (serial \(NodeCertificateRules.serial(of: certificate))): \(output)\nnext: copy it to the node as node.pem, with \(caPath) as ca.pem\n"
            }
        }
    }
}
