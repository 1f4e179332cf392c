/// What can go wrong with deployments and their actions, in the terms of the
/// registry and the supervisor. Each case says what happened; the method layer
/// says what a caller can do about it, in one place (`RPCError(wire:)`).
public enum DeploymentError: Error, Sendable, Equatable {
    /// The name is not a valid deployment name (`problem` says why).
    case invalidName(problem: String)
    case notFound(name: String)
    case alreadyExists(name: String, project: String)
    case actionNotFound(id: String)
    /// Another action starts or runs on the deployment.
    case busy(name: String)
    /// The daemon is stopping: it starts no action.
    case stopping
    /// Only a deployment that is down or failed may be destroyed.
    case isUp(name: String)
    /// `reset_state` of a deployment that is up, without `force`.
    case resetWhileUp(name: String)
    /// The deployment was destroyed and made again while an action started.
    case replaced(name: String)
    /// An action record made for an earlier deployment of the same name.
    case earlierDeployment(action: String, name: String)
    /// The action was left by a previous daemon and is being looked at: whether it still runs is not known yet.
    case recovering(action: String, deployment: String)
    /// The action is over: there is nothing to cancel.
    case alreadyFinished(action: String, deployment: String)
    /// The project folder failed its checks when the deployment was made.
    case project(ProjectLocation.Problem)
    /// The project folder failed its checks when an action was to start.
    case cannotRun(name: String, ProjectLocation.Problem)
    /// A write or a removal failed; the sentence says what and whether anything changed.
    case storage(String)
}
