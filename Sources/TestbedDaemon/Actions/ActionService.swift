import NIOPosix
import ServiceLifecycle

/// The actions' part of the daemon's life: decides about the actions a
/// previous daemon left unfinished, sweeps old logs periodically and, when the
/// daemon stops, cancels running actions and waits for their outcomes to be
/// recorded.
struct ActionService: Service {
    let supervisor: ActionSupervisor
    let blockingPool: NIOThreadPool
    /// Time between two retention sweeps.
    let sweepInterval: Duration

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await supervisor.recoverInterrupted()
            while true {
                try await blockingPool.runIfActive { supervisor.sweepLogs() }
                try await Task.sleep(for: sweepInterval)
            }
        }
        await supervisor.stopAll(reason: "testbedd is stopping")
    }
}
