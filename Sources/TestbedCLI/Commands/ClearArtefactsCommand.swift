import ArgumentParser
import TestbedProtocol

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
