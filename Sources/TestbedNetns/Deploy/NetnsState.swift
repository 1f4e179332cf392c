import Foundation

/// The authoritative record of one deployed project, kept by root under the
/// daemon's state folder and written before each step, so that whatever an
/// interrupted `up` created, `down` knows it. It lists every namespace, link,
/// address and route, and each guest's unit or processes.
public struct NetnsState: Codable, Sendable {
    public enum Phase: String, Codable, Sendable {
        /// Nothing is created: the plan `generate-artefacts` writes for people.
        case planned
        /// `up` is creating what the state lists; some of it may not exist yet.
        case creating
        /// Everything listed exists and the guests were started.
        case up
        /// `down` or a rollback is removing what the state lists.
        case removing
    }

    public var version = 1
    public var identity: ProjectIdentity
    public var ownerUID: UInt32
    public var phase: Phase
    public var updatedAt: String
    public var topology: Topology
    public var namespaces: [NamespaceRecord]
    public var links: [LinkRecord]
    public var addresses: [AddressRecord]
    public var routes: [RouteRecord]
    public var guests: [GuestRecord]

    enum CodingKeys: String, CodingKey {
        case version, identity, phase, topology, namespaces, links, addresses, routes, guests
        case ownerUID = "owner_uid"
        case updatedAt = "updated_at"
    }

    public init(plan: DeploymentPlan, ownerUID: UInt32) {
        identity = plan.identity
        self.ownerUID = ownerUID
        phase = .creating
        updatedAt = ""
        topology = plan.topology
        namespaces = plan.namespaces
        links = plan.links
        addresses = plan.addresses
        routes = plan.routes
        guests = []
    }
}

public struct NamespaceRecord: Codable, Sendable, Equatable {
    public var name: String
    /// "fabric", "router NAME" or "guest NAME".
    public var role: String
}

public struct LinkRecord: Codable, Sendable, Equatable {
    /// The veth end in the fabric namespace, enslaved to `bridge`.
    public var fabricEnd: String
    public var bridge: String
    /// The other end's namespace and name there.
    public var namespace: String
    public var device: String
    public var mac: String

    enum CodingKeys: String, CodingKey {
        case bridge, namespace, device, mac
        case fabricEnd = "fabric_end"
    }
}

public struct AddressRecord: Codable, Sendable, Equatable {
    public var namespace: String
    public var device: String
    /// CIDR form.
    public var address: String
}

public struct RouteRecord: Codable, Sendable, Equatable {
    public var namespace: String
    /// A CIDR prefix, or "default".
    public var destination: String
    public var via: String
    public var device: String?
    public var metric: Int?
}

/// How one guest's command runs: a transient systemd unit, or a session of its own.
public struct GuestRecord: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String
    /// The unit, under systemd.
    public var unit: String?
    /// The processes found in its namespace once it started (for people: `down`
    /// stops whatever is in the namespace, not these pids, which may be reused).
    public var pids: [Int32]
}
