import Foundation

/// A deployment: a name, the project folder holding its `kvm-compose.yaml`,
/// its state, and the last action run on it.
public struct Deployment: Codable, Sendable, Hashable {
    public var name: String
    public var projectLocation: String
    public var state: DeploymentState
    public var lastActionUUID: String?
    public var createdAt: Date
    /// The uid of the user who created it, who may act on it; nil for records
    /// written before owners were kept, which only admins may act on.
    public var ownerUID: UInt32?

    public init(
        name: String,
        projectLocation: String,
        state: DeploymentState = .down,
        lastActionUUID: String? = nil,
        createdAt: Date,
        ownerUID: UInt32? = nil
    ) {
        self.name = name
        self.projectLocation = projectLocation
        self.state = state
        self.lastActionUUID = lastActionUUID
        self.createdAt = createdAt
        self.ownerUID = ownerUID
    }

    enum CodingKeys: String, CodingKey {
        case name, state
        case projectLocation = "project_location"
        case lastActionUUID = "last_action_uuid"
        case createdAt = "created_at"
        case ownerUID = "owner_uid"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(projectLocation, forKey: .projectLocation)
        try container.encode(state, forKey: .state)
        try container.encode(lastActionUUID, forKey: .lastActionUUID)  // null, not absent, as the original wrote it
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(ownerUID, forKey: .ownerUID)
    }
}
