import Foundation
import TestbedProtocol

/// The peer methods, which only the bridge serves (their descriptors say so):
/// `host.status`, `cluster.join`, `.heartbeat` and `.leave`. Every caller here
/// is a verified peer acting as the chassis its certificate names.
enum PeerMethods {
    static func register(into table: inout MethodTable, node: ClusterNode, services: DaemonServices) {
        table.register(RPCMethod.hostStatus) { _ in
            .now(HostStatus(
                chassis: node.chassis ?? "", mode: node.mode.name, version: DaemonVersion.current,
                uptimeSeconds: services.statistics.uptimeSeconds, deployments: services.registry.count))
        }
        table.register(RPCMethod.clusterJoin) { (params, context) in
            let peer = try verifiedPeer(context, node)
            let remote = context.caller.remoteAddress ?? "?"
            return services.blocking(context) { try node.join(params, from: peer, remoteHost: remote) }
        }
        table.register(RPCMethod.clusterHeartbeat) { context in
            try node.heartbeat(from: try verifiedPeer(context, node))
            return .now(EmptyResult())
        }
        table.register(RPCMethod.clusterLeave) { context in
            let peer = try verifiedPeer(context, node)
            return services.blocking(context) {
                try node.leave(from: peer)
                return EmptyResult()
            }
        }
    }

    /// The caller's verified identity, checked again now: a certificate revoked
    /// or expired since the connection opened no longer counts.
    private static func verifiedPeer(_ context: RequestContext, _ node: ClusterNode) throws(RPCError) -> VerifiedPeer {
        guard let peer = context.caller.bridgePeer else { throw Authorizer.onlyPeerMethods }
        guard !node.registry.isRevoked(serial: peer.serial) else {
            throw RPCError(.permissionDenied, "the certificate of \(peer.chassis) (serial \(peer.serial)) has been revoked")
        }
        guard peer.notValidAfter > Date() else {
            throw RPCError(.permissionDenied, "the certificate of \(peer.chassis) expired on \(peer.notValidAfter)")
        }
        return peer
    }
}
