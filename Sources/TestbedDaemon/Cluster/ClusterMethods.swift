import Foundation
import TestbedProtocol

/// The cluster's methods on the Unix sockets: `cluster.status`, `cluster.evict`,
/// `config.get` and `config.set`.
enum ClusterMethods {
    static func register(into table: inout MethodTable, node: ClusterNode, services: DaemonServices) {
        table.register(RPCMethod.clusterStatus) { _ in .now(node.status()) }
        table.register(RPCMethod.clusterEvict) { (params, context) in
            services.audit(context, deployment: "-", "evicting cluster member \(params.chassis)")
            return services.blocking(context) { try node.evict(params) }
        }
        table.register(RPCMethod.configGet) { (params, _) in
            switch params.name {
            case "host":
                guard let host = node.registry.host else {
                    throw RPCError(.notFound, "this host has no valid host.json (\(node.registry.hostPath))" + problemSuffix(node))
                }
                do {
                    return .now(try JSONValue(encoding: host))
                } catch {
                    throw RPCError(.internalError, "cannot encode host.json: \(error)")
                }
            case "cluster":
                guard node.isMain else {
                    throw RPCError(.invalidState, "this host is a cluster client; the cluster configuration lives on the main")
                }
                return .now(node.registry.clusterDocument())
            default:
                throw RPCError.invalidParams(field: "name", "there is no configuration \"\(params.name)\"; use host or cluster")
            }
        }
        table.register(RPCMethod.configSet) { (params, context) in
            guard params.name == "host" else {
                throw RPCError.invalidParams(field: "name", params.name == "cluster"
                    ? "the cluster configuration is kept by the main from its members' joins; it cannot be set"
                    : "there is no configuration \"\(params.name)\"; only host can be set")
            }
            try HostValidation.check(params.value, prefix: "value.")
            if let own = node.tls?.chassis.value, params.value.ovn.chassisName != own {
                throw RPCError.invalidParams(field: "value.ovn.chassis_name",
                    "value.ovn.chassis_name is \(params.value.ovn.chassisName) but this node's certificate names \(own); they must agree")
            }
            services.audit(context, deployment: "-", "setting host.json")
            return services.blocking(context) {
                try node.setHost(params.value)
                return EmptyResult()
            }
        }
    }

    private static func problemSuffix(_ node: ClusterNode) -> String {
        let problems = node.registry.problems
        return problems.isEmpty ? "" : ": " + problems.joined(separator: "; ")
    }
}
