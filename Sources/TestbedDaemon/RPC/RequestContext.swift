import NIOCore
import TestbedProtocol

/// What a method knows about the call it serves: who is calling, on which
/// socket, and the event loop its reply must complete on.
public struct RequestContext: Sendable {
    /// The caller: credentials, socket and role.
    public let caller: Caller
    /// The request's id (nil for a notification).
    public let requestID: RequestID?
    /// The method called.
    public let method: String
    /// The connection's event loop.
    public let eventLoop: any EventLoop

    /// The caller's credentials, from SO_PEERCRED.
    public var peer: PeerCredentials { caller.peer }
}
