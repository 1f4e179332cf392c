import Crypto

/// Who a deployment is, and every name derived from it. The hash covers the
/// daemon's state folder, the canonical project folder and the deployment's
/// name, so two projects (or one project under two daemons) never share a name
/// in /run/netns, which the whole host shares.
public struct ProjectIdentity: Sendable, Equatable, Codable {
    public var stateFolder: String
    public var projectFolder: String
    public var deployment: String
    /// SHA-256 of the three, in hex.
    public var hash: String

    public init(stateFolder: String, projectFolder: String, deployment: String) {
        self.stateFolder = stateFolder
        self.projectFolder = projectFolder
        self.deployment = deployment
        let digest = SHA256.hash(data: Array("\(stateFolder)\0\(projectFolder)\0\(deployment)".utf8))
        hash = digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// 16 hex digits (64 bits) in namespace and unit names: a hostile owner cannot
    /// pick a folder whose names land on another project's.
    var longTag: String { String(hash.prefix(16)) }

    /// 6 hex digits in interface names, which Linux keeps to 15 characters. They
    /// live only in this project's own namespaces, so they cannot collide with
    /// another project's; the tag is there for people reading `ip link`.
    var shortTag: String { String(hash.prefix(6)) }

    /// Every namespace of this project, and nothing of another, starts with this.
    public var namespacePrefix: String { "tb-\(longTag)-" }

    public var fabricNamespace: String { namespacePrefix + "fabric" }
    public func guestNamespace(_ guest: String) -> String { namespacePrefix + "g-" + guest }
    public func routerNamespace(_ router: String) -> String { namespacePrefix + "r-" + router }

    /// The project's cgroup, without systemd: `testbed-netns/tb-<tag>`.
    public var cgroupName: String { "tb-\(longTag)" }

    /// Every guest unit of this project starts with this.
    public var unitPrefix: String { "testbed-guest-\(longTag)-" }
    public func guestUnit(_ guest: String) -> String { unitPrefix + guest + ".service" }

    /// The bridge of switch number `index` in the fabric namespace.
    public func bridgeName(_ index: Int) -> String { "tb\(shortTag)s\(index)" }
    /// The fabric's end of link number `index`.
    public func linkName(_ index: Int) -> String { "tb\(shortTag)l\(index)" }
}
