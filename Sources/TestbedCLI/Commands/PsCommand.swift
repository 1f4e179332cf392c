import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl ps`: the actions running now, on every deployment the caller can see.
struct PsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the actions running now.")

    @OptionGroup var table: TableOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            var running: [ActionRecord] = []
            var params = DeploymentListParams(limit: DeploymentListParams.maximumLimit, state: "running")
            while true {
                let page: TestbedProtocol.DeploymentList = try await session.call(RPCMethod.deploymentList, params: params)
                for deployment in page.deployments {
                    guard let id = deployment.lastActionUUID else { continue }
                    do throws(CLIError) {
                        let action: ActionRecord = try await session.call(RPCMethod.actionGet, params: ActionIDParams(id: id))
                        if !action.isFinished { running.append(action) }
                    } catch where error.code == .notFound {
                        continue  // ended and swept between the two calls
                    }
                }
                guard let next = page.next else { break }
                params.after = next
            }
            running.sort { $0.executionTime < $1.executionTime }
            global.output.emit(running.map(ActionJSON.init)) {
                if table.quiet { return running.map { $0.id + "\n" }.joined() }
                guard !running.isEmpty else { return "no actions are running\n" }
                var rendered = Table(headers: table.headers(["ID", "DEPLOYMENT", "COMMAND", "STARTED", "ELAPSED", "BY"]))
                let now = Date()
                for action in running {
                    rendered.append([
                        table.id(action.id), action.deployment, ActionsCommand.describe(action.command),
                        Output.describe(action.executionTime), ActionRun.format(.seconds(max(0, now.timeIntervalSince(action.executionTime)))),
                        UserName.describe(action.startedBy),
                    ])
                }
                return rendered.render()
            }
        }
    }
}
