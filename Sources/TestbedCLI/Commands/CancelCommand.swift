import ArgumentParser
import TestbedProtocol

/// `testbedctl cancel NAME`: cancels the action in progress on a deployment.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel the action in progress on a deployment.")

    @OptionGroup var target: DeploymentTarget
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let name = target.resolvedName
            let id = try await LogsCommand.resolve(nil, of: name, in: session)
            let record: ActionRecord = try await session.call(RPCMethod.actionCancel, params: ActionIDParams(id: id))
            global.output.emit(record) {
                "cancelling \(ActionsCommand.describe(record.command)) of \(name) (action \(record.id)); "
                    + "`testbedctl logs \(name) -f` shows how it ends\n"
            }
        }
    }
}
