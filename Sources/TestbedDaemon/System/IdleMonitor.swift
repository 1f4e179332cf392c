import ServiceLifecycle

/// Ends the daemon after `timeout` with no connection and no running action, so
/// a socket-activated daemon gives its memory back; systemd keeps the sockets
/// and starts it again for the next client. Registered so that its return
/// shuts the whole service group down gracefully.
struct IdleMonitor: Service {
    let timeout: Duration
    let statistics: ServerStatistics
    let supervisor: ActionSupervisor
    let onIdle: @Sendable () -> Void

    func run() async throws {
        let tick = min(Duration.seconds(1), timeout / 4)
        var idleSince: ContinuousClock.Instant?
        while true {
            try await Task.sleep(for: tick)
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            let busy = statistics.openConnections > 0 || supervisor.runningCount > 0
            if busy {
                idleSince = nil
            } else if let since = idleSince {
                if ContinuousClock.now - since >= timeout {
                    onIdle()
                    return
                }
            } else {
                idleSince = .now
            }
        }
    }
}
