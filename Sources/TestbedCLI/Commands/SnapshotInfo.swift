import ArgumentParser
import TestbedProtocol

/// `snapshot info [NAME] --name G`.
struct SnapshotInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a guest's snapshots.")

    @OptionGroup var target: DeploymentTarget
    @Option(name: .long, help: "The guest.") var name: String
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let guest = name
        try await action.run(RPCMethod.deploymentSnapshot, verb: "snapshot info", target: target, global: global) {
            SnapshotParams(name: $0, snapshot: .info(name: guest), follow: $1)
        }
    }
}
