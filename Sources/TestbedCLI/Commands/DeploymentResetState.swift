import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment reset-state NAME`.
struct DeploymentResetState: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-state", abstract: "Set a deployment's recorded state back to down.")

    @Argument(help: "The deployment's name.") var name: String
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let problem = DeploymentName.problem(with: name) { throw ValidationError(problem) }
    }

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let d: Deployment = try await session.call(RPCMethod.deploymentResetState, params: NameParams(name: name))
            global.output.emit(d) { "deployment \(d.name) is now \(Output.describe(d.state))\n" }
        }
    }
}
