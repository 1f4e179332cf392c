/// An orchestration command, encoded as the original server encoded it:
/// `"down"`, `"generate_artefacts"`, `"clear_artefacts"`,
/// `{"up":{"up_cmd":{...}}}`, `{"snapshot":{"snapshot_cmd":{...}}}`,
/// `{"testbed_snapshot":{"snapshot_guests":false}}`.
public enum DeploymentCommand: Sendable, Hashable {
    case up(UpOptions)
    case down
    case generateArtefacts
    case clearArtefacts
    case snapshot(SnapshotCommand)
    case testbedSnapshot(snapshotGuests: Bool)

    /// The options of `up`.
    public struct UpOptions: Codable, Sendable, Hashable {
        public var provision: Bool
        public var rerunScripts: Bool
        public var reapplyAcl: Bool

        public init(provision: Bool = false, rerunScripts: Bool = false, reapplyAcl: Bool = false) {
            self.provision = provision
            self.rerunScripts = rerunScripts
            self.reapplyAcl = reapplyAcl
        }

        enum CodingKeys: String, CodingKey {
            case provision
            case rerunScripts = "rerun_scripts"
            case reapplyAcl = "reapply_acl"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.refuseUnknownMembers(["provision", "rerun_scripts", "reapply_acl"], in: "up_cmd")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            provision = try container.decode(Bool.self, forKey: .provision)
            rerunScripts = try container.decode(Bool.self, forKey: .rerunScripts)
            reapplyAcl = try container.decode(Bool.self, forKey: .reapplyAcl)
        }
    }
}

extension DeploymentCommand: Codable {
    private enum Tag: String, CodingKey {
        case up, down, snapshot
        case generateArtefacts = "generate_artefacts"
        case clearArtefacts = "clear_artefacts"
        case testbedSnapshot = "testbed_snapshot"
    }

    private enum Inner: String, CodingKey {
        case upCmd = "up_cmd"
        case snapshotCmd = "snapshot_cmd"
        case snapshotGuests = "snapshot_guests"
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let word = try? single.decode(String.self) {
            switch Tag(rawValue: word) {
            case .down: self = .down
            case .generateArtefacts: self = .generateArtefacts
            case .clearArtefacts: self = .clearArtefacts
            default:
                throw DecodingError.dataCorruptedError(
                    in: single, debugDescription: "unknown command \"\(word)\"")
            }
            return
        }
        try decoder.requireSingleMember("a command object")
        let container = try decoder.container(keyedBy: Tag.self)
        guard let tag = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "unknown command"))
        }
        switch tag {
        case .up:
            let inner = try container.nestedContainer(keyedBy: Inner.self, forKey: .up)
            self = .up(try inner.decode(UpOptions.self, forKey: .upCmd))
        case .snapshot:
            let inner = try container.nestedContainer(keyedBy: Inner.self, forKey: .snapshot)
            self = .snapshot(try inner.decode(SnapshotCommand.self, forKey: .snapshotCmd))
        case .testbedSnapshot:
            let inner = try container.nestedContainer(keyedBy: Inner.self, forKey: .testbedSnapshot)
            self = .testbedSnapshot(snapshotGuests: try inner.decode(Bool.self, forKey: .snapshotGuests))
        case .down, .generateArtefacts, .clearArtefacts:
            throw DecodingError.dataCorruptedError(
                forKey: tag, in: container, debugDescription: "\"\(tag.rawValue)\" is written as a plain string")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .down, .generateArtefacts, .clearArtefacts:
            var single = encoder.singleValueContainer()
            try single.encode(self.word)
        case .up(let options):
            var container = encoder.container(keyedBy: Tag.self)
            var inner = container.nestedContainer(keyedBy: Inner.self, forKey: .up)
            try inner.encode(options, forKey: .upCmd)
        case .snapshot(let command):
            var container = encoder.container(keyedBy: Tag.self)
            var inner = container.nestedContainer(keyedBy: Inner.self, forKey: .snapshot)
            try inner.encode(command, forKey: .snapshotCmd)
        case .testbedSnapshot(let guests):
            var container = encoder.container(keyedBy: Tag.self)
            var inner = container.nestedContainer(keyedBy: Inner.self, forKey: .testbedSnapshot)
            try inner.encode(guests, forKey: .snapshotGuests)
        }
    }

    /// Read-only queries (`snapshot info`, `snapshot list`) never change a deployment's state.
    public var isReadOnly: Bool {
        if case .snapshot(let snapshot) = self { return snapshot.isReadOnly }
        return false
    }

    /// The command's name in the original's snake_case encoding.
    public var word: String {
        switch self {
        case .up: Tag.up.rawValue
        case .down: Tag.down.rawValue
        case .generateArtefacts: Tag.generateArtefacts.rawValue
        case .clearArtefacts: Tag.clearArtefacts.rawValue
        case .snapshot: Tag.snapshot.rawValue
        case .testbedSnapshot: Tag.testbedSnapshot.rawValue
        }
    }
}
