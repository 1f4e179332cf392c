import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment destroy NAME`.
struct DeploymentDestroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Remove a deployment that is down or failed, with its records.")

    @OptionGroup var deployment: DeploymentNameArgument
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let name = deployment.name
        try await global.withSession { (session) throws(CLIError) in
            let result: EmptyResult = try await session.call(RPCMethod.deploymentDestroy, params: NameParams(name: name))
            global.output.emit(result) { "destroyed deployment \(name)\n" }
        }
    }
}
