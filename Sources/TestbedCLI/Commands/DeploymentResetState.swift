import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment reset-state NAME`.
struct DeploymentResetState: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-state", abstract: "Set a deployment's recorded state back to down.")

    @OptionGroup var deployment: DeploymentNameArgument
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let name = deployment.name
        try await global.withSession { (session) throws(CLIError) in
            let d: Deployment = try await session.call(RPCMethod.deploymentResetState, params: NameParams(name: name))
            global.output.emit(d) { "deployment \(d.name) is now \(Output.describe(d.state))\n" }
        }
    }
}
