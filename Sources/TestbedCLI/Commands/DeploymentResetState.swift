import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment reset-state [NAME] [--force]`.
struct DeploymentResetState: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-state", abstract: "Set a deployment's recorded state back to down.",
        discussion: """
            Only the record changes: nothing is torn down. A deployment that is up needs --force, since its \
            guests may still be running.
            """)

    @OptionGroup var target: DeploymentTarget
    @Flag(help: "Reset a deployment that is up, though its guests may still be running.") var force = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let name = target.resolvedName
        try await global.withSession { (session) throws(CLIError) in
            let d: Deployment = try await session.call(RPCMethod.deploymentResetState, params: ResetStateParams(name: name, force: force))
            global.output.emit(DeploymentJSON(d)) { "deployment \(d.name) is now \(Output.describe(d.state))\n" }
        }
    }
}
