import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl ps`: the actions running now, on every deployment (`action.running`).
struct PsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the actions running now.")

    @OptionGroup var table: TableOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            // Read-only snapshot queries run without changing their deployment's state: the daemon's list has them.
            let running = try await (session.call(RPCMethod.actionRunning) as ActionList).actions
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
