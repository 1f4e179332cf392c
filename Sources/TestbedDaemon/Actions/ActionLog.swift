import TestbedProtocol

/// An action's log file as followers see it: a path, a generation that moves
/// each time the file grows, and, once the outcome is durably recorded, the
/// finished record. Followers read the file themselves, each at its own pace,
/// so the orchestrator never waits for anyone and memory stays bounded however
/// long the log grows.
public final class ActionLog: Sendable {
    public let path: String
    /// Notes when the file grows, while the action runs (`LogTimes`).
    let times: LogTimeRecorder?

    private struct State {
        var generation: UInt64 = 0
        var finished: ActionRecord?
        var waiters: [UInt64: @Sendable () -> Void] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state: Locked<State>

    /// A log; pass `finished` for an action that has already ended, and
    /// `recordsTimes` for a live one whose growth is to be noted.
    public init(path: String, finished: ActionRecord? = nil, recordsTimes: Bool = false) {
        self.path = path
        self.state = Locked(State(finished: finished))
        self.times = recordsTimes && finished == nil ? LogTimeRecorder(logPath: path) : nil
    }

    /// The current generation; pass it to `whenChanged` after reading to the end.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// The action's record once its outcome is recorded; nil while it runs.
    public var finishedRecord: ActionRecord? { state.withLock { $0.finished } }

    /// The file grew (or may have): wake everyone waiting.
    public func changed() {
        // Noted before anyone is woken: what a follower reads then has its time.
        times?.observe()
        wake { _ in }
    }

    /// The outcome is durably recorded: no more bytes will come.
    public func finish(_ record: ActionRecord) {
        times?.observe()
        times?.close()
        wake { $0.finished = record }
    }

    /// Calls `wake` once, as soon as the log has changed since `generation` or
    /// has finished: at once if that has already happened. Returns a token for
    /// `forget`, nil when `wake` ran at once.
    @discardableResult
    public func whenChanged(after generation: UInt64, _ wake: @escaping @Sendable () -> Void) -> UInt64? {
        let token = state.withLock { state -> UInt64? in
            if state.generation != generation || state.finished != nil { return nil }
            state.nextWaiter += 1
            state.waiters[state.nextWaiter] = wake
            return state.nextWaiter
        }
        if token == nil { wake() }
        return token
    }

    /// Drops a waiter that is no longer interested (its follower was cancelled).
    public func forget(_ token: UInt64) {
        _ = state.withLock { $0.waiters.removeValue(forKey: token) }
    }

    private func wake(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state in
            change(&state)
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter() }
    }
}
