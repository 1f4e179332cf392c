import ArgumentParser
import TestbedProtocol

/// `testbedctl cancel NAME`: cancels the action in progress on a deployment.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel the action in progress on a deployment.")

    @OptionGroup var target: DeploymentTarget

    @Flag(help: "Wait until the action has ended, and say how.")
    var wait = false

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let name = target.resolvedName
            // Watching first: the action's end cannot come between the cancel and the watch.
            let watch = wait ? try EventWatch.start(session) : nil
            let id = try await LogsCommand.resolve(nil, of: name, in: session)
            var record: ActionRecord = try await session.call(RPCMethod.actionCancel, params: ActionIDParams(id: id))
            let verb = ActionsCommand.describe(record.command)
            guard var events = watch else {
                global.output.emit(record) {
                    "cancelling \(verb) of \(name) (action \(record.id)); `testbedctl logs \(name) -f` shows how it ends\n"
                }
                return
            }
            while !record.isFinished {
                let event = try await events.next()
                guard event.kind == .actionEnded, event.actionID == record.id else { continue }
                record = try await session.call(RPCMethod.actionGet, params: ActionIDParams(id: record.id))
            }
            global.output.emit(record) {
                ActionRun.describe(ActionOutcome(record), verb: verb, deployment: name) + "\n"
            }
        }
    }
}
