import ArgumentParser
import TestbedProtocol

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
