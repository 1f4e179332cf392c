import FoundationEssentials

// Params and results of the methods in `RPCMethod`. Field names on the wire are snake_case.

/// Params with no fields.
public struct NoParams: Codable, Sendable, Hashable {
    public init() {}

    /// No field at all is accepted.
    public static let fieldNames: Set<String> = []
}

/// A result with no fields: `{}`.
public struct EmptyResult: Codable, Sendable, Hashable {
    public init() {}
}

/// The caller as the kernel saw it connect (SO_PEERCRED, SO_PEERGROUPS), and
/// the role that gives it on the socket it used.
public struct Identity: Codable, Sendable, Hashable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// Supplementary groups (gid 0 is never listed).
    public var groups: [UInt32]
    /// `reader`, `operator` or `admin`.
    public var role: String

    public init(uid: UInt32, gid: UInt32, pid: Int32, groups: [UInt32] = [], role: String = "admin") {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.groups = groups
        self.role = role
    }
}

/// `rpc.hello`'s params, all optional.
public struct HelloParams: Codable, Sendable, Hashable {
    /// The `rpc.stream` formats the client reads, most wanted first
    /// (`StreamFormat`); names the daemon does not know are passed over.
    public var streamFormats: [String]?

    public init(streamFormats: [StreamFormat]? = nil) {
        self.streamFormats = streamFormats?.map(\.rawValue)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case streamFormats = "stream_formats"
    }

    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `rpc.hello`'s result.
public struct HelloResult: Codable, Sendable, Hashable {
    public var server: String
    public var version: String
    public var `protocol`: Int
    public var mode: String
    public var identity: Identity
    /// The `rpc.stream` format of this connection from now on (`lines` or
    /// `data`); absent from daemons that know only `lines`.
    public var streamFormat: String?

    public init(server: String, version: String, protocol: Int, mode: String, identity: Identity, streamFormat: StreamFormat = .lines) {
        self.server = server
        self.version = version
        self.protocol = `protocol`
        self.mode = mode
        self.identity = identity
        self.streamFormat = streamFormat.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case server, version, `protocol`, mode, identity
        case streamFormat = "stream_format"
    }
}

/// `server.status`'s result.
public struct ServerStatus: Codable, Sendable, Hashable {
    public var version: String
    public var pid: Int32
    public var uptimeSeconds: Double
    public var openConnections: Int
    public var deployments: Int
    public var store: String
    public var stateDir: String
    public var socketActivated: Bool
    /// `main` or `client`.
    public var mode: String
    /// On a client: whether the main answered the last check (nil on the main).
    public var mainReachable: Bool?
    /// Cluster problems (unreadable files, certificates, ovs-vsctl failures), one sentence each.
    public var clusterProblems: [String]
    /// This daemon run's boot id and its last event's number (`events.watch`), and the watchers now.
    public var bootID: String?
    public var lastEvent: UInt64?
    public var eventWatchers: Int?

    public init(
        version: String, pid: Int32, uptimeSeconds: Double, openConnections: Int,
        deployments: Int, store: String, stateDir: String, socketActivated: Bool,
        mode: String = "main", mainReachable: Bool? = nil, clusterProblems: [String] = [],
        bootID: String? = nil, lastEvent: UInt64? = nil, eventWatchers: Int? = nil
    ) {
        self.bootID = bootID
        self.lastEvent = lastEvent
        self.eventWatchers = eventWatchers
        self.version = version
        self.pid = pid
        self.uptimeSeconds = uptimeSeconds
        self.openConnections = openConnections
        self.deployments = deployments
        self.store = store
        self.stateDir = stateDir
        self.socketActivated = socketActivated
        self.mode = mode
        self.mainReachable = mainReachable
        self.clusterProblems = clusterProblems
    }

    enum CodingKeys: String, CodingKey {
        case version, pid, deployments, store, mode
        case uptimeSeconds = "uptime_seconds"
        case openConnections = "open_connections"
        case stateDir = "state_dir"
        case socketActivated = "socket_activated"
        case mainReachable = "main_reachable"
        case clusterProblems = "cluster_problems"
        case bootID = "boot_id"
        case lastEvent = "last_event"
        case eventWatchers = "event_watchers"
    }

    /// The cluster fields are optional on the wire: a daemon from before the
    /// cluster is a main with no problems.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        pid = try container.decode(Int32.self, forKey: .pid)
        uptimeSeconds = try container.decode(Double.self, forKey: .uptimeSeconds)
        openConnections = try container.decode(Int.self, forKey: .openConnections)
        deployments = try container.decode(Int.self, forKey: .deployments)
        store = try container.decode(String.self, forKey: .store)
        stateDir = try container.decode(String.self, forKey: .stateDir)
        socketActivated = try container.decode(Bool.self, forKey: .socketActivated)
        mode = try container.decodeIfPresent(String.self, forKey: .mode) ?? "main"
        mainReachable = try container.decodeIfPresent(Bool.self, forKey: .mainReachable)
        clusterProblems = try container.decodeIfPresent([String].self, forKey: .clusterProblems) ?? []
        bootID = try container.decodeIfPresent(String.self, forKey: .bootID)
        lastEvent = try container.decodeIfPresent(UInt64.self, forKey: .lastEvent)
        eventWatchers = try container.decodeIfPresent(Int.self, forKey: .eventWatchers)
    }
}

/// `server.metrics`'s result: the daemon's metrics in the Prometheus text
/// exposition format (version 0.0.4), as node_exporter's textfile collector reads them.
public struct MetricsResult: Codable, Sendable, Hashable {
    public var format: String
    public var text: String

    public init(text: String) {
        self.format = "prometheus-text-0.0.4"
        self.text = text
    }
}

/// `deployment.list`'s result, sorted by name. `next`, present only when a
/// `limit` left deployments out, is the `after` of the next page.
public struct DeploymentList: Codable, Sendable, Hashable {
    public var deployments: [Deployment]
    public var next: String?

    public init(deployments: [Deployment], next: String? = nil) {
        self.deployments = deployments
        self.next = next
    }
}

/// `deployment.list`'s params, all optional: without any, every deployment.
public struct DeploymentListParams: Codable, Sendable, Hashable {
    /// At most this many deployments (1 to `maximumLimit`); the answer's `next` continues.
    public var limit: Int?
    /// Only deployments whose names sort after this one (a page's `next`).
    public var after: String?
    /// Only deployments in this state: `up`, `down`, `running` or `failed` (whatever failed).
    public var state: String?
    /// Only deployments this uid owns.
    public var owner: UInt32?

    public init(limit: Int? = nil, after: String? = nil, state: String? = nil, owner: UInt32? = nil) {
        self.limit = limit
        self.after = after
        self.state = state
        self.owner = owner
    }

    /// The largest page the daemon gives.
    public static let maximumLimit = 10_000
    /// The states `state` may name.
    public static let states = ["up", "down", "running", "failed"]

    enum CodingKeys: String, CodingKey, CaseIterable { case limit, after, state, owner }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// Params naming one deployment: `deployment.get`, `.destroy`, `.reset_state`.
public struct NameParams: Codable, Sendable, Hashable {
    public var name: String
    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey, CaseIterable { case name }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `deployment.reset_state`'s params: a deployment that is `up` is reset only with `force`.
public struct ResetStateParams: Codable, Sendable, Hashable {
    public var name: String
    public var force: Bool?
    public init(name: String, force: Bool = false) {
        self.name = name
        self.force = force
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, force }
    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}

/// `deployment.create`'s params.
public struct CreateParams: Codable, Sendable, Hashable {
    public var name: String
    public var projectLocation: String

    public init(name: String, projectLocation: String) {
        self.name = name
        self.projectLocation = projectLocation
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case projectLocation = "project_location"
    }

    /// The wire names this type reads (from its `CodingKeys`), so a misspelt one is refused.
    public static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
}
