/// What the orchestrator is started with for one action.
public struct OrchestratorInvocation: Sendable {
    public var executable: String
    public var arguments: [String]
    public var workingDirectory: String
    /// The checked project folder, open (O_PATH): the launcher runs the orchestrator in this.
    public var workingDirectoryFD: Int32
    /// The uid the project folder must belong to (the deployment's owner).
    public var folderOwner: UInt32
    public var environment: [String: String]
    /// Where its stdout and stderr go: the action's log file, opened for appending.
    public var outputFD: Int32
}

/// How an orchestrator process ended.
public enum ProcessTermination: Sendable, Hashable {
    case exited(Int32)
    case signaled(Int32)
}

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

/// A started orchestrator.
public protocol LaunchedProcess: Sendable {
    var pid: Int32 { get }
    /// Sends `signal` to the orchestrator and everything it started (its process group).
    func signalAll(_ signal: Int32)
    /// Whether `signalAll` may block (a D-Bus call): then it runs on the bus pool,
    /// never on an event loop or the cooperative pool.
    var signallingBlocks: Bool { get }
    /// Waits until the orchestrator has exited and returns how. Called once.
    func waitForExit() async -> ProcessTermination

    /// Lets go of what remains of it once its outcome is recorded.
    func release()
}

extension LaunchedProcess {
    public func release() {}
    public var signallingBlocks: Bool { false }
}
