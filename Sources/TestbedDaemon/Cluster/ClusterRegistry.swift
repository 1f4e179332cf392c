import Foundation
import NIOConcurrencyHelpers
import Synchronization
import TestbedProtocol

/// The cluster's files under `<state_dir>/config`, served from memory and
/// changed the way the deployment registry changes deployments: one writer at
/// a time, the file first (atomically), memory only once it is durable.
///
/// - `host.json`: this host's description.
/// - `kvm-compose-config.json`: on the main, every member's host.json under its
///   chassis (`testbed_host_ssh_config`), its own entry always present; other
///   top-level keys are kept as they are.
/// - `cluster-state.json`: on the main, each member's bridge address and the
///   certificate it joined with, and the revoked certificates.
///
/// A file that cannot be read or parsed is a problem reported by
/// `cluster.status` and `server.status`, never a crash. A corrupt
/// kvm-compose-config.json is moved aside (never overwritten) before the first
/// write replaces it.
public final class ClusterRegistry: Sendable {
    public let folder: String
    var hostPath: String { folder + "/host.json" }
    var clusterPath: String { folder + "/kvm-compose-config.json" }
    var statePath: String { folder + "/cluster-state.json" }
    var modePath: String { folder + "/mode.json" }
    let clock: any WallClock
    /// Where joins, evictions and changes of health are announced.
    let events: EventHub?

    /// What the main keeps about a member beyond its host.json.
    struct MemberRecord: Codable, Sendable, Hashable {
        var address: String
        var certificateSerial: String?
        var joinedAt: Date

        enum CodingKeys: String, CodingKey {
            case address
            case certificateSerial = "certificate_serial"
            case joinedAt = "joined_at"
        }
    }

    /// A certificate that may no longer be used on the bridge.
    struct RevokedCertificate: Codable, Sendable, Hashable {
        var serial: String
        var chassis: String
        var revokedAt: Date

        enum CodingKeys: String, CodingKey {
            case serial, chassis
            case revokedAt = "revoked_at"
        }
    }

    struct StateFile: Codable, Sendable {
        var members: [String: MemberRecord] = [:]
        var revoked: [RevokedCertificate] = []
    }

    /// A member's health as the main's checks see it (memory only).
    struct Health: Sendable {
        var lastSeen: Date?
        var misses = 0
    }

    /// A member as `cluster.status` shows it.
    struct Member: Sendable {
        var chassis: String
        var host: HostDescription
        var record: MemberRecord?
        var health: Health
    }

    /// What the files hold, as last written: changed only by `mutate`, on a
    /// copy that replaces it once the disk has it.
    private struct Files {
        var host: HostDescription?
        var hosts: [String: HostDescription] = [:]
        var otherClusterKeys: [String: JSONValue] = [:]
        var clusterFileCorrupt = false
        var file = StateFile()
        var revokedSerials: Set<String> = []
        /// The files' own problems (unreadable, corrupt, moved aside), by file name.
        var problems: [String: String] = [:]
    }

    /// What lives in memory only and moves on its own: members' health, and
    /// problems that are not the files' (the bridge, the chassis, Open vSwitch).
    private struct Runtime {
        var health: [String: Health] = [:]
        /// Problems by topic, so one that is fixed can be cleared.
        var problems: [String: String] = [:]
    }

    private let files: Locked<Files>
    private let runtime = Locked(Runtime())
    /// Held for the whole of a mutation of the files, disk writes included.
    private let writer = NIOLock()

    /// Loads the files in `folder`, creating it when missing.
    public init(folder: String, clock: any WallClock = SystemClock(), events: EventHub? = nil) throws {
        try AtomicFile.makeFolder(folder, mode: 0o755)
        self.folder = folder
        self.clock = clock
        self.events = events
        var state = Files()
        Self.load(folder + "/host.json", into: &state, topic: "host.json") { data, state in
            state.host = try JSONCoding.sharedDecoder.decode(HostDescription.self, from: data)
        }
        Self.load(folder + "/kvm-compose-config.json", into: &state, topic: "kvm-compose-config.json") { data, state in
            let (hosts, other) = try Self.parseClusterFile(data)
            state.hosts = hosts
            state.otherClusterKeys = other
        }
        if state.problems["kvm-compose-config.json"] != nil { state.clusterFileCorrupt = true }
        Self.load(folder + "/cluster-state.json", into: &state, topic: "cluster-state.json") { data, state in
            state.file = try JSONCoding.sharedDecoder.decode(StateFile.self, from: data)
        }
        state.revokedSerials = Set(state.file.revoked.map(\.serial))
        self.files = Locked(state)
    }

    private static func load(
        _ path: String, into state: inout Files, topic: String, _ parse: (Data, inout Files) throws -> Void
    ) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            state.problems[topic] = "\(path) cannot be read (check its permissions); it is left as it is"
            return
        }
        do {
            try parse(data, &state)
        } catch let error as DecodingError {
            state.problems[topic] = "\(path) is corrupt (\(DecodingProblem(error).message)); it is left as it is"
        } catch {
            state.problems[topic] = "\(path) is corrupt (\(error)); it is left as it is"
        }
    }

    static func parseClusterFile(_ data: Data) throws -> ([String: HostDescription], [String: JSONValue]) {
        guard case .object(var top) = try JSONCoding.sharedDecoder.decode(JSONValue.self, from: data) else {
            throw StoreError("the top level is not an object")
        }
        var hosts: [String: HostDescription] = [:]
        if let entries = top.removeValue(forKey: "testbed_host_ssh_config") {
            guard case .object(let members) = entries else { throw StoreError("testbed_host_ssh_config is not an object") }
            for (chassis, value) in members {
                do {
                    hosts[chassis] = try value.decoded(as: HostDescription.self)
                } catch {
                    throw StoreError("the entry for \(chassis) is not a valid host.json: \(error)")
                }
            }
        }
        return (hosts, top)
    }

    // MARK: Reads, from memory

    public var host: HostDescription? { files.withLock { $0.host } }

    /// One sentence per problem, sorted.
    public var problems: [String] {
        (files.withLock { Array($0.problems.values) } + runtime.withLock { Array($0.problems.values) }).sorted()
    }

    /// Whether the certificate with this serial is revoked.
    public func isRevoked(serial: String) -> Bool { files.withLock { $0.revokedSerials.contains(serial) } }

    /// Whether `chassis` is a member (the main's own entry counts).
    public func isMember(_ chassis: String) -> Bool { files.withLock { $0.hosts[chassis] != nil } }

    /// Every member, sorted by chassis.
    func members() -> [Member] {
        let health = runtime.withLock { $0.health }
        return files.withLock { state in
            state.hosts.keys.sorted().map { chassis in
                Member(chassis: chassis, host: state.hosts[chassis]!, record: state.file.members[chassis],
                       health: health[chassis] ?? Health())
            }
        }
    }

    /// The last certificate serial `chassis` joined with.
    func serial(of chassis: String) -> String? { files.withLock { $0.file.members[chassis]?.certificateSerial } }

    /// kvm-compose-config.json as served by `config.get cluster`.
    func clusterDocument() -> JSONValue {
        files.withLock { state in Self.clusterValue(hosts: state.hosts, other: state.otherClusterKeys) }
    }

    private static func clusterValue(hosts: [String: HostDescription], other: [String: JSONValue]) -> JSONValue {
        var top = other
        var entries: [String: JSONValue] = [:]
        for (chassis, host) in hosts {
            entries[chassis] = (try? JSONValue(encoding: host)) ?? .null
        }
        top["testbed_host_ssh_config"] = .object(entries)
        return .object(top)
    }

    // MARK: Problems that are not files'

    /// Records (or, with nil, clears) a problem under `topic`.
    public func setProblem(_ topic: String, _ sentence: String?) {
        runtime.withLock { $0.problems[topic] = sentence }
    }

    // MARK: Mutations: serialized, durable first; they block on disk I/O

    /// Writes this host's description. On the main, its own entry in the cluster follows.
    func setHost(_ host: HostDescription, isMain: Bool) throws(ClusterError) {
        try mutate { state in try self.writeHost(host, isMain: isMain, state: &state) }
        // Writes that failed before (at start-up) are fixed now.
        runtime.withLock { runtime in
            runtime.problems["host.json"] = nil
            if isMain { runtime.problems["own-entry"] = nil }
        }
    }

    /// Writes host.json and, on the main, its own entry in the cluster (replacing a
    /// stale one under another chassis).
    private func writeHost(_ host: HostDescription, isMain: Bool, state: inout Files) throws {
        try write(host, to: hostPath, mode: 0o644)
        state.host = host
        state.problems["host.json"] = nil
        if isMain {
            var hosts = state.hosts.filter { !$0.value.isMainHost || $0.key == host.ovn.chassisName }
            hosts[host.ovn.chassisName] = host
            try writeCluster(hosts: hosts, state: &state)
        }
    }

    /// Changes this host's description with `change` under the writer, so no
    /// concurrent change is lost; writes nothing when it changes nothing, or when
    /// there is no host.json.
    func updateHost(isMain: Bool, _ change: (inout HostDescription) -> Void) throws(ClusterError) {
        try mutate { state in
            guard let current = state.host else { return }
            var host = current
            change(&host)
            if host != current { try self.writeHost(host, isMain: isMain, state: &state) }
        }
    }

    /// Removes `chassis` if its misses still reach `threshold`: a member that
    /// answered or joined again meanwhile stays. Returns whether it was removed.
    func removeIfStillMissing(_ chassis: String, threshold: Int) throws(ClusterError) -> Bool {
        let removed = try mutate { state -> Bool in
            let misses = self.runtime.withLock { $0.health[chassis]?.misses ?? 0 }
            guard misses >= threshold, state.hosts[chassis] != nil else { return false }
            var hosts = state.hosts
            hosts[chassis] = nil
            try self.writeCluster(hosts: hosts, state: &state)
            self.announce(.clusterEvicted, chassis)
            return true
        }
        if removed { runtime.withLock { _ = $0.health.removeValue(forKey: chassis) } }
        return removed
    }

    /// Adds or replaces member `chassis`. Returns whether it was already a member.
    @discardableResult
    func join(chassis: String, host: HostDescription, address: String, serial: String?) throws(ClusterError) -> Bool {
        let wasMember = try mutate { state in
            // Checked again under the writer: an eviction may have revoked it since the request arrived.
            if let serial, state.revokedSerials.contains(serial) {
                throw ClusterError.revoked(chassis: chassis, serial: serial)
            }
            let wasMember = state.hosts[chassis] != nil
            if state.hosts[chassis] == host, let record = state.file.members[chassis], record.address == address,
                record.certificateSerial == serial
            {
                self.runtime.withLock { $0.health[chassis] = Health(lastSeen: self.clock.now(), misses: 0) }
                return true
            }
            var file = state.file
            file.members[chassis] = MemberRecord(address: address, certificateSerial: serial, joinedAt: self.clock.now())
            try self.write(file, to: self.statePath, mode: 0o600)
            state.file = file
            var hosts = state.hosts
            hosts[chassis] = host
            try self.writeCluster(hosts: hosts, state: &state)
            // Under the writer: a check that counts misses cannot remove it meanwhile.
            self.runtime.withLock { $0.health[chassis] = Health(lastSeen: self.clock.now(), misses: 0) }
            if !wasMember { self.announce(.clusterJoined, chassis) }
            return wasMember
        }
        return wasMember
    }

    /// Removes member `chassis`, revoking `serial` when given. Returns whether it was a member.
    @discardableResult
    func remove(chassis: String, revoking serial: String? = nil) throws(ClusterError) -> Bool {
        // The revocation is its own durable step: once written, it holds even if
        // the cluster file cannot be.
        if let serial {
            try mutate { state in
                guard !state.revokedSerials.contains(serial) else { return }
                var file = state.file
                file.revoked.append(RevokedCertificate(serial: serial, chassis: chassis, revokedAt: self.clock.now()))
                try self.write(file, to: self.statePath, mode: 0o600)
                state.file = file
                state.revokedSerials.insert(serial)
            }
        }
        let wasMember = try mutate { state in
            let wasMember = state.hosts[chassis] != nil
            if wasMember {
                var hosts = state.hosts
                hosts[chassis] = nil
                try self.writeCluster(hosts: hosts, state: &state)
                self.announce(.clusterEvicted, chassis)
            }
            return wasMember
        }
        runtime.withLock { _ = $0.health.removeValue(forKey: chassis) }
        return wasMember
    }

    /// Records a check of `chassis`: a success clears its misses; a failure
    /// adds one. Returns the misses after it and the misses before it.
    func recordCheck(_ chassis: String, succeeded: Bool) -> (misses: Int, previous: Int) {
        let isMember = isMember(chassis)
        return runtime.withLock { state in
            var health = state.health[chassis] ?? Health()
            let previous = health.misses
            if succeeded {
                health.misses = 0
                health.lastSeen = clock.now()
            } else {
                health.misses += 1
            }
            if isMember {
                state.health[chassis] = health
                // Announced when it changes: the first miss, and the first success after misses.
                if (previous == 0) != (health.misses == 0) { announce(.clusterHealth, chassis, healthy: health.misses == 0) }
            }
            return (health.misses, previous)
        }
    }

    private func announce(_ kind: DaemonEvent.Kind, _ chassis: String, healthy: Bool? = nil) {
        events?.publish(kind) { event in
            event.chassis = chassis
            event.healthy = healthy
        }
    }

    /// Records a heartbeat from `chassis`: it is seen, but only the main's own
    /// checks count misses.
    func recordHeartbeat(_ chassis: String) {
        guard isMember(chassis) else { return }
        runtime.withLock { state in
            state.health[chassis, default: Health()].lastSeen = clock.now()
        }
    }

    /// Makes the main's own entry match its host.json (at start-up).
    func ensureOwnEntry() throws(ClusterError) {
        guard let host = self.host else { return }
        if files.withLock({ $0.hosts[host.ovn.chassisName] == host && !$0.clusterFileCorrupt }) { return }
        try setHost(host, isMain: true)
    }

    /// Runs `body` on a copy of the files under the writer; the copy becomes
    /// what is served only if `body` (which writes the disk) succeeds.
    private func mutate<R>(_ body: (inout Files) throws -> R) throws(ClusterError) -> R {
        do {
            return try writer.withLock {
                var copy = files.withLock { $0 }
                let result = try body(&copy)
                files.withLock { $0 = copy }
                return result
            }
        } catch let error as ClusterError {
            throw error
        } catch {
            throw .storage("the cluster configuration could not be written: \(error)")
        }
    }

    private func writeCluster(hosts: [String: HostDescription], state: inout Files) throws {
        if state.clusterFileCorrupt, FileManager.default.fileExists(atPath: clusterPath) {
            let aside = clusterPath + ".corrupt-\(Int(clock.now().timeIntervalSince1970))"
            guard rename(clusterPath, aside) == 0 else {
                throw StoreError("cannot move the corrupt \(clusterPath) aside to \(aside): \(String(cString: strerror(errno)))")
            }
            state.problems["kvm-compose-config.json"] = "\(clusterPath) was corrupt; it was moved to \(aside) and a new one written"
        }
        let value = Self.clusterValue(hosts: hosts, other: state.otherClusterKeys)
        try write(value, to: clusterPath, mode: 0o644)
        state.clusterFileCorrupt = false
        state.hosts = hosts
    }

    private func write<T: Encodable>(_ value: T, to path: String, mode: mode_t) throws {
        try AtomicFile.write(try JSONCoding.prettyEncoder().encode(value) + Data("\n".utf8), to: path, mode: mode)
    }
}
