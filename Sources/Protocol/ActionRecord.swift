import FoundationEssentials

/// One orchestration action as the daemon records it, in the original's
/// `<name>-logs.json` shape (`log_path`, `command`, `error_code`, `end_state`,
/// `execution_time`, `finished_at`, `started_by`, `cancelled_by`) plus the
/// fields a client needs to tell the whole outcome.
public struct ActionRecord: Codable, Sendable, Hashable {
    /// The action's UUID.
    public var id: String
    /// The deployment it ran on.
    public var deployment: String
    /// The `creation_id` of that deployment when the action started: the record
    /// belongs to that incarnation of the name only. Nil for records written
    /// before creation ids were kept, which belong only to a deployment without one.
    public var deploymentCreationID: String?
    public var command: DeploymentCommand
    public var logPath: String
    /// The orchestrator's exit code; nil while running, or when it died by a signal or never started.
    public var errorCode: Int32?
    /// The signal that killed the orchestrator, if one did.
    public var signal: Int32?
    /// The deployment's state when the action ended; nil while it runs.
    public var endState: DeploymentState?
    /// When the action started (the original's name for the start time).
    public var executionTime: Date
    public var finishedAt: Date?
    /// True when the true end is not known (testbedd was stopped when the
    /// action ended and cannot ask what ended it): `finishedAt` is then when
    /// testbedd found it over, a bound, not the end. Nil otherwise.
    public var finishedAtIsApproximate: Bool?
    /// The uid of the caller that started it.
    public var startedBy: UInt32
    /// The uid of the caller that cancelled it (the daemon's own uid for a timeout).
    public var cancelledBy: UInt32?
    /// Why the action ended without an exit status of its own, in words
    /// ("cancelled by uid 1000", "interrupted: ..."); nil otherwise.
    public var note: String?
    /// The orchestrator's process id while it runs, so a restarted daemon can
    /// tell whether it is still alive.
    public var pid: Int32?
    /// The start time of that process (field 22 of /proc/PID/stat), so a
    /// recycled pid is never taken for the orchestrator.
    public var pidStartTime: UInt64?
    /// The deployment's state when the action started, restored by a success
    /// that sets no state of its own (kept for a daemon that restarts meanwhile).
    public var previousState: DeploymentState?

    public init(
        id: String, deployment: String, command: DeploymentCommand, logPath: String,
        executionTime: Date, startedBy: UInt32, deploymentCreationID: String? = nil
    ) {
        self.id = id
        self.deployment = deployment
        self.deploymentCreationID = deploymentCreationID
        self.command = command
        self.logPath = logPath
        self.executionTime = executionTime
        self.startedBy = startedBy
    }

    /// True once the action has ended (its outcome is recorded).
    public var isFinished: Bool { finishedAt != nil }

    /// True when the action ended well: exit status 0, not cancelled.
    public var succeeded: Bool { isFinished && errorCode == 0 && cancelledBy == nil && signal == nil }

    enum CodingKeys: String, CodingKey {
        case id, deployment, command, signal, note, pid
        case pidStartTime = "pid_start_time"
        case previousState = "previous_state"
        case deploymentCreationID = "deployment_creation_id"
        case logPath = "log_path"
        case errorCode = "error_code"
        case endState = "end_state"
        case executionTime = "execution_time"
        case finishedAt = "finished_at"
        case finishedAtIsApproximate = "finished_at_approximate"
        case startedBy = "started_by"
        case cancelledBy = "cancelled_by"
    }

    public func encode(to encoder: any Encoder) throws {
        // Absent values are written as null, as the original did.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(deployment, forKey: .deployment)
        try c.encode(deploymentCreationID, forKey: .deploymentCreationID)
        try c.encode(command, forKey: .command)
        try c.encode(logPath, forKey: .logPath)
        try c.encode(errorCode, forKey: .errorCode)
        try c.encode(signal, forKey: .signal)
        try c.encode(endState, forKey: .endState)
        try c.encode(executionTime, forKey: .executionTime)
        try c.encode(finishedAt, forKey: .finishedAt)
        // Written only when true: records of exact ends keep the original's shape.
        if finishedAtIsApproximate == true { try c.encode(true, forKey: .finishedAtIsApproximate) }
        try c.encode(startedBy, forKey: .startedBy)
        try c.encode(cancelledBy, forKey: .cancelledBy)
        try c.encode(note, forKey: .note)
        try c.encode(pid, forKey: .pid)
        try c.encode(pidStartTime, forKey: .pidStartTime)
        try c.encode(previousState, forKey: .previousState)
    }
}
