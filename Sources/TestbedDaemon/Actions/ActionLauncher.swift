/// Starts orchestrator processes. This launcher runs a child process
/// in its own process group; under systemd a launcher can run each action as
/// its own unit instead.
public protocol ActionLauncher: Sendable {
    func launch(_ invocation: OrchestratorInvocation) throws -> any LaunchedProcess

    /// True when actions go on after the daemon stops (and are re-attached when it starts).
    var actionsSurviveTheDaemon: Bool { get }

    /// The still-running orchestrator of action `actionID`, started before the
    /// daemon restarted, asked once. May block (a D-Bus call).
    func reattach(actionID: String) -> Reattachment
}

extension ActionLauncher {
    public var actionsSurviveTheDaemon: Bool { false }
    public func reattach(actionID: String) -> Reattachment { .gone }
}

/// What a launcher can say about an action started before the daemon restarted.
public enum Reattachment: Sendable {
    /// It still runs (or has ended, with its outcome still to be read): follow it.
    case running(any LaunchedProcess)
    /// There is nothing left of it to follow.
    case gone
    /// The launcher cannot tell now (the bus does not answer yet, early at boot): ask again.
    case unknown
}
