import TestbedProtocol

/// `testbedctl status --json` (docs/cli.md, "status"): the daemon's
/// `server.status` and everything else the text shows (the socket used, and
/// who the daemon says you are), every member always present.
struct StatusJSON: Encodable {
    let status: ServerStatus
    let socket: String
    let identity: Identity

    private enum Key: String, CodingKey {
        case version, pid, deployments, store, mode, socket, you
        case uptimeSeconds = "uptime_seconds"
        case openConnections = "open_connections"
        case stateDir = "state_dir"
        case socketActivated = "socket_activated"
        case mainReachable = "main_reachable"
        case clusterProblems = "cluster_problems"
        case bootID = "boot_id"
        case lastEvent = "last_event"
        case eventWatchers = "event_watchers"
    }

    private struct You: Encodable {
        let uid: UInt32
        let role: String
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(status.version, forKey: .version)
        try c.encode(status.pid, forKey: .pid)
        try c.encode(status.uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(socket, forKey: .socket)
        try c.encode(status.socketActivated, forKey: .socketActivated)
        try c.encode(status.openConnections, forKey: .openConnections)
        try c.encode(status.deployments, forKey: .deployments)
        try c.encode(status.store, forKey: .store)
        try c.encode(status.stateDir, forKey: .stateDir)
        try c.encode(status.mode, forKey: .mode)
        try c.encode(status.mainReachable, forKey: .mainReachable)
        try c.encode(status.clusterProblems, forKey: .clusterProblems)
        try c.encode(status.bootID, forKey: .bootID)
        try c.encode(status.lastEvent, forKey: .lastEvent)
        try c.encode(status.eventWatchers, forKey: .eventWatchers)
        try c.encode(You(uid: identity.uid, role: identity.role), forKey: .you)
    }
}
