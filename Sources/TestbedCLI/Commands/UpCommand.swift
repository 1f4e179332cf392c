import ArgumentParser
import TestbedProtocol

/// `testbedctl up [NAME] [-p] [-r] [-a] [-d]`.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Bring a deployment up, showing the orchestration log as it runs.")

    @OptionGroup var target: DeploymentTarget
    @Flag(name: [.short, .long], help: "Provision the guests.") var provision = false
    @Flag(name: [.short, .long], help: "Run the guests' setup scripts again.") var rerunScripts = false
    @Flag(name: [.customShort("a"), .long], help: "Apply the ACL rules again.") var reapplyAcl = false
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (provision, rerunScripts, reapplyAcl) = (self.provision, self.rerunScripts, self.reapplyAcl)
        try await action.run(RPCMethod.deploymentUp, verb: "up", target: target, global: global) { name, follow in
            UpParams(name: name, provision: provision, rerunScripts: rerunScripts, reapplyAcl: reapplyAcl, follow: follow)
        }
    }
}

/// `testbedctl down [NAME] [-d]`.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Bring a deployment down.")

    @OptionGroup var target: DeploymentTarget
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await action.run(RPCMethod.deploymentDown, verb: "down", target: target, global: global) { name, follow in
            ActionNameParams(name: name, follow: follow)
        }
    }
}

/// `testbedctl generate-artefacts [NAME] [-d]`.
struct GenerateArtefactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-artefacts", abstract: "Generate a deployment's artefacts without bringing it up.")

    @OptionGroup var target: DeploymentTarget
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await action.run(RPCMethod.deploymentGenerateArtefacts, verb: "generate-artefacts", target: target, global: global) {
            ActionNameParams(name: $0, follow: $1)
        }
    }
}

/// `testbedctl clear-artefacts [NAME] [-d]`.
struct ClearArtefactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear-artefacts", abstract: "Remove a deployment's generated artefacts.")

    @OptionGroup var target: DeploymentTarget
    @OptionGroup var action: ActionOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await action.run(RPCMethod.deploymentClearArtefacts, verb: "clear-artefacts", target: target, global: global) {
            ActionNameParams(name: $0, follow: $1)
        }
    }
}

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
