import Foundation

/// A started orchestrator.
public protocol LaunchedProcess: Sendable {
    var pid: Int32 { get }
    /// Sends `signal` to the orchestrator and everything it started (its process group).
    func signalAll(_ signal: Int32)
    /// Whether `signalAll` may block (a D-Bus call): then it runs on the bus pool,
    /// never on an event loop or the cooperative pool.
    var signallingBlocks: Bool { get }
    /// Waits until the orchestrator has exited and returns how. Called once.
    func waitForExit() async -> ProcessTermination

    /// Lets go of what remains of it once its outcome is recorded.
    func release()
    /// When it ended, if the launcher knows better than the moment
    /// `waitForExit` returned (a unit that ended while testbedd was stopped).
    /// May block like `signalAll`.
    func exitTime() -> Date?
}

extension LaunchedProcess {
    public func release() {}
    public func exitTime() -> Date? { nil }
    public var signallingBlocks: Bool { false }
}
