import FoundationEssentials
import TestbedProtocol

/// A deployment in testbedctl's `--json` output (docs/cli.md, "deployment"):
/// every member always present, `null` when unknown. `state` is always a
/// word; when it is `failed`, `failed_action` names the command that failed.
struct DeploymentJSON: Encodable {
    let deployment: Deployment

    init(_ deployment: Deployment) { self.deployment = deployment }

    private enum Key: String, CodingKey {
        case name, state, project, owner
        case failedAction = "failed_action"
        case ownerUID = "owner_uid"
        case createdAt = "created_at"
        case lastActionID = "last_action_id"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(deployment.name, forKey: .name)
        try c.encode(deployment.state.summary, forKey: .state)
        try c.encode(Self.failedAction(deployment.state), forKey: .failedAction)
        try c.encode(deployment.projectLocation, forKey: .project)
        try c.encode(deployment.ownerUID, forKey: .ownerUID)
        try c.encode(deployment.ownerUID.flatMap(UserName.of), forKey: .owner)
        try c.encode(deployment.createdAt, forKey: .createdAt)
        try c.encode(deployment.lastActionUUID, forKey: .lastActionID)
    }

    /// The command that failed, as typed, when `state` is failed.
    static func failedAction(_ state: DeploymentState?) -> String? {
        guard case .failed(let command) = state else { return nil }
        return ActionsCommand.describe(command)
    }
}
