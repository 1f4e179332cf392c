/// Starts orchestrator processes. This launcher runs a child process
/// in its own process group; under systemd a launcher can run each action as
/// its own unit instead.
public protocol ActionLauncher: Sendable {
    func launch(_ invocation: OrchestratorInvocation) throws -> any LaunchedProcess

    /// True when actions go on after the daemon stops (and are re-attached when it starts).
    var actionsSurviveTheDaemon: Bool { get }

    /// The still-running orchestrator of action `actionID`, started before the
    /// daemon restarted; nil when there is none to re-attach to.
    func reattach(actionID: String) -> (any LaunchedProcess)?
}

extension ActionLauncher {
    public var actionsSurviveTheDaemon: Bool { false }
    public func reattach(actionID: String) -> (any LaunchedProcess)? { nil }
}
