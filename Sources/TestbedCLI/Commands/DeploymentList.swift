import ArgumentParser
import TestbedProtocol

/// `testbedctl deployment list` (alias `ls`).
struct DeploymentList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the deployments.", aliases: ["ls"])

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let list: TestbedProtocol.DeploymentList = try await session.call(RPCMethod.deploymentList)
            global.output.emit(list) {
                guard !list.deployments.isEmpty else {
                    return "no deployments; create one with `testbedctl deployment create` in a project folder\n"
                }
                var table = Table(headers: ["NAME", "STATE", "CREATED", "PROJECT"])
                for d in list.deployments {
                    table.append([d.name, Output.describe(d.state), Output.describe(d.createdAt), d.projectLocation])
                }
                return table.render()
            }
        }
    }
}
