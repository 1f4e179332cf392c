import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment info [NAME]` (alias `inspect`).
struct DeploymentInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show one deployment.", aliases: ["inspect"])

    @OptionGroup var target: DeploymentTarget
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let name = target.resolvedName
        try await global.withSession { (session) throws(CLIError) in
            let d: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: name))
            global.output.emit(DeploymentJSON(d)) {
                """
                name:         \(d.name)
                state:        \(Output.describe(d.state))
                owner:        \(UserName.describe(d.ownerUID))
                project:      \(d.projectLocation)
                created:      \(Output.describe(d.createdAt))
                last action:  \(d.lastActionUUID ?? "none")

                """
            }
        }
    }
}
