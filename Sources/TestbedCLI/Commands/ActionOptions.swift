import ArgumentParser
import FoundationEssentials
import TestbedProtocol

/// Options every action command takes, and how they run one.
struct ActionOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Do not follow the log: print the action's id and return once it has started.")
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
                global.output.emit(started) {
                    "started \(verb) of \(name): action \(started.actionID)\nfollow it with `testbedctl logs \(name) \(started.actionID) -f`\n"
                }
            } else {
                status = try await ActionRun(session: session, deployment: name, verb: verb, json: global.json)
                    .follow(method, params: params(name, true))
            }
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
