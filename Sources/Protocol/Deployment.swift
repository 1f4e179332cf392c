import FoundationEssentials

/// A deployment: a name, the project folder holding its `kvm-compose.yaml`,
/// its state, and the last action run on it. A name can be destroyed and made
/// again; `creationID` tells those incarnations apart.
public struct Deployment: Codable, Sendable, Hashable {
    public var name: String
    public var projectLocation: String
    public var state: DeploymentState
    public var lastActionUUID: String?
    public var createdAt: Date
    /// The uid of the user who created it, who may act on it; nil for records
    /// written before owners were kept, which only admins may act on.
    public var ownerUID: UInt32?
    /// A UUID made when the deployment was created, so its action records can
    /// be told from those of an earlier deployment of the same name; nil for
    /// records written before creation ids were kept.
    public var creationID: String?

    public init(
        name: String,
        projectLocation: String,
        state: DeploymentState = .down,
        lastActionUUID: String? = nil,
        createdAt: Date,
        ownerUID: UInt32? = nil,
        creationID: String? = nil
    ) {
        self.name = name
        self.projectLocation = projectLocation
        self.state = state
        self.lastActionUUID = lastActionUUID
        self.createdAt = createdAt
        self.ownerUID = ownerUID
        self.creationID = creationID
    }

    enum CodingKeys: String, CodingKey {
        case name, state
        case projectLocation = "project_location"
        case lastActionUUID = "last_action_uuid"
        case createdAt = "created_at"
        case ownerUID = "owner_uid"
        case creationID = "creation_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(projectLocation, forKey: .projectLocation)
        try container.encode(state, forKey: .state)
        try container.encode(lastActionUUID, forKey: .lastActionUUID)  // null, not absent, as the original wrote it
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(ownerUID, forKey: .ownerUID)
        // Absent, not null, for an older record: its JSON stays as it was written.
        try container.encodeIfPresent(creationID, forKey: .creationID)
    }
}
