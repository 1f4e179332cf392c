import ArgumentParser
import TestbedProtocol

/// `testbedctl testbed-snapshot [NAME] [-s] [-d]`.
struct TestbedSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testbed-snapshot", abstract: "Snapshot the whole testbed's state.")

    @OptionGroup var target: DeploymentTarget
    @Flag(name: [.short, .long], help: "Snapshot the guests too.") var snapshotGuests = false
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let guests = snapshotGuests
        try await action.run(RPCMethod.deploymentTestbedSnapshot, verb: "testbed-snapshot", target: target, global: global) {
            TestbedSnapshotParams(name: $0, snapshotGuests: guests, follow: $1)
        }
    }
}
