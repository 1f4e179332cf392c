/// The names of the methods the daemon serves. Kept in one place so the CLI,
/// the daemon and the docs cannot drift apart.
public enum RPCMethod {
    public static let hello = "rpc.hello"
    public static let ping = "rpc.ping"
    public static let cancel = "rpc.cancel"
    public static let stream = "rpc.stream"
    public static let serverStatus = "server.status"
    public static let deploymentList = "deployment.list"
    public static let deploymentGet = "deployment.get"
    public static let deploymentCreate = "deployment.create"
    public static let deploymentDestroy = "deployment.destroy"
    public static let deploymentResetState = "deployment.reset_state"
    public static let deploymentUp = "deployment.up"
    public static let deploymentDown = "deployment.down"
    public static let deploymentSnapshot = "deployment.snapshot"
    public static let deploymentGenerateArtefacts = "deployment.generate_artefacts"
    public static let deploymentClearArtefacts = "deployment.clear_artefacts"
    public static let deploymentTestbedSnapshot = "deployment.testbed_snapshot"
    public static let actionList = "action.list"
    public static let actionGet = "action.get"
    public static let actionLogs = "action.logs"
    public static let actionCancel = "action.cancel"
    public static let clusterStatus = "cluster.status"
    public static let clusterEvict = "cluster.evict"
    public static let configGet = "config.get"
    public static let configSet = "config.set"

    // Peer methods: served over the bridge only.
    public static let clusterJoin = "cluster.join"
    public static let clusterHeartbeat = "cluster.heartbeat"
    public static let clusterLeave = "cluster.leave"
    public static let hostStatus = "host.status"
}
