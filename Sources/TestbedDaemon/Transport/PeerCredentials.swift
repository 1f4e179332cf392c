#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import TestbedProtocol

/// Who is at the other end of a Unix socket, as the kernel recorded it at
/// connect time (SO_PEERCRED). The only identity the daemon trusts.
public struct PeerCredentials: Sendable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// The wire form reported by `rpc.hello`.
    public var identity: Identity { Identity(uid: uid, gid: gid, pid: pid) }

    /// Glibc does not export `struct ucred` to Swift; this has its layout.
    struct RawUcred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// Reads the credentials of `channel`'s peer.
    public static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ListenerError("the connection does not expose socket options"))
        }
        return provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET),
            name: NIOBSDSocket.Option(rawValue: SO_PEERCRED)
        ).map { (raw: RawUcred) in
            PeerCredentials(pid: raw.pid, uid: raw.uid, gid: raw.gid)
        }
    }
}
