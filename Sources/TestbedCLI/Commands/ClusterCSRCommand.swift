import ArgumentParser
import FoundationEssentials
import TestbedPKI

/// `testbedctl cluster csr CHASSIS`: a key and a signing request, made on the node itself.
struct ClusterCSRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csr",
        abstract: "Make this node's key and a certificate signing request; the key never leaves the node.",
        discussion: "Writes node.key (mode 0600) and node.csr in the PKI folder (or --out). Take node.csr to the CA's host, run testbedctl cluster sign on it, and bring back node.pem and ca.pem.")

    @Argument(help: ArgumentHelp("This node's chassis name.", valueName: "chassis"))
    var chassis: String

    @Option(name: .long, help: ArgumentHelp("The folder to write to (default: the PKI folder).", valueName: "dir"))
    var out: String?

    @OptionGroup var pki: PKIOptions

    func validate() throws { _ = try PKIOptions.chassis(chassis) }

    func run() throws {
        let chassis = try PKIOptions.chassis(self.chassis)
        let folder = out ?? pki.pkiDir
        try pki.run { () throws(PKIError) in
            let request = try NodeCredentials.request(chassis: chassis, into: folder, force: pki.force)
            print("wrote \(NodeCredentials.keyPath(in: folder)) (mode 0600) and \(request)\nnext: on the CA's host, testbedctl cluster sign \(request.split(separator: "/").last.map(String.init) ?? request)")
        }
    }
}
