import FoundationEssentials
import TestbedProtocol

/// An event in testbedctl's `--json` output (docs/cli.md, "event"): one
/// object per line, every member always present, `null` where the kind of
/// event has none. States and commands are written as everywhere else in
/// the CLI's JSON: a word plus `failed_action`, and the command as typed.
struct EventJSON: Encodable {
    let event: DaemonEvent

    init(_ event: DaemonEvent) { self.event = event }

    private enum Key: String, CodingKey {
        case seq, time, kind, deployment, owner, state, command, result, chassis, healthy
        case bootID = "boot_id"
        case ownerUID = "owner_uid"
        case previousState = "previous_state"
        case failedAction = "failed_action"
        case actionID = "action_id"
        case startedBy = "started_by"
        case exitCode = "exit_code"
        case signal
        case cancelledBy = "cancelled_by"
        case durationSeconds = "duration_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(event.seq, forKey: .seq)
        try c.encode(event.bootID, forKey: .bootID)
        try c.encode(event.time, forKey: .time)
        try c.encode(event.kind.rawValue, forKey: .kind)
        try c.encode(event.deployment, forKey: .deployment)
        try c.encode(event.owner, forKey: .ownerUID)
        try c.encode(event.owner.flatMap(UserName.of), forKey: .owner)
        try c.encode(event.previousState?.summary, forKey: .previousState)
        try c.encode(event.state?.summary, forKey: .state)
        try c.encode(DeploymentJSON.failedAction(event.state), forKey: .failedAction)
        try c.encode(event.actionID, forKey: .actionID)
        try c.encode(event.command.map(ActionsCommand.describe), forKey: .command)
        try c.encode(event.startedBy, forKey: .startedBy)
        try c.encode(event.outcome.map { ActionResult(ended: $0).rawValue }, forKey: .result)
        try c.encode(event.outcome?.errorCode, forKey: .exitCode)
        try c.encode(event.outcome?.signal, forKey: .signal)
        try c.encode(event.outcome?.cancelledBy, forKey: .cancelledBy)
        try c.encode(event.durationSeconds, forKey: .durationSeconds)
        try c.encode(event.chassis, forKey: .chassis)
        try c.encode(event.healthy, forKey: .healthy)
    }
}
