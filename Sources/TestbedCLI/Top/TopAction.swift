import FoundationEssentials
import TestbedProtocol

/// An action as `testbedctl top` shows it: what it runs, when it started,
/// and, once it has ended, how and how long it took; while it runs, the last
/// line of its log.
struct TopAction: Sendable, Hashable {
    var id: String
    var deployment: String
    var command: DeploymentCommand
    var started: Date
    /// Set once it has ended.
    var duration: Double?
    /// How it ended (`ActionResult`); nil while it runs.
    var result: ActionResult?
    /// The last line of its log with any text on it, while it runs.
    var lastLine: String?

    var isRunning: Bool { result == nil }

    /// The command in a word or two: `up`, `down`, `snapshot create`.
    var verb: String {
        switch command {
        case .up: "up"
        case .down: "down"
        case .generateArtefacts: "generate-artefacts"
        case .clearArtefacts: "clear-artefacts"
        case .testbedSnapshot: "testbed-snapshot"
        case .snapshot(let snapshot):
            switch snapshot {
            case .create: "snapshot create"
            case .delete: "snapshot delete"
            case .restore: "snapshot restore"
            case .info: "snapshot info"
            case .list: "snapshot list"
            }
        }
    }

    /// An action from its record.
    init(_ record: ActionRecord) {
        id = record.id
        deployment = record.deployment
        command = record.command
        started = record.executionTime
        if let finishedAt = record.finishedAt {
            duration = max(0, finishedAt.timeIntervalSince(record.executionTime))
            result = ActionResult(record)
        }
    }

    /// An action that has just started.
    init(id: String, deployment: String, command: DeploymentCommand, started: Date) {
        self.id = id
        self.deployment = deployment
        self.command = command
        self.started = started
    }

    /// Records its end from an `action.ended` event.
    mutating func end(_ outcome: ActionOutcome?, duration: Double?, at time: Date) {
        self.duration = duration ?? max(0, time.timeIntervalSince(started))
        result = ActionResult(ended: outcome)
        lastLine = nil
    }
}
