import ArgumentParser
import TestbedProtocol

/// `snapshot list [NAME] (--name G | --all)`.
struct SnapshotList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a guest's or every guest's snapshots.")

    @OptionGroup var target: DeploymentTarget
    @Option(name: .long, help: "The guest.") var name: String?
    @Flag(name: .long, help: "Every guest.") var all = false
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all == (name != nil) { throw ValidationError("give either --name GUEST or --all") }
    }

    func run() async throws {
        let (guest, all) = (name, self.all)
        try await action.run(RPCMethod.deploymentSnapshot, verb: "snapshot list", target: target, global: global) {
            SnapshotParams(name: $0, snapshot: .list(name: guest, all: all), follow: $1)
        }
    }
}
