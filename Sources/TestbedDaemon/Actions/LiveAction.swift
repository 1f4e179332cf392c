import TestbedProtocol

/// An action whose orchestrator runs now.
public final class LiveAction: Sendable {
    public let id: String
    public let deployment: String
    public let command: DeploymentCommand
    public let log: ActionLog
    /// The deployment's state before the action, restored by a success that does not set one.
    let previousState: DeploymentState
    let writerFD: Int32

    struct Cancellation: Sendable {
        let uid: UInt32
        /// The sentence that ends the log.
        let line: String
    }

    private struct State {
        var record: ActionRecord
        var process: (any LaunchedProcess)?
        var cancellation: Cancellation?
        /// The orchestrator has exited (its outcome may not be recorded yet).
        var exited = false
    }

    private let state: Locked<State>

    init(record: ActionRecord, log: ActionLog, previousState: DeploymentState, writerFD: Int32) {
        self.id = record.id
        self.deployment = record.deployment
        self.command = record.command
        self.log = log
        self.previousState = previousState
        self.writerFD = writerFD
        self.state = Locked(State(record: record))
    }

    var record: ActionRecord { state.withLock { $0.record } }
    var cancellation: Cancellation? { state.withLock { $0.cancellation } }

    /// The orchestrator is running as `pid` (read by the caller: it may block).
    func started(_ process: any LaunchedProcess, pid: Int32, startTime: UInt64?) -> ActionRecord {
        state.withLock { state in
            state.process = process
            state.record.pid = pid
            state.record.pidStartTime = startTime
            return state.record
        }
    }

    /// Records the first cancellation and returns the process to signal; nil
    /// when the action was already being cancelled.
    func cancel(_ cancellation: Cancellation) -> (any LaunchedProcess)? {
        state.withLock { state in
            guard state.cancellation == nil else { return nil }
            state.cancellation = cancellation
            return state.process
        }
    }

    /// True once the orchestrator has exited.
    var hasExited: Bool { state.withLock { $0.exited } }

    /// The orchestrator has exited: a cancel's grace period ends without a SIGKILL.
    func markExited() {
        state.withLock { $0.exited = true }
    }

    /// The process, once launched; for the SIGKILL after the grace period.
    var process: (any LaunchedProcess)? { state.withLock { $0.process } }
}
