import FoundationEssentials
import TestbedProtocol

/// One snapshot of `testbedctl top --json`, written as one line of JSON.
struct TopReport: Encodable, Sendable {
    struct Daemon: Encodable, Sendable {
        var version: String
        var pid: Int32
        var uptimeSeconds: Double
        var connections: Int
        var requestsPerSecond: Double?
        var memoryBytes: Double?
        var mode: String
        var mainReachable: Bool?

        enum CodingKeys: String, CodingKey {
            case version, pid, connections, mode
            case uptimeSeconds = "uptime_seconds"
            case requestsPerSecond = "requests_per_second"
            case memoryBytes = "memory_bytes"
            case mainReachable = "main_reachable"
        }
    }

    struct Action: Encodable, Sendable {
        var id: String
        var command: DeploymentCommand
        var started: Date
        /// Seconds: how long it took, or has run so far.
        var durationSeconds: Double
        /// `running`, `ok`, `failed`, `cancelled` or `interrupted`.
        var result: String
        var lastLine: String?

        enum CodingKeys: String, CodingKey {
            case id, command, started, result
            case durationSeconds = "duration_seconds"
            case lastLine = "last_line"
        }
    }

    struct Row: Encodable, Sendable {
        var name: String
        var state: DeploymentState
        var ownerUID: UInt32?
        var lastAction: Action?

        enum CodingKeys: String, CodingKey {
            case name, state
            case ownerUID = "owner_uid"
            case lastAction = "last_action"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(state, forKey: .state)
            try container.encode(ownerUID, forKey: .ownerUID)
            try container.encode(lastAction, forKey: .lastAction)
        }
    }

    var time: Date
    var daemon: Daemon?
    var deployments: [Row]
    /// The deployments with an action running, the longest-running first.
    var running: [String]
    /// On a main with members: each member and its health.
    var members: [MemberStatus]?

    init(_ model: TopModel, now: Date) {
        time = now
        daemon = model.figures.map {
            Daemon(
                version: $0.version, pid: $0.pid, uptimeSeconds: $0.uptimeSeconds, connections: $0.connections,
                requestsPerSecond: $0.requestsPerSecond, memoryBytes: $0.memoryBytes, mode: $0.mode,
                mainReachable: $0.mainReachable)
        }
        deployments = model.names.compactMap { name in
            model.deployments[name].map { deployment in
                Row(
                    name: name, state: deployment.state, ownerUID: deployment.owner,
                    lastAction: deployment.lastAction.map { action in
                        Action(
                            id: action.id, command: action.command, started: action.started,
                            durationSeconds: action.duration ?? max(0, now.timeIntervalSince(action.started)),
                            result: action.result?.rawValue ?? "running", lastLine: action.lastLine)
                    })
            }
        }
        running = model.running.map(\.deployment)
        members = model.members
    }

    /// The snapshot as one line of JSON, with its newline.
    var line: String {
        String(decoding: (try? JSONCoding.shared.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}
