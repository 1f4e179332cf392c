import TestbedProtocol

/// A connection's caller: its credentials, the socket it came through and the role that gives it.
public struct Caller: Sendable, Hashable {
    public let peer: PeerCredentials
    /// The listener's name: `rw` or `ro`.
    public let listener: String
    public let role: Role

    public init(peer: PeerCredentials, listener: String, role: Role) {
        self.peer = peer
        self.listener = listener
        self.role = role
    }

    public var uid: UInt32 { peer.uid }

    /// The wire form reported by `rpc.hello`.
    public var identity: Identity {
        Identity(uid: peer.uid, gid: peer.gid, pid: peer.pid, groups: peer.groups ?? [], role: role.rawValue)
    }
}
