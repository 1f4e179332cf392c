import CTestbedShims
import NIOCore
import TestbedProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a Unix socket, as the kernel recorded it at
/// connect time (SO_PEERCRED, SO_PEERGROUPS): the only identity the daemon
/// trusts, and never an NSS lookup that could block or lie.
public struct PeerCredentials: Sendable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    /// Supplementary groups; nil when the kernel could not report them.
    public var groups: [UInt32]?
    /// When process `pid` started, read at accept: polkit's guard against a recycled pid.
    public var startTime: UInt64?

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32]? = [], startTime: UInt64? = nil) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.startTime = startTime
    }

    /// True when `group` is the peer's primary or a supplementary group.
    public func isMember(of group: UInt32) -> Bool {
        gid == group || (groups?.contains(group) ?? false)
    }

    /// Glibc does not export `struct ucred` to Swift; this has its layout.
    struct RawUcred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    private static let peerGroupsOption: Int32 = 59  // SO_PEERGROUPS (Linux 4.13)

    /// Reads the credentials of `channel`'s peer; its start time too when
    /// `withStartTime` (only polkit needs it, and it costs a read of /proc).
    public static func of(_ channel: any Channel, withStartTime: Bool) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ListenerError("the connection does not expose socket options"))
        }
        let level = NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET)
        let credentials = provider.unsafeGetSocketOption(level: level, name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
            as EventLoopFuture<RawUcred>
        return credentials.flatMap { raw in
            let groups = provider.unsafeGetSocketOption(level: level, name: NIOBSDSocket.Option(rawValue: peerGroupsOption))
                as EventLoopFuture<testbed_peer_groups>
            return groups.map { list -> [UInt32]? in
                withUnsafeBytes(of: list.gids) { Array($0.bindMemory(to: UInt32.self)).filter { $0 != 0 } }
            }.recover { _ in nil }.map { groups in
                PeerCredentials(
                    pid: raw.pid, uid: raw.uid, gid: raw.gid, groups: groups, startTime: withStartTime ? ProcessStartTime.of(raw.pid) : nil)
            }
        }
    }
}

extension testbed_peer_groups: @retroactive @unchecked Sendable {}
