import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl logs NAME [ACTION_ID] [-f]`: an action's log (the last one by default).
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print an action's log (the last action's by default).")

    @OptionGroup var target: DeploymentTarget
    @Argument(help: "The action's id, or the start of it (default: the deployment's last action).", completion: Completions.actionIDs) var actionID: String?
    @Flag(name: [.short, .long], help: "Keep printing new lines until the action ends.") var follow = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        var status = ExitStatus.success
        try await global.withSession { (session) throws(CLIError) in
            let name = target.resolvedName
            let id = try await Self.resolve(actionID, of: name, in: session)
            let call: RPCCall
            do {
                call = try session.connection.start(RPCMethod.actionLogs, params: ActionLogsParams(id: id, follow: follow))
            } catch {
                throw DaemonSession.failure(error)
            }
            var printer = LogPrinter(StandardStream.output)
            defer { printer.finish() }
            do {
                for try await event in call.events {
                    switch event {
                    case .chunk(let chunk):
                        printer.print(chunk)
                    case .result(let payload):
                        printer.finish()
                        let result = try RPCCall.decodeResult(payload, as: ActionLogsResult.self)
                        if result.finished {
                            let outcome = ActionOutcome(result.action)
                            if follow {
                                ActionRun.say(ActionRun.describe(outcome, verb: ActionsCommand.describe(result.action.command), deployment: name))
                            }
                            status = follow ? ActionRun.exitStatus(outcome) : ExitStatus.success
                        }
                    }
                }
            } catch {
                throw DaemonSession.failure(error)
            }
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// The full id of the action `prefix` names, or of the last action.
    static func resolve(_ prefix: String?, of name: String, in session: DaemonSession) async throws(CLIError) -> String {
        guard let prefix else {
            let deployment: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: name))
            guard let last = deployment.lastActionUUID else { throw CLIError("no action has run on \(name) yet") }
            return last
        }
        let list: ActionList = try await session.call(RPCMethod.actionList, params: NameParams(name: name))
        let matches = list.actions.filter { $0.id.hasPrefix(prefix.lowercased()) }
        guard matches.count == 1, let match = matches.first else {
            throw CLIError(
                matches.isEmpty ? "no action of \(name) has an id starting with \(prefix); `testbedctl actions \(name)` lists them"
                    : "\(matches.count) actions of \(name) have ids starting with \(prefix); give more of the id",
                status: ExitStatus.usage)
        }
        return match.id
    }
}
