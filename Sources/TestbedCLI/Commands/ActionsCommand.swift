import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// `testbedctl actions NAME`: the action history as a table.
struct ActionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "actions", abstract: "Show a deployment's action history.")

    @OptionGroup var target: DeploymentTarget
    @OptionGroup var table: TableOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withSession { (session) throws(CLIError) in
            let list: ActionList = try await session.call(RPCMethod.actionList, params: NameParams(name: target.resolvedName))
            let style = TerminalStyle.standardOutput(json: global.json)
            global.output.emit(list.actions.map(ActionJSON.init)) {
                if table.quiet { return list.actions.map { $0.id + "\n" }.joined() }
                guard !list.actions.isEmpty else { return "no actions have run on \(target.resolvedName) yet\n" }
                var rendered = Table(headers: table.headers(["ID", "COMMAND", "STARTED", "DURATION", "RESULT", "EXIT"]))
                for action in list.actions {
                    rendered.append([
                        table.id(action.id), Self.describe(action.command), Output.describe(action.executionTime),
                        Self.duration(action),
                        style.word(ActionResult(action).tableWord), action.errorCode.map(String.init) ?? action.signal.map { "sig \($0)" } ?? "-",
                    ])
                }
                return rendered.render()
            }
        }
    }

    /// How long it ran; `<` before it when its end is not known exactly (it
    /// was over by then: testbedd was stopped when it ended).
    static func duration(_ action: ActionRecord) -> String {
        guard let finishedAt = action.finishedAt else { return "-" }
        let duration = ActionRun.format(.seconds(finishedAt.timeIntervalSince(action.executionTime)))
        return action.finishedAtIsApproximate == true ? "<" + duration : duration
    }

    /// The command as typed: `up --provision`, `snapshot create --name g --snapshot s`.
    static func describe(_ command: DeploymentCommand) -> String {
        switch command {
        case .up(let o):
            return (["up"] + (o.provision ? ["-p"] : []) + (o.rerunScripts ? ["-r"] : []) + (o.reapplyAcl ? ["-a"] : []))
                .joined(separator: " ")
        case .down: return "down"
        case .generateArtefacts: return "generate-artefacts"
        case .clearArtefacts: return "clear-artefacts"
        case .testbedSnapshot(let guests): return guests ? "testbed-snapshot -s" : "testbed-snapshot"
        case .snapshot(let s):
            switch s {
            case .create(let t): return "snapshot create " + target(t)
            case .delete(let t): return "snapshot delete " + target(t)
            case .restore(let t): return "snapshot restore " + target(t)
            case .info(let name): return "snapshot info --name \(name)"
            case .list(let name, let all): return all ? "snapshot list --all" : "snapshot list --name \(name ?? "")"
            }
        }
    }

    private static func target(_ t: SnapshotCommand.SnapshotTarget) -> String {
        t.all ? "--all" : "--name \(t.name ?? "") --snapshot \(t.snapshot ?? "")"
    }
}
