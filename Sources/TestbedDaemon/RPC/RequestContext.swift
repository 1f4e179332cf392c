import NIOCore
import TestbedProtocol

/// What a method knows about the call it serves: who is calling, on which
/// listener, the method's descriptor, and the event loop its reply must complete on.
public struct RequestContext: Sendable {
    /// The caller: credentials, listener and role (as polkit granted it, if asked).
    public let caller: Caller
    /// The request's id (nil for a notification).
    public let requestID: RequestID?
    /// The method called.
    public let method: AnyMethodDescriptor
    /// The connection's event loop.
    public let eventLoop: any EventLoop
    /// What the client agreed for its connection; touch it only on `eventLoop`.
    let session: ConnectionSession

    /// The caller's credentials, from SO_PEERCRED.
    public var peer: PeerCredentials { caller.peer }

    /// Refuses the call unless the caller may do what the method does to
    /// `deployment` (its descriptor's `ownership`). The one ownership check:
    /// call it on the record the change itself reads, under the registry's
    /// lock, so that a deployment destroyed and made again meanwhile is judged
    /// as it is now.
    public func requireOwnership(of deployment: Deployment) throws(RPCError) {
        try method.access.ownership.check(caller, on: deployment)
    }
}
