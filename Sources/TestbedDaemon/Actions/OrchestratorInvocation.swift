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
