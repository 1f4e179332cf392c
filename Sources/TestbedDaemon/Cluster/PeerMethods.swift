import Foundation
import TestbedProtocol

/// The bridge's method table: `rpc.hello`, `rpc.ping` and the peer methods,
/// nothing else. Every caller here is a verified peer acting as the chassis
/// its certificate names.
enum PeerMethods {
    static let onlyPeerMethods = RPCError(
        .permissionDenied,
        "only rpc.hello, rpc.ping, cluster.join, cluster.heartbeat, cluster.leave and host.status are served over the bridge; use testbedctl on the host itself")

    static func table(node: ClusterNode, services: DaemonServices) -> MethodTable {
        var table = MethodTable(refusingOthersWith: onlyPeerMethods)
        table.register(RPCMethod.hello, role: .reader) { context in .now(ServerMethods.hello(context, mode: node.mode)) }
        table.register(RPCMethod.ping, role: .reader) { _ in .now(EmptyResult()) }
        table.register(RPCMethod.hostStatus, role: .reader) { _ in
            .now(HostStatus(
                chassis: node.chassis ?? "", mode: node.mode.name, version: DaemonVersion.current,
                uptimeSeconds: services.statistics.uptimeSeconds, deployments: services.registry.count))
        }
        table.register(RPCMethod.clusterJoin, role: .reader, params: JoinParams.self) { (params, context) throws(RPCError) in
            let peer = try verifiedPeer(context, node)
            let remote = context.caller.remoteAddress ?? "?"
            return services.blocking(context) { try node.join(params, from: peer, remoteHost: remote) }
        }
        table.register(RPCMethod.clusterHeartbeat, role: .reader) { (context) throws(RPCError) in
            try node.heartbeat(from: try verifiedPeer(context, node))
            return .now(EmptyResult())
        }
        table.register(RPCMethod.clusterLeave, role: .reader) { (context) throws(RPCError) in
            let peer = try verifiedPeer(context, node)
            return services.blocking(context) {
                try node.leave(from: peer)
                return EmptyResult()
            }
        }
        return table
    }

    /// The caller's verified identity, checked again now: a certificate revoked
    /// or expired since the connection opened no longer counts.
    private static func verifiedPeer(_ context: RequestContext, _ node: ClusterNode) throws(RPCError) -> VerifiedPeer {
        guard let peer = context.caller.bridgePeer else { throw onlyPeerMethods }
        guard !node.registry.isRevoked(serial: peer.serial) else {
            throw RPCError(.permissionDenied, "the certificate of \(peer.chassis) (serial \(peer.serial)) has been revoked")
        }
        guard peer.notValidAfter > Date() else {
            throw RPCError(.permissionDenied, "the certificate of \(peer.chassis) expired on \(peer.notValidAfter)")
        }
        return peer
    }
}
