import Foundation

/// Where the authoritative state lives: `<state_dir>/netns/<hash>.json`, mode
/// 0600 in a folder of mode 0700, written atomically (a new file, fsync,
/// rename). Only root reads or writes it; the owner's copy in the project
/// folder is never read.
public struct StateFile: Sendable {
    public var path: String
    public var identity: ProjectIdentity

    public init(identity: ProjectIdentity) {
        self.identity = identity
        path = "\(identity.stateFolder)/netns/\(identity.hash).json"
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The recorded state, nil if there is none. A state that is not this
    /// project's (another folder or name under the same hash) is an error.
    public func load() throws(OrchestratorError) -> NetnsState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let state: NetnsState
        do {
            state = try JSONDecoder().decode(NetnsState.self, from: data)
        } catch {
            throw OrchestratorError(.failed, "the state file \(path) cannot be read (\(error)); move it away and run down to remove the project's namespaces")
        }
        guard state.identity == identity else {
            throw OrchestratorError(.conflict, "the state file \(path) belongs to \(state.identity.deployment) in \(state.identity.projectFolder), not to this project")
        }
        return state
    }

    /// Writes `state` atomically.
    public func save(_ state: NetnsState) throws(OrchestratorError) {
        var state = state
        state.updatedAt = Self.now()
        let folder = (path as NSString).deletingLastPathComponent
        if mkdir(folder, 0o700) != 0, errno != EEXIST {
            throw OrchestratorError(.failed, "cannot create \(folder): \(String(cString: strerror(errno)))")
        }
        guard let data = try? Self.encoder.encode(state) else {
            throw OrchestratorError(.failed, "cannot encode the state")
        }
        let temporary = path + ".new"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OrchestratorError(.failed, "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw OrchestratorError(.failed, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }

    /// Now, as the state's `updated_at` writes it.
    static func now() -> String { timeStyle.format(Date()) }
    private static let timeStyle = Date.ISO8601FormatStyle(timeZone: .gmt)

    public func remove() {
        unlink(path)
    }

    /// The state as JSON, for the owner's copy in the project folder.
    public static func render(_ state: NetnsState) -> [UInt8] {
        ((try? encoder.encode(state)).map { [UInt8]($0) } ?? []) + [UInt8(ascii: "\n")]
    }
}
