import ArgumentParser
import TestbedProtocol

/// `testbedctl cluster evict CHASSIS`: removes a member and revokes its certificate (admin, on the main).
struct ClusterEvictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evict",
        abstract: "Remove a member from the cluster and revoke the certificate it joined with.",
        discussion: "A revoked certificate is refused by the bridge from then on; the host needs a new certificate to join again. With --keep-certificate the host may rejoin at its next check.")

    @Argument(help: ArgumentHelp("The member's chassis name.", valueName: "chassis"))
    var chassis: String

    @Flag(name: .long, help: "Do not revoke its certificate.")
    var keepCertificate = false

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let result: EvictResult = try await session.call(
                RPCMethod.clusterEvict, params: EvictParams(chassis: chassis, revoke: !keepCertificate))
            global.output.emit(result) {
                (result.wasMember ? "evicted \(chassis)" : "\(chassis) was no longer a member")
                    + (result.revokedSerial.map { "; certificate \($0) revoked\n" } ?? "\n")
            }
        }
    }
}
