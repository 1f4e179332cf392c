#if canImport(Glibc)
import Glibc
#endif
import TestbedProtocol

/// Who a caller is when it connects. The listener decides the ceiling (the
/// read-only socket makes everyone a reader, root included); on the read-write
/// socket uid 0 and the admin group are admins, everyone else who could
/// connect is an operator, who may act only on the deployments they own. With
/// polkit, what a non-root caller on the read-write socket may do is polkit's
/// to decide, per call (`Authorizer`).
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

    /// True when what `caller` may do is polkit's to decide.
    func rolesComeFromPolkit(for caller: Caller) -> Bool {
        usesPolkit && caller.listener == .readWrite && caller.uid != 0
    }

    /// The role of `peer` on `listener`, as it connects.
    public func role(of peer: PeerCredentials, on listener: ListenerKind) -> Role {
        guard listener == .readWrite else { return .reader }
        if peer.uid == 0 { return .admin }
        // Under polkit the role is settled per call; until then, only look.
        if usesPolkit { return .reader }
        return isAdministrator(peer) ? .admin : .operator
    }

    /// True for uid 0 and members of the admin group, whatever the socket: who
    /// the connection caps and the output budget keep room for.
    public func isAdministrator(_ peer: PeerCredentials) -> Bool {
        peer.uid == 0 || adminGID.map(peer.isMember(of:)) == true
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
