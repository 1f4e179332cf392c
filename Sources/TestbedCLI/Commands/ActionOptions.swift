import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// Options every action command takes, and how they run one.
struct ActionOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Do not follow the log: print only the action's id, once it has started.")
    var detach = false

    /// Runs an action on `target`: followed to its outcome (the exit status
    /// says how it went), or started and left (`--detach`).
    func run<P>(
        _ method: MethodDescriptor<P, ActionStarted>, verb: String, target: DeploymentTarget, global: GlobalOptions,
        params: @escaping @Sendable (_ name: String, _ follow: Bool) -> P
    ) async throws {
        var status = ExitStatus.success
        try await global.withSession { (session) throws(CLIError) in
            let name = try await target.ensure(in: session)
            if detach {
                let started: ActionStarted = try await session.call(method, params: params(name, false))
                if global.json {
                    let record: ActionRecord = try await session.call(RPCMethod.actionGet, params: ActionIDParams(id: started.actionID))
                    global.output.emit(ActionJSON(record)) { "" }
                } else {
                    // Only the id on stdout, for `id=$(testbedctl up -d)`; the hint goes to stderr.
                    StandardStream.output.write(started.actionID + "\n")
                    StandardStream.error.write(
                        "started \(verb) of \(name); follow it with `testbedctl logs \(name) \(started.actionID.prefix(8)) -f`\n")
                }
            } else {
                status = try await ActionRun(session: session, deployment: name, verb: verb, json: global.json)
                    .follow(method, params: params(name, true))
            }
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
