/// Every method the daemon serves, as descriptors shared by the daemon, the
/// CLI and the tests, so that names, types and rights cannot drift apart.
/// docs/protocol.md §7 is this table in words.
public enum RPCMethod {
    private static let everywhere: Set<ListenerKind> = [.readWrite, .readOnly, .bridge]
    private static let reading = MethodAccess(role: .reader, listeners: ListenerKind.local)
    private static let peer = MethodAccess(role: .reader, listeners: [.bridge])

    private static func acting(_ verb: String) -> MethodAccess {
        MethodAccess(role: .operator, ownership: .acts(verb: verb), listeners: [.readWrite])
    }

    // Session and server.
    public static let hello = MethodDescriptor<HelloParams, HelloResult>(
        "rpc.hello", MethodAccess(role: .reader, listeners: everywhere, reportsRole: true))
    public static let ping = MethodDescriptor<NoParams, EmptyResult>(
        "rpc.ping", MethodAccess(role: .reader, listeners: everywhere))
    public static let serverStatus = MethodDescriptor<NoParams, ServerStatus>("server.status", reading)
    public static let serverMetrics = MethodDescriptor<NoParams, MetricsResult>("server.metrics", reading)

    // Deployments.
    public static let deploymentList = MethodDescriptor<DeploymentListParams, DeploymentList>("deployment.list", reading)
    public static let deploymentGet = MethodDescriptor<NameParams, Deployment>("deployment.get", reading)
    public static let deploymentCreate = MethodDescriptor<CreateParams, Deployment>(
        "deployment.create", MethodAccess(role: .operator, listeners: [.readWrite]))
    public static let deploymentDestroy = MethodDescriptor<NameParams, EmptyResult>("deployment.destroy", acting("destroy"))
    public static let deploymentResetState = MethodDescriptor<ResetStateParams, Deployment>(
        "deployment.reset_state", acting("reset the state of"))

    // Actions: started with `follow`, the log streams and the answer is an `ActionOutcome`.
    public static let deploymentUp = MethodDescriptor<UpParams, ActionStarted>("deployment.up", acting("run up on"))
    public static let deploymentDown = MethodDescriptor<ActionNameParams, ActionStarted>("deployment.down", acting("run down on"))
    public static let deploymentSnapshot = MethodDescriptor<SnapshotParams, ActionStarted>(
        "deployment.snapshot", acting("run snapshot on"))
    public static let deploymentGenerateArtefacts = MethodDescriptor<ActionNameParams, ActionStarted>(
        "deployment.generate_artefacts", acting("run generate-artefacts on"))
    public static let deploymentClearArtefacts = MethodDescriptor<ActionNameParams, ActionStarted>(
        "deployment.clear_artefacts", acting("run clear-artefacts on"))
    public static let deploymentTestbedSnapshot = MethodDescriptor<TestbedSnapshotParams, ActionStarted>(
        "deployment.testbed_snapshot", acting("run testbed-snapshot on"))
    public static let actionList = MethodDescriptor<NameParams, ActionList>("action.list", reading)
    public static let actionRunning = MethodDescriptor<NoParams, ActionList>("action.running", reading)
    public static let actionGet = MethodDescriptor<ActionIDParams, ActionRecord>("action.get", reading)
    public static let actionLogs = MethodDescriptor<ActionLogsParams, ActionLogsResult>(
        "action.logs",
        MethodAccess(role: .reader, ownership: .reads(what: "the orchestration logs of"), listeners: ListenerKind.local))
    public static let actionCancel = MethodDescriptor<ActionIDParams, ActionRecord>("action.cancel", acting("cancel actions of"))

    // The cluster, on the Unix sockets.
    public static let clusterStatus = MethodDescriptor<NoParams, ClusterStatus>("cluster.status", reading)
    public static let clusterEvict = MethodDescriptor<EvictParams, EvictResult>(
        "cluster.evict", MethodAccess(role: .admin, listeners: [.readWrite]))
    public static let configGet = MethodDescriptor<ConfigGetParams, JSONValue>("config.get", reading)
    public static let configSet = MethodDescriptor<ConfigSetParams, EmptyResult>(
        "config.set", MethodAccess(role: .admin, listeners: [.readWrite]))

    // Events: a stream of the daemon's changes, on the Unix sockets.
    public static let eventsWatch = MethodDescriptor<EventsWatchParams, EmptyResult>("events.watch", reading)

    // Peer methods: served over the bridge only, to verified peers.
    public static let clusterJoin = MethodDescriptor<JoinParams, JoinResult>("cluster.join", peer)
    public static let clusterHeartbeat = MethodDescriptor<NoParams, EmptyResult>("cluster.heartbeat", peer)
    public static let clusterLeave = MethodDescriptor<NoParams, EmptyResult>("cluster.leave", peer)
    public static let hostStatus = MethodDescriptor<NoParams, HostStatus>("host.status", peer)

    /// Every method, in the order docs/protocol.md lists them.
    public static let all: [AnyMethodDescriptor] = [
        hello.erased, ping.erased, serverStatus.erased, serverMetrics.erased,
        deploymentList.erased, deploymentGet.erased, deploymentCreate.erased, deploymentDestroy.erased,
        deploymentResetState.erased, deploymentUp.erased, deploymentDown.erased, deploymentSnapshot.erased,
        deploymentGenerateArtefacts.erased, deploymentClearArtefacts.erased, deploymentTestbedSnapshot.erased,
        actionList.erased, actionRunning.erased, actionGet.erased, actionLogs.erased, actionCancel.erased,
        clusterStatus.erased, clusterEvict.erased, configGet.erased, configSet.erased, eventsWatch.erased,
        clusterJoin.erased, clusterHeartbeat.erased, clusterLeave.erased, hostStatus.erased,
    ]
}

/// The notifications of the protocol: sent without an id, never answered.
public enum RPCNotification {
    /// Client to daemon: end the stream of request `id` (`CancelParams`).
    public static let cancel = "rpc.cancel"
    /// Daemon to client: a chunk of a stream (`StreamChunk`).
    public static let stream = "rpc.stream"
}
