import ArgumentParser
import FoundationEssentials
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// `testbedctl wait NAME [--state S] [--timeout S]`: waits, without polling,
/// until a deployment is in a state. It watches the daemon's events first and
/// reads the deployment second, so no change is missed between the two.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until a deployment is in a state.",
        discussion: """
            Without --state, waits until no action is running on it. Exits 0 once it is in the state; 1 if it is \
            destroyed, or (waiting for up or down) an action leaves it failed; \(ExitStatus.timedOut) after --timeout.
            """)

    @OptionGroup var target: DeploymentTarget

    @Option(help: ArgumentHelp("The state to wait for: up, down or failed (default: any but running).", valueName: "state"))
    var state: String?

    @Option(help: ArgumentHelp("Give up after this many seconds.", valueName: "seconds"))
    var timeout: Double?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let state, !["up", "down", "failed"].contains(state) {
            throw ValidationError("there is no state \"\(state)\" to wait for; use up, down or failed")
        }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    /// Whether `current` is what is waited for.
    func reached(_ current: DeploymentState) -> Bool {
        switch (state, current) {
        case (nil, .running): false
        case (nil, _): true
        case ("up", .up), ("down", .down), ("failed", .failed): true
        default: false
        }
    }

    var wanted: String { state ?? "settled (no action running)" }

    func run() async throws {
        let name = target.resolvedName
        if let timeout {
            let (wanted, output) = (self.wanted, global.output)
            Task.detached {
                try? await Task.sleep(for: .seconds(timeout))
                output.report(CLIError("timed out after \(timeout) s waiting for \(name) to be \(wanted)", status: ExitStatus.timedOut))
            }
        }
        try await global.withSession { (session) throws(CLIError) in
            var watch = try EventWatch.start(session)
            var deployment: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: name))
            while !reached(deployment.state) {
                let event = try await watch.next()
                guard event.deployment == name else { continue }
                switch event.kind {
                case .deploymentDestroyed:
                    throw CLIError("\(name) was destroyed while waiting for it to be \(wanted)")
                case .deploymentState:
                    guard let now = event.state else { continue }
                    deployment.state = now
                    if case .failed = now, state == "up" || state == "down" {
                        throw CLIError("\(name) is \(Output.describe(now)) after its action failed, not \(wanted); "
                            + "`testbedctl logs \(name)` shows why")
                    }
                default:
                    continue
                }
            }
            if global.json {
                let settled: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: name))
                global.output.emit(DeploymentJSON(settled)) { "" }
            } else {
                StandardStream.output.write("\(name) is \(Output.describe(deployment.state))\n")
            }
        }
    }
}
