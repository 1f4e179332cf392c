#if canImport(Glibc)
import Glibc
#endif
import TestbedProtocol

/// Who may do what. The socket decides the ceiling (the read-only socket makes
/// everyone a reader, root included); on the read-write socket uid 0 and the
/// admin group are admins, everyone else who could connect is an operator, who
/// may act only on the deployments they own.
public struct AccessPolicy: Sendable {
    /// The admin group's gid, when one is configured and exists.
    public let adminGID: UInt32?
    /// Where the read-write socket is, for messages that send readers there.
    public let readWriteSocket: String

    /// With polkit, who may manage or administer is polkit's decision, per call.
    public let usesPolkit: Bool

    public init(adminGID: UInt32?, readWriteSocket: String, usesPolkit: Bool = false) {
        self.adminGID = adminGID
        self.readWriteSocket = readWriteSocket
        self.usesPolkit = usesPolkit
    }

    /// True when `caller`'s role for a method needing `required` is polkit's to decide.
    public func needsPolkit(_ caller: Caller, for required: Role) -> Bool {
        usesPolkit && caller.listener == "rw" && caller.uid != 0 && required > .reader
    }

    /// The role of `peer` on listener `listener`.
    public func role(of peer: PeerCredentials, on listener: String) -> Role {
        guard listener == "rw" else { return .reader }
        if peer.uid == 0 { return .admin }
        // Under polkit the role is settled per call (needsPolkit); until then, only look.
        if usesPolkit { return .reader }
        return isAdministrator(peer) ? .admin : .operator
    }

    /// True for uid 0 and members of the admin group, whatever the socket: who
    /// the connection caps and the output budget keep room for.
    public func isAdministrator(_ peer: PeerCredentials) -> Bool {
        peer.uid == 0 || adminGID.map(peer.isMember(of:)) == true
    }

    /// Refuses `caller` a method that needs `required`.
    public func require(_ required: Role, for method: String, _ caller: Caller) throws(RPCError) {
        guard caller.role < required else { return }
        if caller.role == .reader && caller.listener == "rw" {
            throw RPCError(.permissionDenied, "\(method) is not authorized for uid \(caller.uid) by polkit (org.testbedos.manage)")
        }
        if caller.role == .reader {
            throw RPCError(
                .permissionDenied,
                "\(method) is not allowed on the read-only socket; use the read-write socket \(readWriteSocket) (members of the testbed group)")
        }
        throw RPCError(.permissionDenied, "\(method) needs an administrator (uid 0 or a member of the admin group)")
    }

    /// Refuses `caller` unless it may act on `deployment`: its owner, or an admin.
    public func requireOwnership(of deployment: Deployment, _ caller: Caller, to what: String) throws(RPCError) {
        if caller.role == .admin { return }
        if caller.role == .operator, deployment.ownerUID == caller.uid { return }
        let owner = deployment.ownerUID.map { "uid \($0)" } ?? "root"
        throw RPCError(
            .permissionDenied,
            "you (uid \(caller.uid)) may not \(what) deployment \"\(deployment.name)\": it belongs to \(owner); only its owner or an administrator may")
    }

    /// Refuses unless the action's log may be read by `caller`: the deployment's owner or an admin, on either socket.
    public func requireLogAccess(of deployment: Deployment, _ caller: Caller) throws(RPCError) {
        if caller.role == .admin || deployment.ownerUID == caller.uid { return }
        throw RPCError(
            .permissionDenied,
            "you (uid \(caller.uid)) may not read the orchestration logs of \"\(deployment.name)\"; only its owner or an administrator may")
    }

    /// The gid of `group`, a name or a number; nil when it is empty or unknown.
    public static func resolveGroup(_ group: String) -> UInt32? {
        guard !group.isEmpty else { return nil }
        if let number = UInt32(group) { return number }
        // getgrnam_r: an NSS lookup, once at start-up, never per request.
        var entry = group_t()
        var result: UnsafeMutablePointer<group_t>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getgrnam_r(group, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    typealias group_t = Glibc.group
}
