import ArgumentParser
import TestbedProtocol

/// `testbedctl cancel [NAME] [--wait]`: cancels the action in progress on a
/// deployment. Nothing to cancel (the last action has ended) is not an error.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel the action in progress on a deployment.",
        discussion: "Exits 0 when the deployment's last action has already ended, and says how it ended.")

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
            var record: ActionRecord
            do throws(CLIError) {
                record = try await session.call(RPCMethod.actionCancel, params: ActionIDParams(id: id))
            } catch where error.code == .invalidState {
                let ended: ActionRecord = try await session.call(RPCMethod.actionGet, params: ActionIDParams(id: id))
                guard ended.isFinished else { throw error }
                global.output.emit(ActionJSON(ended)) {
                    "nothing to cancel: the last action of \(name) has ended. "
                        + ActionRun.describe(ActionOutcome(ended), verb: ActionsCommand.describe(ended.command), deployment: name) + "\n"
                }
                return
            }
            let verb = ActionsCommand.describe(record.command)
            guard var events = watch else {
                global.output.emit(ActionJSON(record)) {
                    "cancelling \(verb) of \(name) (action \(record.id)); `testbedctl logs \(name) -f` shows how it ends\n"
                }
                return
            }
            while !record.isFinished {
                let event = try await events.next()
                guard event.kind == .actionEnded, event.actionID == record.id else { continue }
                record = try await session.call(RPCMethod.actionGet, params: ActionIDParams(id: record.id))
            }
            global.output.emit(ActionJSON(record)) {
                ActionRun.describe(ActionOutcome(record), verb: verb, deployment: name) + "\n"
            }
        }
    }
}
