import FoundationEssentials

// Params and results of the cluster methods: the peer methods served over the
// bridge, and the local ones (`cluster.*`, `config.*`) served on the Unix sockets.

/// `cluster.join`'s params: the joining host's description and the port of its own bridge.
public struct JoinParams: Codable, Sendable, Hashable {
    public var host: HostDescription
    /// Where the main reaches this host's bridge for health checks (at `host.ip`).
    public var bridgePort: Int

    public init(host: HostDescription, bridgePort: Int) {
        self.host = host
        self.bridgePort = bridgePort
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host
        case bridgePort = "bridge_port"
    }

    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `cluster.join`'s result: what the member needs from the main.
public struct JoinResult: Codable, Sendable, Hashable {
    public var mainChassis: String
    /// The main's OVN southbound database, `tcp:<main ip>:6642`.
    public var ovnRemote: String

    public init(mainChassis: String, ovnRemote: String) {
        self.mainChassis = mainChassis
        self.ovnRemote = ovnRemote
    }

    enum CodingKeys: String, CodingKey {
        case mainChassis = "main_chassis"
        case ovnRemote = "ovn_remote"
    }
}

/// `host.status`'s result: a host's answer to the main's health check.
public struct HostStatus: Codable, Sendable, Hashable {
    public var chassis: String
    public var mode: String
    public var version: String
    public var uptimeSeconds: Double
    public var deployments: Int

    public init(chassis: String, mode: String, version: String, uptimeSeconds: Double, deployments: Int) {
        self.chassis = chassis
        self.mode = mode
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.deployments = deployments
    }

    enum CodingKeys: String, CodingKey {
        case chassis, mode, version, deployments
        case uptimeSeconds = "uptime_seconds"
    }
}

/// One member as `cluster.status` shows it.
public struct MemberStatus: Codable, Sendable, Hashable {
    public var chassis: String
    /// Its bridge address, `ip:port` (empty for the main's own entry).
    public var address: String
    /// When it last answered a check or sent a heartbeat.
    public var lastSeen: Date?
    /// Consecutive failed checks.
    public var misses: Int
    /// `self` (the main), `healthy`, `missing` (failed its last check), or
    /// `unchecked` (not heard from since the main started).
    public var state: String

    public init(chassis: String, address: String, lastSeen: Date?, misses: Int, state: String) {
        self.chassis = chassis
        self.address = address
        self.lastSeen = lastSeen
        self.misses = misses
        self.state = state
    }

    enum CodingKeys: String, CodingKey {
        case chassis, address, misses, state
        case lastSeen = "last_seen"
    }
}

/// On a client, its link to the main.
public struct MainLinkStatus: Codable, Sendable, Hashable {
    public var address: String
    public var chassis: String
    /// The last check of the main succeeded.
    public var reachable: Bool
    /// This host is a member (joined and not since refused).
    public var joined: Bool
    public var lastContact: Date?
    /// Why the last attempt failed, if it did.
    public var lastError: String?
    /// The OVN remote the main gave, and whether applying it with ovs-vsctl failed.
    public var ovnRemote: String?
    public var ovnRemoteError: String?

    public init(
        address: String, chassis: String, reachable: Bool, joined: Bool, lastContact: Date?, lastError: String?,
        ovnRemote: String?, ovnRemoteError: String?
    ) {
        self.address = address
        self.chassis = chassis
        self.reachable = reachable
        self.joined = joined
        self.lastContact = lastContact
        self.lastError = lastError
        self.ovnRemote = ovnRemote
        self.ovnRemoteError = ovnRemoteError
    }

    enum CodingKeys: String, CodingKey {
        case address, chassis, reachable, joined
        case lastContact = "last_contact"
        case lastError = "last_error"
        case ovnRemote = "ovn_remote"
        case ovnRemoteError = "ovn_remote_error"
    }
}

/// `cluster.status`'s result.
public struct ClusterStatus: Codable, Sendable, Hashable {
    /// `main` or `client`.
    public var mode: String
    /// This host's chassis (from its certificate, else its host.json); nil when neither is readable.
    public var chassis: String?
    /// The bridge's listening address, nil when it is off.
    public var bridge: String?
    /// On the main: every member, itself included.
    public var members: [MemberStatus]
    /// On a client: the link to the main.
    public var main: MainLinkStatus?
    /// Files that could not be read or written, certificates that do not load: one sentence each.
    public var problems: [String]
    /// When this node's bridge certificate expires.
    public var certificateExpires: Date?

    public init(
        mode: String, chassis: String?, bridge: String?, members: [MemberStatus], main: MainLinkStatus?, problems: [String],
        certificateExpires: Date? = nil
    ) {
        self.mode = mode
        self.chassis = chassis
        self.bridge = bridge
        self.members = members
        self.main = main
        self.problems = problems
        self.certificateExpires = certificateExpires
    }

    enum CodingKeys: String, CodingKey {
        case mode, chassis, bridge, members, main, problems
        case certificateExpires = "certificate_expires"
    }
}

/// `cluster.evict`'s params.
public struct EvictParams: Codable, Sendable, Hashable {
    public var chassis: String
    /// Also revoke the certificate it joined with (the default), so it cannot rejoin with it.
    public var revoke: Bool?

    public init(chassis: String, revoke: Bool? = nil) {
        self.chassis = chassis
        self.revoke = revoke
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case chassis, revoke }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `cluster.evict`'s result.
public struct EvictResult: Codable, Sendable, Hashable {
    /// It was a member (an eviction of a host already gone still revokes).
    public var wasMember: Bool
    /// The serial number revoked, if any.
    public var revokedSerial: String?

    public init(wasMember: Bool, revokedSerial: String?) {
        self.wasMember = wasMember
        self.revokedSerial = revokedSerial
    }

    enum CodingKeys: String, CodingKey {
        case wasMember = "was_member"
        case revokedSerial = "revoked_serial"
    }
}

/// `config.get`'s params: `host` (this host's host.json) or `cluster` (the main's kvm-compose-config.json).
public struct ConfigGetParams: Codable, Sendable, Hashable {
    public var name: String
    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey, CaseIterable { case name }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `config.set`'s params: only `host` can be set; the cluster file belongs to the main's membership.
public struct ConfigSetParams: Codable, Sendable, Hashable {
    public var name: String
    public var value: HostDescription

    public init(name: String, value: HostDescription) {
        self.name = name
        self.value = value
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, value }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}
