import ServiceLifecycle

/// The cluster's part of the daemon's life: every `heartbeat_interval`, the
/// main checks its members and a client checks its main (joining first).
struct ClusterService: Service {
    let node: ClusterNode

    func run() async throws {
        let interval = Duration.milliseconds(Int64(node.configuration.heartbeatInterval * 1000))
        try? await cancelWhenGracefulShutdown {
            while true {
                if node.isMain {
                    await node.checkMembers()
                } else {
                    await node.checkMain()
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
