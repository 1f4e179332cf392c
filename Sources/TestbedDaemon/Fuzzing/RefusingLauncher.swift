/// An `ActionLauncher` that starts nothing: every launch fails at once, so the
/// action is recorded as failed, as when the orchestrator is missing. The
/// fuzzers run actions with it: no process, nothing that outlives an input.
struct RefusingLauncher: ActionLauncher {
    func launch(_ invocation: OrchestratorInvocation) throws -> any LaunchedProcess {
        throw LaunchError("the fuzzer starts no orchestrator (\(invocation.executable))")
    }
}
