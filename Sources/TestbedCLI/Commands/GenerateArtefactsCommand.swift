import ArgumentParser
import TestbedProtocol

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
