import FoundationEssentials
import TestbedProtocol

/// One snapshot of `testbedctl top --json`, written as one line of JSON
/// (docs/cli.md, "top snapshot"), in the words of the CLI's other JSON:
/// `action_id`, `started_at`, a state as a word with `failed_action`, a
/// command as typed, results as `ActionJSON` has them; every member always
/// present, `null` when unknown.
struct TopReport: Encodable, Sendable {
    let model: TopModel
    let now: Date

    init(_ model: TopModel, now: Date) {
        self.model = model
        self.now = now
    }

    private enum Key: String, CodingKey {
        case time, daemon, deployments, running, members
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(now, forKey: .time)
        try c.encode(model.figures.map(Figures.init), forKey: .daemon)
        try c.encode(model.names.compactMap { name in model.deployments[name].map { Row(name: name, deployment: $0, now: now) } }, forKey: .deployments)
        try c.encode(model.running.map(\.deployment), forKey: .running)
        try c.encode(model.members, forKey: .members)
    }

    /// The daemon's figures.
    private struct Figures: Encodable {
        let figures: DaemonFigures

        private enum Key: String, CodingKey {
            case version, pid, connections, mode
            case uptimeSeconds = "uptime_seconds"
            case requestsPerSecond = "requests_per_second"
            case memoryBytes = "memory_bytes"
            case mainReachable = "main_reachable"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(figures.version, forKey: .version)
            try c.encode(figures.pid, forKey: .pid)
            try c.encode(figures.uptimeSeconds, forKey: .uptimeSeconds)
            try c.encode(figures.connections, forKey: .connections)
            try c.encode(figures.requestsPerSecond, forKey: .requestsPerSecond)
            try c.encode(figures.memoryBytes, forKey: .memoryBytes)
            try c.encode(figures.mode, forKey: .mode)
            try c.encode(figures.mainReachable, forKey: .mainReachable)
        }
    }

    /// A deployment and its last action.
    private struct Row: Encodable {
        let name: String
        let deployment: TopDeployment
        let now: Date

        private enum Key: String, CodingKey {
            case name, state, owner
            case failedAction = "failed_action"
            case ownerUID = "owner_uid"
            case lastAction = "last_action"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(name, forKey: .name)
            try c.encode(deployment.state.summary, forKey: .state)
            try c.encode(DeploymentJSON.failedAction(deployment.state), forKey: .failedAction)
            try c.encode(deployment.owner, forKey: .ownerUID)
            try c.encode(deployment.owner.flatMap(UserName.of), forKey: .owner)
            try c.encode(deployment.lastAction.map { LastAction(action: $0, now: now) }, forKey: .lastAction)
        }
    }

    private struct LastAction: Encodable {
        let action: TopAction
        let now: Date

        private enum Key: String, CodingKey {
            case command, result
            case actionID = "action_id"
            case startedAt = "started_at"
            case durationSeconds = "duration_seconds"
            case lastLine = "last_line"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(action.id, forKey: .actionID)
            try c.encode(ActionsCommand.describe(action.command), forKey: .command)
            try c.encode(action.started, forKey: .startedAt)
            try c.encode(action.duration ?? max(0, now.timeIntervalSince(action.started)), forKey: .durationSeconds)
            try c.encode((action.result ?? .running).rawValue, forKey: .result)
            try c.encode(action.lastLine, forKey: .lastLine)
        }
    }

    /// The snapshot as one line of JSON, with its newline.
    var line: String { Output.jsonLine(self) }
}
