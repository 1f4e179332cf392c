import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment info NAME`.
struct DeploymentInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show one deployment.")

    @OptionGroup var deployment: DeploymentNameArgument
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let name = deployment.name
        try await global.withSession { (session) throws(CLIError) in
            let d: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: name))
            global.output.emit(d) {
                """
                name:         \(d.name)
                state:        \(Output.describe(d.state))
                project:      \(d.projectLocation)
                created:      \(Output.describe(d.createdAt))
                last action:  \(d.lastActionUUID ?? "none")

                """
            }
        }
    }
}
