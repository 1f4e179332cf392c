import Foundation
import TestbedProtocol

/// `rpc.hello`, `rpc.ping` and `server.status`: all answered from memory.
enum ServerMethods {
    /// `rpc.hello`'s answer, on every socket and over the bridge.
    /// The stream format asked for holds for the rest of the connection.
    static func hello(_ params: HelloParams, _ context: RequestContext, mode: ClusterMode) -> HelloResult {
        if let preferences = params.streamFormats { context.session.streamFormat = StreamFormat.choose(from: preferences) }
        return HelloResult(
            server: "testbedd", version: DaemonVersion.current, protocol: RPCMessage.protocolVersion,
            mode: mode.name, identity: context.caller.identity, streamFormat: context.session.streamFormat)
    }

    /// The metrics now, in the Prometheus text format.
    static func metricsText(_ services: DaemonServices) -> String {
        let members = services.cluster.status().members.filter { $0.state != "self" }
        let missing = members.filter { $0.state == "missing" }.count
        return services.metrics.render(
            connections: services.statistics.openConnections, deployments: services.registry.list(),
            watchers: services.registry.events.watcherCount, members: (members.count - missing, missing))
    }

    static func register(into table: inout MethodTable, services: DaemonServices) {
        table.register(RPCMethod.hello) { params, context in .now(hello(params, context, mode: services.cluster.mode)) }
        table.register(RPCMethod.ping) { _ in .now(EmptyResult()) }
        table.register(RPCMethod.serverMetrics) { _ in .now(MetricsResult(text: metricsText(services))) }
        table.register(RPCMethod.serverStatus) { _ in
            .now(ServerStatus(
                version: DaemonVersion.current,
                pid: getpid(),
                uptimeSeconds: services.statistics.uptimeSeconds,
                openConnections: services.statistics.openConnections,
                deployments: services.registry.count,
                store: services.registry.store.kind.rawValue,
                stateDir: services.configuration.stateDirectory,
                socketActivated: services.socketActivated,
                mode: services.cluster.mode.name,
                mainReachable: services.cluster.mainReachable,
                clusterProblems: services.cluster.problems,
                bootID: services.registry.events.bootID,
                lastEvent: services.registry.events.nextSeq - 1,
                eventWatchers: services.registry.events.watcherCount))
        }
    }
}
