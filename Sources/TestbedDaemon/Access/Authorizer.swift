import Logging
import NIOCore
import TestbedProtocol

/// The one place that decides, before dispatch, whether a caller may call a
/// method, from the method's descriptor: the listener must serve it, then the
/// caller's role must reach the method's, asking polkit where the role is
/// polkit's to decide. What a method needs of a deployment's ownership is
/// decided later, inside the change it guards (`RequestContext.requireOwnership`).
public struct Authorizer: Sendable {
    /// Asks polkit for a caller's role, off the event loop: admin, operator, or none (nil).
    public typealias AskPolkit = @Sendable (PeerCredentials, any EventLoop) -> EventLoopFuture<Role?>

    let policy: AccessPolicy
    let askPolkit: AskPolkit?
    let logger: Logger

    public init(policy: AccessPolicy, askPolkit: AskPolkit?, logger: Logger) {
        self.policy = policy
        self.askPolkit = policy.usesPolkit ? askPolkit : nil
        self.logger = logger
    }

    /// What was decided for one request.
    enum Decision {
        /// Serve it, for this caller (with the role polkit granted, if it was asked).
        case allowed(Caller)
        case refused(RPCError)
        /// polkit is being asked.
        case pending(EventLoopFuture<Result<Caller, RPCError>>)
    }

    /// Decides whether `caller` may call `method`; `grants` keeps polkit's
    /// answers for the caller's connection.
    func decide(
        _ method: AnyMethodDescriptor, for caller: Caller, grants: PolkitGrants, on loop: any EventLoop
    ) -> Decision {
        guard method.access.listeners.contains(caller.listener) else {
            return .refused(unserved(method, for: caller))
        }
        guard method.access.dependsOnRole, policy.rolesComeFromPolkit(for: caller), let askPolkit else {
            return Self.decision(judge(method, caller))
        }
        switch grants.role(on: loop, asking: { askPolkit(caller.peer, loop) }) {
        case .known(let role):
            return Self.decision(judge(method, caller.with(role: role ?? .reader)))
        case .asking(let question):
            let logger = self.logger
            return .pending(question.map { role in
                judge(method, caller.with(role: role ?? .reader))
            }.recover { error in
                // A method any reader may call is served as to a reader; others are refused.
                guard method.access.role == .reader else {
                    return .failure(RPCError(
                        .permissionDenied, "polkit could not decide whether uid \(caller.uid) may call \(method.name): \(error)"))
                }
                logger.warning("polkit could not decide the role of uid \(caller.uid); serving \(method.name) as to a reader: \(error)")
                return judge(method, caller)
            })
        }
    }

    /// The answer to a method no table serves: on the bridge it is refused like
    /// any method the bridge does not serve, rather than hidden.
    func unknown(_ name: String, for caller: Caller) -> RPCError {
        if caller.listener == .bridge { return Self.onlyPeerMethods }
        return RPCError(.methodNotFound, "there is no method \"\(name)\"; docs/protocol.md lists the methods")
    }

    /// Refuses `caller` a method its listener does not serve.
    private func unserved(_ method: AnyMethodDescriptor, for caller: Caller) -> RPCError {
        switch caller.listener {
        case .bridge:
            return Self.onlyPeerMethods
        case .readOnly where method.access.listeners.contains(.readWrite):
            return readOnlySocketRefusal(method.name)
        case .readWrite, .readOnly:
            return RPCError(
                .permissionDenied,
                "\(method.name) is served only over the cluster's bridge, to peer hosts with a certificate (docs/cluster.md)")
        }
    }

    private func readOnlySocketRefusal(_ name: String) -> RPCError {
        RPCError(
            .permissionDenied,
            "\(name) is not allowed on the read-only socket; use the read-write socket \(policy.readWriteSocket) (members of the testbed group)")
    }

    /// Refuses `caller` a method its role does not reach.
    private func judge(_ method: AnyMethodDescriptor, _ caller: Caller) -> Result<Caller, RPCError> {
        let required = method.access.role
        guard caller.role < required else { return .success(caller) }
        if caller.listener == .readWrite && caller.role == .reader {
            let action = required == .admin ? PolkitAuthority.adminAction : PolkitAuthority.manageAction
            return .failure(RPCError(.permissionDenied, "\(method.name) is not authorized for uid \(caller.uid) by polkit (\(action))"))
        }
        if caller.role == .reader { return .failure(readOnlySocketRefusal(method.name)) }
        return .failure(RPCError(.permissionDenied, "\(method.name) needs an administrator (uid 0 or a member of the admin group)"))
    }

    private static func decision(_ result: Result<Caller, RPCError>) -> Decision {
        switch result {
        case .success(let caller): .allowed(caller)
        case .failure(let error): .refused(error)
        }
    }

    /// What a peer is told when it calls anything but the bridge's methods.
    static let onlyPeerMethods = RPCError(
        .permissionDenied,
        "only " + RPCMethod.all.filter { $0.access.listeners.contains(.bridge) }.map(\.name).joined(separator: ", ")
            + " are served over the bridge; use testbedctl on the host itself")
}
