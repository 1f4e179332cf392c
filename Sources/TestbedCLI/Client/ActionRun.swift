import FoundationEssentials
import TestbedProtocol

/// Runs an action method with `follow`, printing its log as it arrives, and
/// returns the exit status its outcome deserves. Ctrl-C once cancels the
/// action and keeps following to the outcome; a second Ctrl-C detaches.
struct ActionRun {
    let session: DaemonSession
    let deployment: String
    let verb: String
    /// With `--json`: the log goes to stderr and the outcome, as JSON, to stdout.
    var json = false

    func follow<P>(_ method: MethodDescriptor<P, ActionStarted>, params: P) async throws(CLIError) -> Int32 {
        let call: RPCCall
        do {
            call = try session.connection.start(method, params: params)
        } catch {
            throw DaemonSession.failure(error)
        }
        let started = ContinuousClock.now
        let progress = ProgressLine(label: "\(verb) \(deployment)", started: started)
        let interrupts = Interrupts()
        let session = self.session, deployment = self.deployment
        interrupts.onInterrupt { count in
            if count == 1 {
                progress.note("cancelling \(deployment) (Ctrl-C again to stop following; the cancel goes on)")
                Task { await Self.cancelLastAction(of: deployment, session: session) }
            } else {
                Task { try? await session.connection.cancel(call.id) }
            }
        }
        defer { interrupts.stop(); progress.stop() }

        var outcome: ActionOutcome?
        var printer = LogPrinter(json ? StandardStream.error : StandardStream.output)
        defer { printer.finish() }
        do {
            for try await event in call.events {
                switch event {
                case .chunk(let chunk):
                    progress.clear()
                    printer.print(chunk)
                    // Never drawn in the middle of a line of the log.
                    if printer.atLineStart { progress.redraw() }
                case .result(let payload):
                    printer.finish()
                    outcome = try RPCCall.decodeResult(payload, as: ActionOutcome.self)
                }
            }
        } catch let error as RPCError where error.code == .requestCancelled {
            progress.stop()
            throw CLIError(
                "stopped following \(verb) of \(deployment); see how it ends with `testbedctl logs \(deployment) -f`",
                status: ExitStatus.interrupted)
        } catch {
            progress.stop()
            throw Self.lost(error, following: verb, of: deployment)
        }
        progress.stop()
        guard let outcome else { throw Self.lost(CLIError("the stream ended without an outcome", status: ExitStatus.unavailable), following: verb, of: deployment) }
        let elapsed = ContinuousClock.now - started
        Self.say(Self.describe(outcome, verb: verb, deployment: deployment, elapsed: elapsed))
        if json {
            let record: ActionRecord = try await session.call(RPCMethod.actionGet, params: ActionIDParams(id: outcome.actionID))
            Output(json: true).emit(ActionJSON(record)) { "" }
        }
        return Self.exitStatus(outcome)
    }

    /// The error for a follow that ended without the outcome: when testbedd
    /// went away, the action goes on without it, and the way back is said.
    static func lost(_ error: any Error, following verb: String, of deployment: String) -> CLIError {
        let failure = DaemonSession.failure(error)
        guard failure.status == ExitStatus.unavailable else { return failure }
        return CLIError(
            "testbedd went away while following \(verb) of \(deployment) (\(failure.message)); the action goes on without it. "
                + "Once testbedd is back, `testbedctl logs \(deployment) -f` follows it again",
            status: ExitStatus.unavailable)
    }

    /// 0 on success; the orchestrator's exit code when it is 1 to 63; else 1.
    static func exitStatus(_ outcome: ActionOutcome) -> Int32 {
        if outcome.cancelledBy == nil, outcome.signal == nil, let code = outcome.errorCode {
            if code == 0 { return ExitStatus.success }
            if (1...63).contains(code) { return code }
        }
        return ExitStatus.failure
    }

    /// The outcome in one line, naming the exact code or signal.
    static func describe(_ outcome: ActionOutcome, verb: String, deployment: String, elapsed: Duration? = nil) -> String {
        let took = elapsed.map { " after \(Self.format($0))" } ?? ""
        let state = outcome.endState.map { "; \(deployment) is \(Output.describe($0))" } ?? ""
        var how: String
        if let code = outcome.errorCode {
            how = code == 0 ? "the orchestrator exited with code 0" : "the orchestrator exited with code \(code)"
        } else if let signal = outcome.signal {
            how = "the orchestrator was killed by signal \(signal) (\(Self.signalName(signal)))"
        } else {
            how = outcome.note ?? "the orchestrator's outcome is unknown"
        }
        if let uid = outcome.cancelledBy {
            return "\(verb) of \(deployment) was cancelled by uid \(uid)\(took): \(how)\(state)"
        }
        if outcome.errorCode == 0 { return "\(verb) of \(deployment) succeeded\(took)\(state)" }
        return "\(verb) of \(deployment) failed\(took): \(how)\(state) (log: \(outcome.logPath))"
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE", 9: "SIGKILL",
            11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds < 60 {
            let tenths = Int((seconds * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let total = Int(seconds)
        return total < 3600 ? "\(total / 60)m \(total % 60)s" : "\(total / 3600)h \(total / 60 % 60)m"
    }

    static func cancelLastAction(of deployment: String, session: DaemonSession) async {
        do throws(CLIError) {
            let record: Deployment = try await session.call(RPCMethod.deploymentGet, params: NameParams(name: deployment))
            guard let id = record.lastActionUUID else { return }
            let _: ActionRecord = try await session.call(RPCMethod.actionCancel, params: ActionIDParams(id: id))
        } catch {
            say("cannot cancel: \(error.message)")
        }
    }

    static func say(_ line: String) {
        StandardStream.error.write(line + "\n")
    }
}
