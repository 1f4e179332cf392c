extension MethodTable {
    /// Every method the daemon serves, on every listener: each method's
    /// descriptor says which listeners serve it.
    public static func daemon(services: DaemonServices) -> MethodTable {
        var table = MethodTable()
        table.metrics = services.metrics
        ServerMethods.register(into: &table, services: services)
        DeploymentMethods.register(into: &table, services: services)
        ActionMethods.register(into: &table, services: services)
        EventMethods.register(into: &table, services: services)
        ClusterMethods.register(into: &table, node: services.cluster, services: services)
        PeerMethods.register(into: &table, node: services.cluster, services: services)
        return table
    }
}
