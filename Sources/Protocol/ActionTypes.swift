import FoundationEssentials
// Params and results of the action methods.

/// `deployment.up`'s params.
public struct UpParams: Codable, Sendable, Hashable {
    public var name: String
    public var provision: Bool?
    public var rerunScripts: Bool?
    public var reapplyAcl: Bool?
    public var follow: Bool?

    public init(name: String, provision: Bool = false, rerunScripts: Bool = false, reapplyAcl: Bool = false, follow: Bool = false) {
        self.name = name
        self.provision = provision
        self.rerunScripts = rerunScripts
        self.reapplyAcl = reapplyAcl
        self.follow = follow
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, provision, follow
        case rerunScripts = "rerun_scripts"
        case reapplyAcl = "reapply_acl"
    }

    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// Params of actions that take only a name: `deployment.down`, `.generate_artefacts`, `.clear_artefacts`.
public struct ActionNameParams: Codable, Sendable, Hashable {
    public var name: String
    public var follow: Bool?
    public init(name: String, follow: Bool = false) {
        self.name = name
        self.follow = follow
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, follow }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `deployment.snapshot`'s params: `snapshot` is a snapshot command in the
/// original's encoding, e.g. `{"create":{"name":"g","snapshot":"s","all":false}}`.
public struct SnapshotParams: Codable, Sendable, Hashable {
    public var name: String
    public var snapshot: SnapshotCommand
    public var follow: Bool?
    public init(name: String, snapshot: SnapshotCommand, follow: Bool = false) {
        self.name = name
        self.snapshot = snapshot
        self.follow = follow
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, snapshot, follow }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `deployment.testbed_snapshot`'s params.
public struct TestbedSnapshotParams: Codable, Sendable, Hashable {
    public var name: String
    public var snapshotGuests: Bool?
    public var follow: Bool?
    public init(name: String, snapshotGuests: Bool = false, follow: Bool = false) {
        self.name = name
        self.snapshotGuests = snapshotGuests
        self.follow = follow
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, follow
        case snapshotGuests = "snapshot_guests"
    }

    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// An action method's answer without `follow`: the action has started.
public struct ActionStarted: Codable, Sendable, Hashable {
    public var actionID: String
    public init(actionID: String) { self.actionID = actionID }
    enum CodingKeys: String, CodingKey { case actionID = "action_id" }
}

/// An action method's answer with `follow`, sent once the outcome is durably recorded.
public struct ActionOutcome: Codable, Sendable, Hashable {
    public var actionID: String
    public var endState: DeploymentState?
    public var errorCode: Int32?
    public var signal: Int32?
    public var cancelledBy: UInt32?
    public var note: String?
    public var logPath: String

    public init(_ record: ActionRecord) {
        actionID = record.id
        endState = record.endState
        errorCode = record.errorCode
        signal = record.signal
        cancelledBy = record.cancelledBy
        note = record.note
        logPath = record.logPath
    }

    enum CodingKeys: String, CodingKey {
        case signal, note
        case actionID = "action_id"
        case endState = "end_state"
        case errorCode = "error_code"
        case cancelledBy = "cancelled_by"
        case logPath = "log_path"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(actionID, forKey: .actionID)
        try c.encode(endState, forKey: .endState)
        try c.encode(errorCode, forKey: .errorCode)
        try c.encode(signal, forKey: .signal)
        try c.encode(cancelledBy, forKey: .cancelledBy)
        try c.encode(note, forKey: .note)
        try c.encode(logPath, forKey: .logPath)
    }
}

/// `action.get`, `action.cancel` params.
public struct ActionIDParams: Codable, Sendable, Hashable {
    public var id: String
    public init(id: String) { self.id = id }

    enum CodingKeys: String, CodingKey, CaseIterable { case id }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `action.list`'s result: the deployment's actions, oldest first.
public struct ActionList: Codable, Sendable, Hashable {
    public var actions: [ActionRecord]
    public init(actions: [ActionRecord]) { self.actions = actions }
}

/// `action.logs`'s params.
public struct ActionLogsParams: Codable, Sendable, Hashable {
    public var id: String
    public var follow: Bool?
    public var offset: UInt64?
    /// Start this many lines before the end instead of at `offset` (at most `maximumTail`).
    public var tail: UInt32?
    /// Start with the first line testbedd saw written at this time or later.
    public var since: Date?
    /// Send each line after the time testbedd saw it written (`2026-11-30T15:04:05.123Z `).
    public var timestamps: Bool?
    public init(
        id: String, follow: Bool = false, offset: UInt64 = 0, tail: UInt32? = nil, since: Date? = nil, timestamps: Bool? = nil
    ) {
        self.id = id
        self.follow = follow
        self.offset = offset
        self.tail = tail
        self.since = since
        self.timestamps = timestamps
    }

    /// The most lines `tail` may ask for.
    public static let maximumTail: UInt32 = 1_000_000

    enum CodingKeys: String, CodingKey, CaseIterable { case id, follow, offset, tail, since, timestamps }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `action.logs`'s result, after its lines were streamed: where to resume, and
/// the action's record (finished or not).
public struct ActionLogsResult: Codable, Sendable, Hashable {
    public var nextOffset: UInt64
    public var finished: Bool
    public var action: ActionRecord

    public init(nextOffset: UInt64, finished: Bool, action: ActionRecord) {
        self.nextOffset = nextOffset
        self.finished = finished
        self.action = action
    }

    enum CodingKeys: String, CodingKey {
        case finished, action
        case nextOffset = "next_offset"
    }
}
