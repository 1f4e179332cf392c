import TestbedProtocol

/// A connection's caller: its credentials, the socket it came through and the role that gives it.
public struct Caller: Sendable, Hashable {
    public let peer: PeerCredentials
    /// The listener the connection came through.
    public let listener: ListenerKind
    public let role: Role
    /// On the bridge: the peer its certificate proves it is. Nil on the Unix sockets.
    public let bridgePeer: VerifiedPeer?
    /// On the bridge: the peer's IP address, canonical.
    public let remoteAddress: String?

    public init(peer: PeerCredentials, listener: ListenerKind, role: Role, bridgePeer: VerifiedPeer? = nil, remoteAddress: String? = nil) {
        self.peer = peer
        self.listener = listener
        self.role = role
        self.bridgePeer = bridgePeer
        self.remoteAddress = remoteAddress
    }

    /// A bridge peer: no local credentials (uid and gid nobody, pid 0), the reader role
    /// for the few methods the bridge serves, and the chassis its certificate names.
    static func bridge(_ peer: VerifiedPeer, remoteAddress: String) -> Caller {
        Caller(peer: bridgePeerCredentials, listener: .bridge, role: .reader, bridgePeer: peer, remoteAddress: remoteAddress)
    }

    /// The credentials a bridge connection stands under: nobody's.
    static let bridgePeerCredentials = PeerCredentials(pid: 0, uid: 65534, gid: 65534, groups: [])

    public var uid: UInt32 { peer.uid }

    /// This caller with `role` (the role polkit granted).
    func with(role: Role) -> Caller {
        Caller(peer: peer, listener: listener, role: role, bridgePeer: bridgePeer, remoteAddress: remoteAddress)
    }

    /// The wire form reported by `rpc.hello`.
    public var identity: Identity {
        Identity(uid: peer.uid, gid: peer.gid, pid: peer.pid, groups: peer.groups ?? [],
                 role: bridgePeer.map { "peer:\($0.chassis)" } ?? role.rawValue)
    }
}
