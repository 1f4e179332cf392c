import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment destroy NAME`.
struct DeploymentDestroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Remove a deployment that is down or failed, with its records.")

    @Argument(help: "The deployment's name.") var name: String
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let problem = DeploymentName.problem(with: name) { throw ValidationError(problem) }
    }

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let result: EmptyResult = try await session.call(RPCMethod.deploymentDestroy, params: NameParams(name: name))
            global.output.emit(result) { "destroyed deployment \(name)\n" }
        }
    }
}
