import NIOCore
import TestbedProtocol

/// The output queued for all connections together: answers and stream frames
/// written but not yet taken by their clients. Unprivileged connections are
/// served while it is under `limit`; a connection that finds no room waits to
/// be called back when some is given back. uid 0 and admins are counted but
/// never held by it, so a crowd of clients that never read cannot lock them
/// out: their connections are few (`ConnectionLimits.privilegedConnections`
/// places are theirs) and each is held to its own bound.
final class OutputBudget: Sendable {
    /// The budget of unprivileged connections, in bytes.
    let limit: Int

    private struct Waiter {
        let eventLoop: any EventLoop
        let resume: @Sendable () -> Void
    }

    private struct State {
        var used = 0
        var waiters: [ObjectIdentifier: Waiter] = [:]
    }

    private let state = Locked(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Bytes queued now.
    var used: Int { state.withLock { $0.used } }

    /// True while a connection of this kind may queue more.
    func hasRoom(privileged: Bool) -> Bool {
        privileged || state.withLock { $0.used } < limit
    }

    /// `bytes` more are queued.
    func take(_ bytes: Int) {
        state.withLock { $0.used += bytes }
    }

    /// `bytes` were written to their client (or dropped with it): wakes the
    /// waiting connections once there is room again.
    func giveBack(_ bytes: Int) {
        let woken: [Waiter] = state.withLock { state in
            state.used -= bytes
            guard !state.waiters.isEmpty, state.used < limit else { return [] }
            defer { state.waiters.removeAll(keepingCapacity: true) }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.eventLoop.execute(waiter.resume) }
    }

    /// Calls `resume` on `eventLoop` when room is given back; at once if there is some already.
    func wait(_ id: ObjectIdentifier, on eventLoop: any EventLoop, privileged: Bool, resume: @escaping @Sendable () -> Void) {
        let roomNow = privileged || state.withLock { state in
            if state.used < limit { return true }
            state.waiters[id] = Waiter(eventLoop: eventLoop, resume: resume)
            return false
        }
        if roomNow { eventLoop.execute(resume) }
    }

    /// Forgets a connection that closed while waiting.
    func cancelWait(_ id: ObjectIdentifier) {
        _ = state.withLock { $0.waiters.removeValue(forKey: id) }
    }
}
