/// A snapshot sub-command, encoded as the original did:
/// `{"create":{"name":"g","snapshot":"s","all":false}}` (likewise `delete` and
/// `restore`), `{"info":{"name":"g"}}`, `{"list":{"name":"g","all":false}}`.
public enum SnapshotCommand: Sendable, Hashable {
    case create(SnapshotTarget)
    case delete(SnapshotTarget)
    case restore(SnapshotTarget)
    case info(name: String)
    case list(name: String?, all: Bool)

    /// Which guest and snapshot a create, delete or restore applies to.
    public struct SnapshotTarget: Codable, Sendable, Hashable {
        public var name: String?
        public var snapshot: String?
        public var all: Bool

        public init(name: String? = nil, snapshot: String? = nil, all: Bool = false) {
            self.name = name
            self.snapshot = snapshot
            self.all = all
        }

        public init(from decoder: any Decoder) throws {
            try decoder.refuseUnknownMembers(["name", "snapshot", "all"], in: "a snapshot target")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            snapshot = try container.decodeIfPresent(String.self, forKey: .snapshot)
            all = try container.decode(Bool.self, forKey: .all)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(snapshot, forKey: .snapshot)
            try container.encode(all, forKey: .all)
        }

        enum CodingKeys: String, CodingKey { case name, snapshot, all }
    }

    /// Read-only queries never change a deployment's state.
    public var isReadOnly: Bool {
        switch self {
        case .info, .list: true
        case .create, .delete, .restore: false
        }
    }
}

extension SnapshotCommand: Codable {
    private enum Tag: String, CodingKey { case create, delete, restore, info, list }
    private enum Field: String, CodingKey { case name, all }

    public init(from decoder: any Decoder) throws {
        try decoder.requireSingleMember("a snapshot command")
        let container = try decoder.container(keyedBy: Tag.self)
        guard let tag = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a snapshot command has exactly one of create, delete, restore, info, list"))
        }
        switch tag {
        case .create: self = .create(try container.decode(SnapshotTarget.self, forKey: .create))
        case .delete: self = .delete(try container.decode(SnapshotTarget.self, forKey: .delete))
        case .restore: self = .restore(try container.decode(SnapshotTarget.self, forKey: .restore))
        case .info:
            try container.superDecoder(forKey: .info).refuseUnknownMembers(["name"], in: "snapshot info")
            let inner = try container.nestedContainer(keyedBy: Field.self, forKey: .info)
            self = .info(name: try inner.decode(String.self, forKey: .name))
        case .list:
            try container.superDecoder(forKey: .list).refuseUnknownMembers(["name", "all"], in: "snapshot list")
            let inner = try container.nestedContainer(keyedBy: Field.self, forKey: .list)
            self = .list(
                name: try inner.decodeIfPresent(String.self, forKey: .name),
                all: try inner.decodeIfPresent(Bool.self, forKey: .all) ?? false)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Tag.self)
        switch self {
        case .create(let target): try container.encode(target, forKey: .create)
        case .delete(let target): try container.encode(target, forKey: .delete)
        case .restore(let target): try container.encode(target, forKey: .restore)
        case .info(let name):
            var inner = container.nestedContainer(keyedBy: Field.self, forKey: .info)
            try inner.encode(name, forKey: .name)
        case .list(let name, let all):
            var inner = container.nestedContainer(keyedBy: Field.self, forKey: .list)
            try inner.encode(name, forKey: .name)
            try inner.encode(all, forKey: .all)
        }
    }
}
