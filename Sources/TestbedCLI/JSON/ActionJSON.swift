import FoundationEssentials
import TestbedProtocol

/// An action in testbedctl's `--json` output (docs/cli.md, "action"): every
/// member always present, `null` when unknown or not yet known.
struct ActionJSON: Encodable {
    let action: ActionRecord

    init(_ action: ActionRecord) { self.action = action }

    private enum Key: String, CodingKey {
        case deployment, command, result, signal, note
        case actionID = "action_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case finishedAtApproximate = "finished_at_approximate"
        case durationSeconds = "duration_seconds"
        case exitCode = "exit_code"
        case startedBy = "started_by"
        case cancelledBy = "cancelled_by"
        case endState = "end_state"
        case logPath = "log_path"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(action.id, forKey: .actionID)
        try c.encode(action.deployment, forKey: .deployment)
        try c.encode(ActionsCommand.describe(action.command), forKey: .command)
        try c.encode(ActionResult(action).rawValue, forKey: .result)
        try c.encode(action.executionTime, forKey: .startedAt)
        try c.encode(action.finishedAt, forKey: .finishedAt)
        try c.encode(action.finishedAtIsApproximate ?? false, forKey: .finishedAtApproximate)
        try c.encode(action.finishedAt.map { $0.timeIntervalSince(action.executionTime) }, forKey: .durationSeconds)
        try c.encode(action.errorCode, forKey: .exitCode)
        try c.encode(action.signal, forKey: .signal)
        try c.encode(action.startedBy, forKey: .startedBy)
        try c.encode(action.cancelledBy, forKey: .cancelledBy)
        try c.encode(action.endState?.summary, forKey: .endState)
        try c.encode(action.note, forKey: .note)
        try c.encode(action.logPath, forKey: .logPath)
    }
}
