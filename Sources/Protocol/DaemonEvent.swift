import FoundationEssentials

/// One change in the daemon, as `events.watch` sends it. Events are numbered
/// by `seq` from 1 without gaps for the life of one daemon process, named by
/// `bootID`: the daemon keeps the last ones in memory only, so after an idle
/// exit or a restart the numbering starts again under a new boot id.
public struct DaemonEvent: Codable, Sendable, Hashable {
    /// What changed.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case deploymentCreated = "deployment.created"
        case deploymentDestroyed = "deployment.destroyed"
        case deploymentState = "deployment.state"
        case actionStarted = "action.started"
        case actionEnded = "action.ended"
        case clusterJoined = "cluster.joined"
        case clusterEvicted = "cluster.evicted"
        case clusterHealth = "cluster.health"
    }

    public var seq: UInt64
    public var bootID: String
    public var time: Date
    public var kind: Kind
    /// The deployment, for deployment and action events.
    public var deployment: String?
    /// The deployment's owner, when it has one.
    public var owner: UInt32?
    /// `deployment.state`: the state before and after; `deployment.created`: the state it starts in.
    public var previousState: DeploymentState?
    public var state: DeploymentState?
    /// Action events: the action, what it runs and who started it.
    public var actionID: String?
    public var command: DeploymentCommand?
    public var startedBy: UInt32?
    /// `action.ended`: how it ended, and how long it ran (seconds).
    public var outcome: ActionOutcome?
    public var durationSeconds: Double?
    /// Cluster events: the member, and whether the main reaches it.
    public var chassis: String?
    public var healthy: Bool?

    public init(seq: UInt64, bootID: String, time: Date, kind: Kind) {
        self.seq = seq
        self.bootID = bootID
        self.time = time
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey {
        case seq, time, kind, deployment, owner, state, command, outcome, chassis, healthy
        case bootID = "boot_id"
        case previousState = "previous_state"
        case actionID = "action_id"
        case startedBy = "started_by"
        case durationSeconds = "duration_seconds"
    }
}

/// `events.watch`'s params: both or neither. With them, the events after
/// `since` of the daemon run `boot_id` come first, from the daemon's memory.
public struct EventsWatchParams: Codable, Sendable, Hashable {
    public var since: UInt64?
    public var bootID: String?

    public init(since: UInt64? = nil, bootID: String? = nil) {
        self.since = since
        self.bootID = bootID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case since
        case bootID = "boot_id"
    }

    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}
