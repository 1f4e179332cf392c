/// Where a deployment stands: `"up"`, `"down"`, `"running"` (an action is in
/// progress) or `{"failed": <command>}` (the last action failed).
public enum DeploymentState: Sendable, Hashable {
    case up
    case down
    case running
    case failed(DeploymentCommand)
}

extension DeploymentState: Codable {
    private enum Key: String, CodingKey { case failed }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let word = try? single.decode(String.self) {
            switch word {
            case "up": self = .up
            case "down": self = .down
            case "running": self = .running
            default:
                throw DecodingError.dataCorruptedError(
                    in: single, debugDescription: "unknown deployment state \"\(word)\"")
            }
            return
        }
        let container = try decoder.container(keyedBy: Key.self)
        self = .failed(try container.decode(DeploymentCommand.self, forKey: .failed))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .failed(let command):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(command, forKey: .failed)
        default:
            var single = encoder.singleValueContainer()
            try single.encode(self.summary)
        }
    }

    /// One word for tables: `up`, `down`, `running` or `failed`.
    public var summary: String {
        switch self {
        case .up: "up"
        case .down: "down"
        case .running: "running"
        case .failed: "failed"
        }
    }
}
