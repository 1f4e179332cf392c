import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment destroy [NAME]` (alias `rm`): prints what it destroyed.
struct DeploymentDestroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Remove a deployment that is down or failed, with its records.", aliases: ["rm"])

    @OptionGroup var target: DeploymentTarget
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let name = target.resolvedName
        try await global.withSession { (session) throws(CLIError) in
            // Read first, to say what was destroyed: the daemon's answer is empty.
            let record: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: name))
            let _: EmptyResult = try await session.call(RPCMethod.deploymentDestroy, params: NameParams(name: name))
            global.output.emit(DeploymentJSON(record)) {
                "destroyed deployment \(name) (\(Output.describe(record.state)), project \(record.projectLocation))\n"
            }
        }
    }
}
